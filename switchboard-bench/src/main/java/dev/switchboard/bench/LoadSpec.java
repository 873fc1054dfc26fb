package dev.switchboard.bench;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * One load run, fully described: where, which mode, how many connections, for how long.
 *
 * @param target      the server's address
 * @param mode        what each connection does
 * @param connections greet: connections in flight; echo, stream: persistent connections;
 *                    hold: connections to open and keep
 * @param duration    how long to measure; the run always stops after warmup + duration
 * @param warmup      how long to run before measuring (ignored by hold)
 * @param size        echo: message size; hold: probe size echoed once (0: no probe)
 * @param expect      greet: text each reply must contain, or null
 * @param rate        open-loop arrivals per second (greet, echo), or 0 for closed loop
 * @param timeout     how long one connect or operation may take before it counts as timed out
 * @param threads     selector threads sharing the connections
 */
public record LoadSpec(InetSocketAddress target, Mode mode, int connections, Duration duration,
                       Duration warmup, int size, String expect, double rate, Duration timeout,
                       int threads) {

    /** Greet and stream writes go in chunks of this size; reads use one buffer of it. */
    public static final int CHUNK = 64 * 1024;

    /** Hold opens at most this many connections at once while ramping up. */
    public static final int HOLD_RAMP = 256;

    public LoadSpec {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(timeout, "timeout");
        require(connections >= 1, "connections must be at least 1");
        require(duration.isPositive(), "the duration must be positive");
        require(!warmup.isNegative(), "the warm-up must not be negative");
        require(timeout.isPositive(), "the timeout must be positive");
        require(size >= 0 && size <= 16 << 20, "the size must be between 0 and 16 MiB");
        require(mode != Mode.ECHO || size >= 1, "echo needs a size of at least 1 byte");
        require(rate >= 0 && Double.isFinite(rate), "the rate must be a positive number per second");
        require(rate == 0 || mode.timed(), "--rate applies to greet and echo only");
        require(expect == null || mode == Mode.GREET, "--expect applies to greet only");
        require(threads >= 1 && threads <= 64, "threads must be between 1 and 64");
        if (mode == Mode.HOLD) {
            warmup = Duration.ZERO;
        }
    }

    /** A spec with the usual defaults for the mode: 10 s after 2 s of warm-up, 5 s timeout. */
    public static LoadSpec of(InetSocketAddress target, Mode mode, int connections) {
        return new LoadSpec(target, mode, connections, Duration.ofSeconds(10), Duration.ofSeconds(2),
                mode == Mode.ECHO ? 64 : 0, null, 0, Duration.ofSeconds(5), 1);
    }

    public LoadSpec withDuration(Duration d, Duration w) {
        return new LoadSpec(target, mode, connections, d, w, size, expect, rate, timeout, threads);
    }

    public LoadSpec withTarget(InetSocketAddress t) {
        return new LoadSpec(t, mode, connections, duration, warmup, size, expect, rate, timeout, threads);
    }

    byte[] expectBytes() {
        return expect == null ? null : expect.getBytes(StandardCharsets.UTF_8);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
