package dev.switchboard.bench;

/**
 * A once-a-second look at a run in progress, for the live line.
 *
 * @param elapsedSeconds since the start, warm-up included
 * @param warmingUp      whether the measured window has not begun yet
 * @param rate           over the last interval: operations per second (greet, echo), MB/s
 *                       (stream), or connections open now (hold)
 * @param p99Micros      the 99th percentile latency over the last interval, in microseconds
 * @param errors         errors counted so far
 */
public record Progress(double elapsedSeconds, boolean warmingUp, double rate, double p99Micros, long errors) {
}
