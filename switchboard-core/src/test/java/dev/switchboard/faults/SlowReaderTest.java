package dev.switchboard.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.faults.Harness.Kind;
import dev.switchboard.faults.Harness.Model;
import dev.switchboard.server.ConnectionRecord;
import dev.switchboard.server.TcpServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Case 3: echo and relay callers that write as fast as the server takes it and never read.
 * Once the socket buffers are full the server stops reading too (it holds no more than a
 * buffer per connection), so its heap stays flat; the idle timeout ends each connection.
 */
@Timeout(60)
class SlowReaderTest {

    static final int READERS = 20;

    private final Harness harness = new Harness();
    private final List<SocketChannel> clients = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (SocketChannel c : clients) c.close();
        harness.close();
    }

    static Stream<Arguments> cases() {
        return Stream.of(Model.VIRTUAL, Model.LOOP)
                .flatMap(m -> Stream.of(Arguments.of(Kind.ECHO, m), Arguments.of(Kind.RELAY, m)));
    }

    @ParameterizedTest(name = "{0} under {1}")
    @MethodSource("cases")
    void callersThatNeverReadCostABufferAndEndByIdleTimeout(Kind kind, Model model) throws Exception {
        TcpServer server = harness.start(kind, model, b -> b.idleTimeout(Duration.ofSeconds(2)));
        long heapBefore = Harness.heapUsed();
        long written = 0;
        for (int i = 0; i < READERS; i++) {
            SocketChannel c = SocketChannel.open(server.localAddress());
            c.configureBlocking(false);
            clients.add(c);
        }
        // Write until every connection has stopped taking bytes for half a second. On a busy
        // machine that can take longer than the idle timeout: a connection that stalled first
        // is then reset by it (its record says so below), and is no longer written to.
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        List<SocketChannel> writing = new ArrayList<>(clients);
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < Duration.ofMillis(500).toNanos()) {
            for (Iterator<SocketChannel> it = writing.iterator(); it.hasNext(); ) {
                SocketChannel c = it.next();
                chunk.clear();
                int n;
                try {
                    n = c.write(chunk);
                } catch (IOException resetByIdleTimeout) {
                    it.remove();
                    continue;
                }
                if (n > 0) {
                    written += n;
                    quietSince = System.nanoTime();
                }
            }
        }
        long heapStuck = Harness.heapUsed();
        List<ConnectionRecord> ended = harness.await(r -> "idle-timeout".equals(r.outcome()), READERS,
                Duration.ofSeconds(15));
        assertThat(ended).hasSize(READERS);
        long grew = heapStuck - heapBefore;
        System.out.printf("slow readers (%s, %s): %d callers wrote %d KiB and stalled; heap grew %d KiB%n",
                kind, model, READERS, written / 1024, grew / 1024);
        // The bytes sit in kernel buffers, not in our heap: far less than what was written.
        assertThat(grew).isLessThan(Math.max(16L << 20, written / 4));
    }
}
