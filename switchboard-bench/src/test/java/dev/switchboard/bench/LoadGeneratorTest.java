package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.bench.TestServer.Behaviour;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LoadGeneratorTest {

    private static LoadSpec spec(InetSocketAddress target, Mode mode, int connections, String expect, double rate,
                                 Duration timeout) {
        return new LoadSpec(target, mode, connections, Duration.ofMillis(1000), Duration.ofMillis(200),
                mode == Mode.ECHO ? 64 : 0, expect, rate, timeout, 1);
    }

    /** Runs the load and checks that it kept to its time: warm-up + duration, plus a little. */
    private static LoadResult runBounded(LoadSpec spec) throws InterruptedException {
        long t0 = System.nanoTime();
        LoadResult r = LoadGenerator.run(spec, null);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).as("run time in ms").isLessThan(spec.warmup().plus(spec.duration()).toMillis() + 1500);
        assertThat(r.completed() + r.errorCount()).as("completed + errors").isEqualTo(r.attempts());
        return r;
    }

    @Test
    void greetCountsAddUpAndLatencyIsRecordedPerConnection() throws Exception {
        try (TestServer server = TestServer.start(Behaviour.GREET)) {
            LoadResult r = runBounded(spec(server.address(), Mode.GREET, 4, "Hello, person from", 0, Duration.ofSeconds(5)));
            assertThat(r.completed()).isPositive();
            assertThat(r.errorCount()).isZero();
            assertThat(r.latency().getTotalCount()).isEqualTo(r.completed());
            assertThat(r.bytesIn()).isGreaterThanOrEqualTo(r.completed() * "Hello, person from 127.0.0.1:1\n".length());
            assertThat(r.succeeded()).isTrue();
            assertThat(r.seconds()).isBetween(0.9, 1.1);
        }
    }

    @Test
    void greetRepliesWithoutTheExpectedTextAreMismatches() throws Exception {
        try (TestServer server = TestServer.start(Behaviour.GREET)) {
            LoadResult r = runBounded(spec(server.address(), Mode.GREET, 2, "Goodbye", 0, Duration.ofSeconds(5)));
            assertThat(r.completed()).isZero();
            assertThat(r.errors(ErrorKind.MISMATCH)).isPositive().isEqualTo(r.attempts());
            assertThat(r.succeeded()).isFalse();
        }
    }

    @Test
    void aPortNobodyListensOnCountsRefusals() throws Exception {
        LoadResult r = runBounded(spec(TestServer.refusingAddress(), Mode.GREET, 2, null, 0, Duration.ofSeconds(5)));
        assertThat(r.completed()).isZero();
        assertThat(r.errors(ErrorKind.REFUSED)).isPositive().isEqualTo(r.errorCount());
        assertThat(r.succeeded()).isFalse();
    }

    @Test
    void aServerThatResetsCountsResets() throws Exception {
        try (TestServer server = TestServer.start(Behaviour.RESET)) {
            LoadResult r = runBounded(spec(server.address(), Mode.GREET, 2, null, 0, Duration.ofSeconds(5)));
            assertThat(r.completed()).isZero();
            assertThat(r.errors(ErrorKind.RESET)).isPositive();
            assertThat(r.succeeded()).isFalse();
        }
    }

    @Test
    void aServerThatNeverAnswersCountsTimeoutsAndStillStopsOnTime() throws Exception {
        try (TestServer server = TestServer.start(Behaviour.SILENT)) {
            LoadResult r = runBounded(spec(server.address(), Mode.GREET, 2, null, 0, Duration.ofMillis(200)));
            assertThat(r.completed()).isZero();
            assertThat(r.errors(ErrorKind.TIMEOUT)).isPositive().isEqualTo(r.errorCount());
            assertThat(r.succeeded()).isFalse();
        }
    }

    @Test
    void echoRoundTripsGetExactlyTheirBytesBack() throws Exception {
        try (TestServer server = TestServer.start(Behaviour.ECHO)) {
            LoadResult r = runBounded(spec(server.address(), Mode.ECHO, 4, null, 0, Duration.ofSeconds(5)));
            assertThat(r.completed()).isPositive();
            assertThat(r.errorCount()).isZero();
            assertThat(r.bytesIn()).isEqualTo(r.completed() * 64).isEqualTo(r.bytesOut());
            assertThat(r.served()).isEqualTo(4);
        }
    }

    @Test
    void connectionsLeftInTheBacklogOfASerialServerTimeOut() throws Exception {
        try (TestServer server = TestServer.start(Behaviour.SERIAL_ECHO)) {
            // Three connections, one served: the two others wait from the warm-up on and must
            // show up as timeouts, not vanish because their first send began before the window.
            LoadResult r = runBounded(spec(server.address(), Mode.ECHO, 3, null, 0, Duration.ofMillis(600)));
            assertThat(r.completed()).isPositive();
            assertThat(r.errors(ErrorKind.TIMEOUT)).isGreaterThanOrEqualTo(2);
            assertThat(r.served()).isEqualTo(1);
        }
    }

    @Test
    void echoedBytesThatDifferAreMismatches() throws Exception {
        try (TestServer server = TestServer.start(Behaviour.CORRUPT_ECHO)) {
            LoadResult r = runBounded(spec(server.address(), Mode.ECHO, 2, null, 0, Duration.ofSeconds(5)));
            assertThat(r.completed()).isZero();
            assertThat(r.errors(ErrorKind.MISMATCH)).isPositive();
        }
    }

    @Test
    void anOpenLoopStartsOperationsAtTheOfferedRate() throws Exception {
        try (TestServer server = TestServer.start(Behaviour.ECHO)) {
            LoadResult r = runBounded(spec(server.address(), Mode.ECHO, 4, null, 100, Duration.ofSeconds(5)));
            // 100/s over one measured second: about 100 operations, never more than were offered.
            assertThat(r.attempts() + r.cutOff()).isBetween(50L, 102L);
            assertThat(r.errorCount()).isZero();
        }
    }

    @Test
    void anOpenLoopSurvivesConnectionsThatBreakWhileIdle() throws Exception {
        try (TestServer server = TestServer.start(Behaviour.ECHO_ONCE)) {
            // Every connection is closed after one round trip, so idle connections keep breaking
            // and reconnecting underneath the arrivals.
            LoadResult r = runBounded(spec(server.address(), Mode.ECHO, 3, null, 200, Duration.ofSeconds(5)));
            assertThat(r.completed()).isPositive();
        }
    }

    @Test
    void streamWritesAndReadsBack() throws Exception {
        try (TestServer server = TestServer.start(Behaviour.ECHO)) {
            LoadResult r = runBounded(spec(server.address(), Mode.STREAM, 2, null, 0, Duration.ofSeconds(5)));
            assertThat(r.bytesOut()).isPositive();
            assertThat(r.bytesIn()).isPositive();
            assertThat(r.completed()).isEqualTo(2);
            assertThat(r.rate()).isPositive();
        }
    }

    @Test
    void holdKeepsEveryConnectionOpenAndVerifiesTheProbe() throws Exception {
        try (TestServer server = TestServer.start(Behaviour.ECHO)) {
            LoadSpec s = new LoadSpec(server.address(), Mode.HOLD, 50, Duration.ofMillis(1000), Duration.ZERO, 1,
                    null, 0, Duration.ofSeconds(5), 1);
            LoadResult r = runBounded(s);
            assertThat(r.held()).isEqualTo(50);
            assertThat(r.peak()).isEqualTo(50);
            assertThat(r.rate()).isEqualTo(50);
        }
    }

    @Test
    void holdAgainstAServerThatClosesHoldsNothing() throws Exception {
        try (TestServer server = TestServer.start(Behaviour.GREET)) {
            LoadSpec s = new LoadSpec(server.address(), Mode.HOLD, 10, Duration.ofMillis(500), Duration.ZERO, 0,
                    null, 0, Duration.ofSeconds(5), 1);
            LoadResult r = runBounded(s);
            assertThat(r.held()).isZero();
            assertThat(r.errors(ErrorKind.CLOSED)).isEqualTo(10);
            assertThat(r.succeeded()).isFalse();
        }
    }

    @Test
    void twoThreadsShareTheConnections() throws Exception {
        try (TestServer server = TestServer.start(Behaviour.ECHO)) {
            LoadSpec s = new LoadSpec(server.address(), Mode.ECHO, 4, Duration.ofMillis(500), Duration.ZERO, 16,
                    null, 0, Duration.ofSeconds(5), 2);
            LoadResult r = runBounded(s);
            assertThat(r.completed()).isPositive();
            assertThat(r.errorCount()).isZero();
        }
    }
}
