package dev.switchboard.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Case 9 on the real process: SIGTERM while 100 echo callers are mid-transfer. Each caller
 * then finishes sending and reads to the end: it gets every byte back, or its connection was
 * cut at the grace deadline and the log says {@code outcome=shutdown} for it. The process
 * exits 0. (TcpServer's in-process version is GracefulStopUnderLoadTest.)
 */
@Timeout(120)
class GracefulStopIT {

    static final int CLIENTS = 100;
    static final int SIZE = 256 * 1024;
    static final int CHUNK = 16 * 1024;

    /** What one caller saw: its port, and whether every byte came back as sent. */
    record Outcome(int port, boolean whole) {
    }

    @Test
    void sigtermUnderLoadLosesNoByteAndExits0() throws Exception {
        stop(CLIENTS, "10", false);
    }

    /** Callers that never finish sending: cut at a one-second grace, each logged, exit 0 all the same. */
    @Test
    void callersStillTalkingAtTheGraceDeadlineAreCutAndLogged() throws Exception {
        stop(10, "1", true);
    }

    private static void stop(int clients, String grace, boolean stall) throws Exception {
        try (Server server = Server.start("serve", "echo", "--bind", "127.0.0.1", "--grace", grace);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            InetSocketAddress at = server.listening();
            CountDownLatch underWay = new CountDownLatch(clients);
            CountDownLatch signalled = new CountDownLatch(1);
            List<Future<Outcome>> outcomes = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int seed = i;
                outcomes.add(threads.submit(() -> caller(at, seed, underWay, signalled, threads, stall)));
            }
            assertThat(underWay.await(60, TimeUnit.SECONDS)).isTrue();
            long rss = server.peakRssKib();
            server.signal("TERM");
            signalled.countDown();
            int whole = 0;
            List<Integer> cut = new ArrayList<>();
            for (Future<Outcome> f : outcomes) {
                Outcome o = f.get();
                if (o.whole()) whole++;
                else cut.add(o.port());
            }
            assertThat(server.exitCode(Duration.ofSeconds(60))).isZero();
            List<String> log = server.allStderr();
            for (int port : cut) {
                assertThat(log).anySatisfy(l -> assertThat(l).contains(":" + port + " ", "outcome=shutdown"));
            }
            assertThat(log.stream().filter(l -> l.contains("event=close"))).hasSize(clients);
            assertThat(cut).hasSize(stall ? clients : 0);
            System.out.printf("graceful stop (--grace %s): %d callers, %d got every byte back, %d cut at the grace and logged;"
                    + " server peak RSS %d MiB%n", grace, clients, whole, cut.size(), rss >> 10);
        }
    }

    private static Outcome caller(InetSocketAddress at, int seed, CountDownLatch underWay, CountDownLatch signalled,
                                  ExecutorService threads, boolean stall) throws Exception {
        byte[] data = new byte[SIZE];
        new Random(seed).nextBytes(data);
        try (Socket s = new Socket()) {
            s.connect(at, 10_000);
            s.setSoTimeout(60_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            Future<byte[]> back = threads.submit(() -> {
                byte[] got = new byte[SIZE];
                int n = 0;
                try {
                    for (int r; n < SIZE && (r = in.read(got, n, SIZE - n)) > 0; ) n += r;
                } catch (IOException cut) {
                    // counted as short
                }
                return Arrays.copyOf(got, n);
            });
            try {
                out.write(data, 0, CHUNK);
                underWay.countDown();
                signalled.await();
                if (stall) return new Outcome(s.getLocalPort(), Arrays.equals(back.get(), data));
                for (int off = CHUNK; off < SIZE; off += CHUNK) out.write(data, off, CHUNK);
                s.shutdownOutput();
            } catch (IOException cut) {
                // the server cut us: the bytes returned say so
            } finally {
                underWay.countDown(); // count even if the first write failed, so the test goes on
            }
            return new Outcome(s.getLocalPort(), Arrays.equals(back.get(), data));
        }
    }
}
