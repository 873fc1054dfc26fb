package dev.switchboard.jmh;

import dev.switchboard.service.Chargen;
import java.nio.ByteBuffer;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * Shows a regression in chargen's step between writes: each {@code drained} must hand out the
 * next ~62 KiB of lines as a view of one block computed once, never build or copy lines per
 * write (which would cost microseconds here instead of nanoseconds).
 */
public class ChargenBenchmark extends HotPathBenchmark {

    final Chargen chargen = new Chargen();
    final SentReply reply = new SentReply();

    /** The buffer for the next write, as a driver asks for it once the last one is written. */
    @Benchmark
    public ByteBuffer drained() {
        chargen.drained(reply.reset());
        return reply.sent(0);
    }
}
