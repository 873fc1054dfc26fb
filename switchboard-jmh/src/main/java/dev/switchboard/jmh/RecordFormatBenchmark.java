package dev.switchboard.jmh;

import dev.switchboard.server.ConnectionRecord;
import dev.switchboard.server.RecordFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Shows a regression in writing a connection's close record as one log line, {@code key=value}
 * or JSON: a served connection behind a proxy (the {@code via} field), every value checked for
 * escaping as caller-supplied text is.
 */
public class RecordFormatBenchmark extends HotPathBenchmark {

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
