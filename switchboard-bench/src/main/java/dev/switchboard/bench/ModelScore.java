package dev.switchboard.bench;

import org.HdrHistogram.Histogram;

/**
 * One concurrency model's result in the lab, over all its rounds.
 *
 * @param model         the model's name
 * @param rate          operations per second (conn/s or rtt/s), all rounds together
 * @param latency       nanoseconds per operation, all rounds together
 * @param completed     operations that succeeded
 * @param errors        operations that failed
 * @param cutOff        operations still in flight when a run's time was up (not counted)
 * @param served        the fewest connections, over the rounds, that completed an operation
 * @param connections   the connections the load used
 * @param cpuSeconds    the server's CPU time while under load (fork: its reaped children too)
 * @param peakMemoryKiB the server process's peak resident memory, or -1 where unknown
 * @param ratio         rate relative to the best model (1.0 for the best)
 * @param failure       why the model could not be measured, or null
 */
public record ModelScore(String model, double rate, Histogram latency, long completed, long errors, long cutOff,
                         long served, int connections, double cpuSeconds, long peakMemoryKiB, double ratio, String failure) {

    public double percentileMicros(double p) {
        return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(p) / 1e3;
    }

    /** Whether so many operations outlived the window that the rate understates the model. */
    public boolean windowTooShort() {
        return cutOff > 0 && cutOff * 10 > completed + errors;
    }

    ModelScore withRatio(double r) {
        return new ModelScore(model, rate, latency, completed, errors, cutOff, served, connections, cpuSeconds, peakMemoryKiB, r, failure);
    }
}
