package dev.switchboard.bench;

import dev.switchboard.client.Dialer;
import java.util.Locale;
import java.util.StringJoiner;

/** Writes a {@link LoadResult} for people (a small table) and for programs (one JSON object). */
public final class ResultFormat {

    private ResultFormat() {
    }

    /** The end-of-run table, one fact per line. */
    public static String table(LoadResult r) {
        LoadSpec s = r.spec();
        StringBuilder b = new StringBuilder();
        row(b, "target", Dialer.hostPort(s.target()));
        row(b, "mode", s.mode().label() + ", " + s.connections() + " connections"
                + (s.rate() > 0 ? ", " + num(s.rate()) + "/s offered" : "")
                + (s.mode() == Mode.ECHO ? ", " + s.size() + " B" : "")
                + String.format(Locale.ROOT, ", %.1f s measured", r.seconds())
                + (s.warmup().isZero() ? "" : String.format(Locale.ROOT, " after %.1f s warm-up",
                        s.warmup().toMillis() / 1e3)));
        switch (s.mode()) {
            case GREET, ECHO -> {
                row(b, "rate", num(r.rate()) + " " + s.mode().unit());
                row(b, "latency", "p50 " + micros(r.percentileMicros(50)) + "  p90 " + micros(r.percentileMicros(90))
                        + "  p99 " + micros(r.percentileMicros(99)) + "  p99.9 " + micros(r.percentileMicros(99.9))
                        + "  max " + micros(r.maxMicros()));
            }
            case STREAM -> row(b, "rate", num(r.rate()) + " MB/s written, " + num(r.mbPerSecondIn()) + " MB/s read");
            case HOLD -> row(b, "held", r.held() + " of " + s.connections() + " (peak " + r.peak() + " open at once)");
        }
        row(b, "done", r.completed() + " of " + r.attempts() + " attempts"
                + (r.cutOff() > 0 ? " (" + r.cutOff() + " still in flight at the end)" : ""));
        if (s.mode().timed()) {
            row(b, "served", r.served() + " of " + s.connections() + " connections completed an operation");
        }
        row(b, "errors", r.errorCount() == 0 ? "0" : r.errorCount() + ": " + errorList(r));
        row(b, "generator", String.format(Locale.ROOT, "%.0f%% CPU", r.generatorCpu()));
        return b.toString();
    }

    /** Lines a user must read: limits of this machine that capped the figure. */
    public static String warnings(LoadResult r) {
        StringBuilder b = new StringBuilder();
        if (r.errors(ErrorKind.FILES) > 0) {
            b.append("ran short of file descriptors ").append(r.errors(ErrorKind.FILES))
                    .append(" times (limit ").append(r.openFilesLimit() < 0 ? "unknown" : r.openFilesLimit())
                    .append("): raise the hard limit ('ulimit -Hn' as root, LimitNOFILE=, limits.conf; the JVM lifts its")
                    .append(" soft limit to the hard one by itself), or use fewer connections\n");
        }
        if (r.errors(ErrorKind.PORTS) > 0) {
            b.append("ran short of ephemeral ports ").append(r.errors(ErrorKind.PORTS))
                    .append(" times: widen net.ipv4.ip_local_port_range, or use fewer connections per second\n");
        }
        return b.toString();
    }

    /** Every field of the result as one JSON object on one line. */
    public static String json(LoadResult r) {
        LoadSpec s = r.spec();
        StringJoiner errs = new StringJoiner(", ", "{", "}");
        for (ErrorKind k : ErrorKind.values()) {
            errs.add(quote(k.label()) + ": " + r.errors(k));
        }
        StringJoiner j = new StringJoiner(", ", "{", "}");
        j.add("\"mode\": " + quote(s.mode().label()));
        j.add("\"host\": " + quote(Dialer.hostAddress(s.target().getAddress())));
        j.add("\"port\": " + s.target().getPort());
        j.add("\"connections\": " + s.connections());
        j.add("\"duration_s\": " + dec(s.duration().toMillis() / 1e3));
        j.add("\"warmup_s\": " + dec(s.warmup().toMillis() / 1e3));
        j.add("\"size\": " + s.size());
        j.add("\"expect\": " + (s.expect() == null ? "null" : quote(s.expect())));
        j.add("\"rate_offered\": " + dec(s.rate()));
        j.add("\"seconds\": " + dec(r.seconds()));
        j.add("\"unit\": " + quote(s.mode().unit()));
        j.add("\"rate\": " + dec(r.rate()));
        j.add("\"attempts\": " + r.attempts());
        j.add("\"completed\": " + r.completed());
        j.add("\"errors\": " + r.errorCount());
        j.add("\"cut_off\": " + r.cutOff());
        j.add("\"errors_by_kind\": " + errs);
        j.add("\"latency_us\": {\"p50\": " + dec(r.percentileMicros(50)) + ", \"p90\": " + dec(r.percentileMicros(90))
                + ", \"p99\": " + dec(r.percentileMicros(99)) + ", \"p99_9\": " + dec(r.percentileMicros(99.9))
                + ", \"max\": " + dec(r.maxMicros()) + "}");
        j.add("\"bytes_in\": " + r.bytesIn());
        j.add("\"bytes_out\": " + r.bytesOut());
        j.add("\"mb_per_s_out\": " + dec(s.mode() == Mode.STREAM ? r.rate() : r.seconds() > 0 ? r.bytesOut() / r.seconds() / 1e6 : 0));
        j.add("\"mb_per_s_in\": " + dec(r.mbPerSecondIn()));
        j.add("\"held\": " + r.held());
        j.add("\"peak\": " + r.peak());
        j.add("\"served\": " + r.served());
        j.add("\"generator_cpu_pct\": " + dec(r.generatorCpu()));
        j.add("\"open_files_limit\": " + r.openFilesLimit());
        return j.toString();
    }

    /** Errors as "refused 3, timeout 1", kinds with none left out. */
    public static String errorList(LoadResult r) {
        StringJoiner j = new StringJoiner(", ");
        for (ErrorKind k : ErrorKind.values()) {
            if (r.errors(k) > 0) {
                j.add(k.label() + " " + r.errors(k));
            }
        }
        return j.toString();
    }

    /** Microseconds as the unit a person reads best: 85us, 1.20ms, 2.50s. */
    public static String micros(double us) {
        if (us >= 1_000_000) {
            return String.format(Locale.ROOT, "%.2fs", us / 1e6);
        }
        if (us >= 1000) {
            return String.format(Locale.ROOT, "%.2fms", us / 1e3);
        }
        return String.format(Locale.ROOT, "%.0fus", us);
    }

    public static String num(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static void row(StringBuilder b, String key, String value) {
        b.append(String.format(Locale.ROOT, "%-10s %s%n", key, value));
    }

    private static String dec(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "null";
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
