package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.bench.TestServer.Behaviour;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ResultFormatTest {

    @Test
    @SuppressWarnings("unchecked")
    void theJsonParsesAndHasEveryField() throws Exception {
        LoadResult r;
        try (TestServer server = TestServer.start(Behaviour.GREET)) {
            r = LoadGenerator.run(new LoadSpec(server.address(), Mode.GREET, 2, Duration.ofMillis(500), Duration.ZERO,
                    0, "say \"hi\"\\", 0, Duration.ofSeconds(5), 1), null);
        }
        Map<String, Object> j = (Map<String, Object>) Json.parse(ResultFormat.json(r));
        assertThat(j).containsOnlyKeys("mode", "host", "port", "connections", "duration_s", "warmup_s", "size",
                "expect", "rate_offered", "seconds", "unit", "rate", "attempts", "completed", "errors", "cut_off",
                "errors_by_kind", "latency_us", "bytes_in", "bytes_out", "mb_per_s_out", "mb_per_s_in", "held",
                "peak", "served", "generator_cpu_pct", "open_files_limit");
        assertThat(j).containsEntry("mode", "greet").containsEntry("host", "127.0.0.1")
                .containsEntry("expect", "say \"hi\"\\").containsEntry("unit", "conn/s");
        assertThat(((Number) j.get("attempts")).longValue()).isEqualTo(r.attempts());
        assertThat(((Number) j.get("errors")).longValue()).isEqualTo(r.errorCount()).isEqualTo(r.attempts());
        Map<String, Object> kinds = (Map<String, Object>) j.get("errors_by_kind");
        assertThat(kinds).containsOnlyKeys(Arrays.stream(ErrorKind.values()).map(ErrorKind::label).toList());
        assertThat(((Number) kinds.get("mismatch")).longValue()).isEqualTo(r.errors(ErrorKind.MISMATCH)).isPositive();
        assertThat((Map<String, Object>) j.get("latency_us")).containsOnlyKeys("p50", "p90", "p99", "p99_9", "max");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theJsonWritesAnIpv6HostAsTheTableDoes() throws Exception {
        // Port 1 on ::1: nothing listens there, so the run is short and every connect refused.
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName("::1"), 1);
        LoadResult r = LoadGenerator.run(new LoadSpec(target, Mode.GREET, 1, Duration.ofMillis(100), Duration.ZERO,
                0, null, 0, Duration.ofSeconds(1), 1), null);
        Map<String, Object> j = (Map<String, Object>) Json.parse(ResultFormat.json(r));
        assertThat(j).containsEntry("host", "::1");
        assertThat(ResultFormat.table(r)).contains("[::1]:1");
    }

    @Test
    void tableShowsRateLatencyAndErrors() throws Exception {
        try (TestServer server = TestServer.start(Behaviour.GREET)) {
            LoadResult r = LoadGenerator.run(new LoadSpec(server.address(), Mode.GREET, 2, Duration.ofMillis(500),
                    Duration.ZERO, 0, null, 0, Duration.ofSeconds(5), 1), null);
            String table = ResultFormat.table(r);
            assertThat(table).contains("conn/s").contains("p99.9").contains("errors     0")
                    .contains(r.completed() + " of " + r.attempts() + " attempts");
        }
    }

    @Test
    void runningShortOfDescriptorsOrPortsIsSpelledOut() throws Exception {
        Tally t = new Tally();
        t.errors[ErrorKind.FILES.ordinal()] = 3;
        t.errors[ErrorKind.PORTS.ordinal()] = 2;
        t.attempts = 5;
        LoadSpec s = LoadSpec.of(TestServer.refusingAddress(), Mode.GREET, 1);
        String w = ResultFormat.warnings(LoadResult.of(s, 1, t, 1, 1024));
        assertThat(w).contains("file descriptors 3 times (limit 1024)").contains("ulimit -Hn")
                .contains("ephemeral ports 2 times");
    }

    @Test
    void microsecondsReadWell() {
        assertThat(ResultFormat.micros(85.4)).isEqualTo("85us");
        assertThat(ResultFormat.micros(1200)).isEqualTo("1.20ms");
        assertThat(ResultFormat.micros(2_500_000)).isEqualTo("2.50s");
    }

    @Test
    void errorKindsFollowTheSystemsWords() {
        assertThat(ErrorKind.of(new java.net.ConnectException("Connection refused"))).isEqualTo(ErrorKind.REFUSED);
        assertThat(ErrorKind.of(new java.net.SocketException("Connection reset"))).isEqualTo(ErrorKind.RESET);
        assertThat(ErrorKind.of(new java.io.IOException("Broken pipe"))).isEqualTo(ErrorKind.RESET);
        assertThat(ErrorKind.of(new java.io.IOException("Too many open files"))).isEqualTo(ErrorKind.FILES);
        assertThat(ErrorKind.of(new java.net.BindException("Cannot assign requested address"))).isEqualTo(ErrorKind.PORTS);
        assertThat(ErrorKind.of(new java.net.ConnectException("Connection timed out"))).isEqualTo(ErrorKind.TIMEOUT);
    }
}
