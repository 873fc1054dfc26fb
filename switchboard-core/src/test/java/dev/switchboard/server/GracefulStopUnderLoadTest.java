package dev.switchboard.server;

import static dev.switchboard.server.TestHandlers.ECHO;
import static dev.switchboard.server.TestHandlers.connect;
import static dev.switchboard.server.TestHandlers.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
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

/** A graceful stop while 100 echo clients are mid-transfer: every byte of each comes back. */
@Timeout(60)
class GracefulStopUnderLoadTest {

    private static final int CLIENTS = 100;
    private static final int SIZE = 64 * 1024;

    @Test
    void everyClientGetsEveryByteBack() throws Exception {
        RecordingListener records = new RecordingListener();
        TcpServer server = TcpServer.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .backlog(CLIENTS).handler(ECHO).listener(records).grace(Duration.ofSeconds(30)).build().start();
        CountDownLatch halfway = new CountDownLatch(CLIENTS);
        CountDownLatch stopping = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                byte[] data = new byte[SIZE];
                new Random(i).nextBytes(data);
                results.add(pool.submit(() -> transfer(server.localAddress(), data, halfway, stopping)));
            }
            assertThat(halfway.await(30, TimeUnit.SECONDS)).isTrue();
            Thread stopper = Thread.ofVirtual().start(server::close);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (accepts(server.localAddress()) && System.nanoTime() < deadline) {
                Thread.sleep(10); // polling a deadline: the stop has begun once callers are refused
            }
            assertThat(accepts(server.localAddress())).isFalse();
            stopping.countDown();
            for (Future<Boolean> r : results) {
                assertThat(r.get(30, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(stopper.join(Duration.ofSeconds(30))).isTrue();
        }
        // (A probe of ours may have been accepted just before the stop: it moved no byte.)
        assertThat(records.ended).filteredOn(r -> r.in() > 0).hasSize(CLIENTS)
                .allMatch(r -> r.outcome().equals("ok") && r.in() == SIZE && r.out() == SIZE);
    }

    private static boolean transfer(InetSocketAddress at, byte[] data, CountDownLatch halfway, CountDownLatch stopping)
            throws IOException, InterruptedException {
        try (Socket s = connect(at)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            int half = data.length / 2;
            out.write(data, 0, half);
            byte[] first = in.readNBytes(half);
            halfway.countDown();
            stopping.await();
            out.write(data, half, data.length - half);
            s.shutdownOutput();
            byte[] rest = readAll(in);
            return Arrays.equals(first, Arrays.copyOf(data, half))
                    && Arrays.equals(rest, Arrays.copyOfRange(data, half, data.length));
        }
    }

    private static boolean accepts(InetSocketAddress at) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", at.getPort()), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
