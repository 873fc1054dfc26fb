package dev.switchboard.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.faults.Harness.Kind;
import dev.switchboard.faults.Harness.Model;
import dev.switchboard.server.ConnectionRecord;
import dev.switchboard.server.TcpServer;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Case 1: callers that reset (SO_LINGER 0) in the middle of a transfer, at every model, for
 * echo, exec and relay. Each reset leaves one record saying {@code reset}; the next caller's
 * bytes come back whole; nothing stays open.
 */
@Timeout(60)
class ResetFaultsTest {

    static final int RESETTERS = 4;

    private final Harness harness = new Harness();

    @AfterEach
    void stop() {
        harness.close();
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Model m : List.of(Model.SERIAL, Model.THREADS, Model.VIRTUAL)) {
            for (Kind k : List.of(Kind.ECHO, Kind.EXEC, Kind.RELAY)) all.add(Arguments.of(m, k));
        }
        all.add(Arguments.of(Model.FORK, Kind.EXEC)); // fork of the built-ins: ChildrenFaultsIT
        all.add(Arguments.of(Model.LOOP, Kind.ECHO));
        all.add(Arguments.of(Model.LOOP, Kind.RELAY)); // exec is blocking code: not on the loop
        return all.stream();
    }

    @ParameterizedTest(name = "{1} under {0}")
    @MethodSource("cases")
    void resetsMidTransferAreRecordedAndHarmNobodyElse(Model model, Kind kind) throws Exception {
        TcpServer server = harness.start(kind, model);
        List<Integer> resetPorts = new ArrayList<>();
        byte[] chunk = new byte[64 * 1024];
        new Random(1).nextBytes(chunk);
        for (int i = 0; i < RESETTERS; i++) {
            try (Socket s = new Socket()) {
                s.connect(server.localAddress(), 5000);
                s.setSoTimeout(10_000);
                resetPorts.add(s.getLocalPort());
                s.getOutputStream().write(chunk);
                // Some of it came back: the transfer is under way when the reset lands.
                assertThat(s.getInputStream().readNBytes(1024)).hasSize(1024);
                s.setSoLinger(true, 0);
            }
        }
        byte[] data = new byte[256 * 1024];
        new Random(2).nextBytes(data);
        assertThat(Harness.roundTrip(server.localAddress(), data)).isEqualTo(data);

        List<ConnectionRecord> resets = harness.await(r -> resetPorts.contains(port(r)), RESETTERS, Duration.ofSeconds(20));
        assertThat(resets).hasSize(RESETTERS)
                .allSatisfy(r -> assertThat(r.outcome()).as(r.toString()).isEqualTo("reset"));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (server.openConnections() > 0 && System.nanoTime() < deadline) Thread.sleep(20); // polling
        assertThat(server.openConnections()).isZero();
    }

    static int port(ConnectionRecord r) {
        return Integer.parseInt(r.remote().substring(r.remote().lastIndexOf(':') + 1));
    }
}
