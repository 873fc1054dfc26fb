package dev.switchboard.jmh;

import dev.switchboard.server.ConnectionRecord;
import dev.switchboard.server.RecordFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Shows a regression in writing a connection's close record as one log line, {@code key=value}
 * or JSON: a served connection behind a proxy (the {@code via} field), every value checked for
 * escaping as caller-supplied text is.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = Defaults.WARMUP_ITERATIONS, time = Defaults.SECONDS)
@Measurement(iterations = Defaults.MEASUREMENT_ITERATIONS, time = Defaults.SECONDS)
@Fork(1)
public class RecordFormatBenchmark {

    @Param({"KV", "JSON"})
    public RecordFormat format;

    ConnectionRecord record;

    @Setup
    public void setup() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("via", "127.0.0.1:40312");
        record = new ConnectionRecord("close", 1234, "198.51.100.33:51234", "192.0.2.1:7000", "echo", "loop",
                6400, 6400, 12, "ok", fields);
    }

    @Benchmark
    public String line() {
        return format.format(record);
    }
}
