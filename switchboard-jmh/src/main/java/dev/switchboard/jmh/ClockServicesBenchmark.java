package dev.switchboard.jmh;

import dev.switchboard.service.Daytime;
import dev.switchboard.service.Time;
import java.nio.ByteBuffer;
import java.time.Clock;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * Shows a regression in the answer daytime and time make per connection: daytime formats the
 * clock as an RFC 1123 line (the formatter is the cost), time packs 32 bits; both as a driver
 * receives them from {@code opened}, a fresh protocol each, as the factory makes them.
 */
public class ClockServicesBenchmark extends HotPathBenchmark {

    /** The wall clock, as the server reads it; the test sets a fixed one. */
    Clock clock = Clock.systemUTC();
    final SentReply reply = new SentReply();

    @Benchmark
    public ByteBuffer daytime() {
        new Daytime(clock).opened(reply.reset());
        return reply.sent(0);
    }

    @Benchmark
    public ByteBuffer time() {
        new Time(clock).opened(reply.reset());
        return reply.sent(0);
    }
}
