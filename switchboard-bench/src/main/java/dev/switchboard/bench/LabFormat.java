package dev.switchboard.bench;

import java.util.List;
import java.util.Locale;

/** The lab's one table: a row per model with rate, latency, errors, server cost and ratio. */
public final class LabFormat {

    private LabFormat() {
    }

    public static String table(List<ModelScore> scores, Mode mode) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-10s %14s %9s %9s %8s %9s %10s %9s %8s%n", "model",
                "rate (" + mode.unit() + ")", "p50", "p99", "errors", "served", "server CPU", "peak mem", "vs best"));
        for (ModelScore s : scores) {
            if (s.failure() != null) {
                b.append(String.format(Locale.ROOT, "%-10s failed: %s%n", s.model(), s.failure()));
                continue;
            }
            b.append(String.format(Locale.ROOT, "%-10s %14s %9s %9s %8d %9s %9.1fs %9s %8.2f%n", s.model(),
                    ResultFormat.num(s.rate()), ResultFormat.micros(s.percentileMicros(50)),
                    ResultFormat.micros(s.percentileMicros(99)), s.errors(), s.served() + "/" + s.connections(),
                    s.cpuSeconds(),
                    memory(s.peakMemoryKiB()), s.ratio()));
        }
        return b.toString();
    }

    static String memory(long kib) {
        return kib < 0 ? "?" : String.format(Locale.ROOT, "%.0f MiB", kib / 1024.0);
    }
}
