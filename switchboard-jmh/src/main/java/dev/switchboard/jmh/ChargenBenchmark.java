package dev.switchboard.jmh;

import dev.switchboard.service.Chargen;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Shows a regression in chargen's step between writes: each {@code drained} must hand out the
 * next ~62 KiB of lines as a view of one block computed once, never build or copy lines per
 * write (which would cost microseconds here instead of nanoseconds).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = Defaults.WARMUP_ITERATIONS, time = Defaults.SECONDS)
@Measurement(iterations = Defaults.MEASUREMENT_ITERATIONS, time = Defaults.SECONDS)
@Fork(1)
public class ChargenBenchmark {

    final Chargen chargen = new Chargen();
    final SentReply reply = new SentReply();

    /** The buffer for the next write, as a driver asks for it once the last one is written. */
    @Benchmark
    public ByteBuffer drained() {
        chargen.drained(reply.reset());
        return reply.sent(0);
    }
}
