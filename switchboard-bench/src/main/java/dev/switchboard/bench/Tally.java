package dev.switchboard.bench;

import org.HdrHistogram.Histogram;

/**
 * What one worker counted: attempts, successes, errors by kind, bytes, the latency
 * histogram (nanoseconds) and, for hold, the connections held. Workers merge into one.
 */
final class Tally {
    long attempts;
    long completed;
    long cutOff;
    long bytesIn;
    long bytesOut;
    final long[] errors = new long[ErrorKind.values().length];
    final Histogram latency = new Histogram(3);
    long established;
    long verified;
    long open;
    long peak;
    long held;
    long served;

    long errorTotal() {
        long sum = 0;
        for (long e : errors) {
            sum += e;
        }
        return sum;
    }

    void add(Tally o) {
        attempts += o.attempts;
        completed += o.completed;
        cutOff += o.cutOff;
        bytesIn += o.bytesIn;
        bytesOut += o.bytesOut;
        for (int i = 0; i < errors.length; i++) {
            errors[i] += o.errors[i];
        }
        latency.add(o.latency);
        established += o.established;
        verified += o.verified;
        peak += o.peak;
        held += o.held;
        served += o.served;
    }
}
