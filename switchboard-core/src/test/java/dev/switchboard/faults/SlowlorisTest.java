package dev.switchboard.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.faults.Harness.Kind;
import dev.switchboard.faults.Harness.Model;
import dev.switchboard.server.ConnectionRecord;
import dev.switchboard.server.TcpServer;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Case 2: thousands of callers that connect and send nothing, against a 2 s idle timeout. While
 * they sit there a well-behaved caller is answered (the idle ones are all still open when its
 * echo comes back); then every idle one is closed by the timeout, each with its own record.
 * {@code -Dfaults.slowloris=N} sets the count (default 2,000).
 */
@Timeout(90)
class SlowlorisTest {

    static final int CALLERS = Integer.getInteger("faults.slowloris", 2000);

    private final Harness harness = new Harness();
    private final List<Socket> idle = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Socket s : idle) s.close();
        harness.close();
    }

    @Test
    void silentCallersAreClosedByTheIdleTimeoutAndOthersStillServed() throws Exception {
        TcpServer server = harness.start(Kind.ECHO, Model.VIRTUAL,
                b -> b.idleTimeout(Duration.ofSeconds(2)).maxConnections(CALLERS + 100));
        long start = System.nanoTime();
        for (int i = 0; i < CALLERS; i++) {
            Socket s = new Socket();
            s.connect(server.localAddress(), 5000);
            idle.add(s);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (harness.live.get() < CALLERS && System.nanoTime() < deadline) Thread.sleep(10); // polling
        assertThat(harness.live.get()).isEqualTo(CALLERS);

        byte[] data = new byte[4096];
        new Random(3).nextBytes(data);
        assertThat(Harness.roundTrip(server.localAddress(), data)).isEqualTo(data);
        // Answered while the silent ones still held their connections (none timed out yet).
        assertThat(harness.ended.stream().filter(r -> "idle-timeout".equals(r.outcome()))).isEmpty();

        for (Socket s : idle) {
            s.setSoTimeout(15_000);
            assertThat(endOfStream(s)).isTrue();
        }
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        List<ConnectionRecord> timedOut = harness.await(r -> "idle-timeout".equals(r.outcome()), CALLERS,
                Duration.ofSeconds(10));
        assertThat(timedOut).hasSize(CALLERS).allSatisfy(r -> assertThat(r.ms()).isGreaterThanOrEqualTo(1900));
        System.out.printf("slowloris: %d silent callers closed by a 2 s idle timeout within %d s%n", CALLERS, seconds);
    }

    /** True when the server closed (EOF or reset) rather than the wait timing out. */
    private static boolean endOfStream(Socket s) throws IOException {
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketException reset) {
            return true;
        }
    }
}
