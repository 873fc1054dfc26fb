package dev.switchboard.bench;

import java.util.EnumMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What a load run measured: the counts (completed + errors = attempts; operations still in
 * flight at the end are cut off and count neither way), errors by kind, bytes, latency in
 * nanoseconds, and for hold the connections held.
 *
 * @param spec           the run's description
 * @param seconds        the measured time (hold: the whole run)
 * @param attempts       operations begun in the measured window (or in flight as it opened)
 *                       and finished
 * @param completed      of those, how many succeeded (stream: connections alive at the end;
 *                       hold: connections held)
 * @param cutOff         operations still in flight when the time was up
 * @param errors         failed operations by kind
 * @param bytesIn        bytes read in the window
 * @param bytesOut       bytes written in the window
 * @param latency        nanoseconds per operation (greet: connect to close; echo: round trip)
 * @param held           hold: connections open (and, with a probe, verified) at the end
 * @param peak           hold: most connections open at once
 * @param served         greet, echo: how many of the connections (slots) completed at least one
 *                       operation in the window; fewer than asked for means some were starved
 * @param generatorCpu   the generator's own CPU use in percent of one core over the run
 * @param openFilesLimit this process's limit on open descriptors, or -1 when unknown
 */
public record LoadResult(LoadSpec spec, double seconds, long attempts, long completed, long cutOff,
                         Map<ErrorKind, Long> errors, long bytesIn, long bytesOut, Histogram latency,
                         long held, long peak, long served, double generatorCpu, long openFilesLimit) {

    static LoadResult of(LoadSpec spec, double seconds, Tally t, double cpu, long openFilesLimit) {
        Map<ErrorKind, Long> errors = new EnumMap<>(ErrorKind.class);
        for (ErrorKind k : ErrorKind.values()) {
            errors.put(k, t.errors[k.ordinal()]);
        }
        return new LoadResult(spec, seconds, t.attempts, t.completed, t.cutOff, Map.copyOf(errors),
                t.bytesIn, t.bytesOut, t.latency, t.held, t.peak, t.served, cpu, openFilesLimit);
    }

    /** The headline figure in the mode's unit: conn/s, rtt/s, MB/s or connections held. */
    public double rate() {
        return switch (spec.mode()) {
            case GREET, ECHO -> seconds > 0 ? completed / seconds : 0;
            case STREAM -> seconds > 0 ? bytesOut / seconds / 1e6 : 0;
            case HOLD -> held;
        };
    }

    /** Megabytes (10^6) per second read back: the echo server's answer in stream mode. */
    public double mbPerSecondIn() {
        return seconds > 0 ? bytesIn / seconds / 1e6 : 0;
    }

    public long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    public long errors(ErrorKind kind) {
        return errors.getOrDefault(kind, 0L);
    }

    /** Whether anything at all worked: the bench exits non-zero when not. */
    public boolean succeeded() {
        return switch (spec.mode()) {
            case GREET, ECHO -> completed > 0;
            case STREAM -> bytesOut > 0;
            case HOLD -> held > 0;
        };
    }

    /** A latency percentile in microseconds (0 when nothing was timed). */
    public double percentileMicros(double percentile) {
        return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1e3;
    }

    public double maxMicros() {
        return latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1e3;
    }
}
