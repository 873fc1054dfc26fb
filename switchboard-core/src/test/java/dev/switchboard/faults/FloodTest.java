package dev.switchboard.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.faults.Harness.Kind;
import dev.switchboard.faults.Harness.Model;
import dev.switchboard.server.TcpServer;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Case 4: ten times {@code maxConnections} callers at once. The limit holds (never more open
 * than allowed), every caller is either served whole or refused cleanly (an exception on
 * its side, never a wrong byte), nothing fails on the server, and afterwards the server opens
 * its full quota of connections at once again.
 */
@Timeout(60)
class FloodTest {

    static final int LIMIT = 8;
    static final int CALLERS = 10 * LIMIT;

    private final Harness harness = new Harness();

    @AfterEach
    void stop() {
        harness.close();
    }

    @ParameterizedTest
    @EnumSource(value = Model.class, names = {"THREADS", "VIRTUAL", "LOOP"})
    void theLimitHoldsAndTheServerRecovers(Model model) throws Exception {
        TcpServer server = harness.start(Kind.ECHO, model, b -> b.maxConnections(LIMIT));
        int served = 0, refused = 0;
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < CALLERS; i++) {
                int seed = i;
                results.add(callers.submit(() -> {
                    byte[] data = new byte[32 * 1024];
                    new Random(seed).nextBytes(data);
                    try {
                        byte[] back = Harness.roundTrip(server.localAddress(), data);
                        if (!Arrays.equals(back, data)) throw new AssertionError("caller " + seed + " got wrong bytes");
                        return true;
                    } catch (IOException refusedCleanly) {
                        return false;
                    }
                }));
            }
            for (Future<Boolean> r : results) {
                if (r.get()) served++;
                else refused++;
            }
        }
        assertThat(harness.peak.get()).isLessThanOrEqualTo(LIMIT);
        assertThat(served + refused).isEqualTo(CALLERS);
        assertThat(served).as("with a backlog of 4096 everyone waits rather than fails").isEqualTo(CALLERS);
        assertThat(harness.ended).noneSatisfy(r -> assertThat(r.outcome()).startsWith("error"));

        // Full capacity again: LIMIT callers held open at the same time, all answered.
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < LIMIT; i++) {
                Socket s = new Socket();
                held.add(s);
                s.connect(server.localAddress(), 5000);
                s.setSoTimeout(10_000);
                s.getOutputStream().write(i);
                assertThat(s.getInputStream().read()).isEqualTo(i);
            }
            assertThat(harness.live.get()).isEqualTo(LIMIT);
        } finally {
            for (Socket s : held) s.close();
        }
        System.out.printf("flood (%s): %d callers against --max-connections %d: %d served, peak open %d%n",
                model, CALLERS, LIMIT, served, harness.peak.get());
    }
}
