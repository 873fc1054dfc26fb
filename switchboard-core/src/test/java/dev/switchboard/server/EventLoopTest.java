package dev.switchboard.server;

import static dev.switchboard.server.TestHandlers.ECHO;
import static dev.switchboard.server.TestHandlers.connect;
import static dev.switchboard.server.TestHandlers.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.model.EventLoop;
import dev.switchboard.service.Chargen;
import dev.switchboard.service.Protocol;
import dev.switchboard.service.ProtocolHandler;
import dev.switchboard.service.Reply;
import dev.switchboard.service.Service;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What only the event-loop model has to prove: no blocking code, fairness, backpressure, its threads. */
@Timeout(30)
class EventLoopTest {

    private final List<TcpServer> servers = new ArrayList<>();
    private final RecordingListener records = new RecordingListener();

    private TcpServer start(EventLoop model, ProtocolHandler handler) throws IOException {
        TcpServer s = TcpServer.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .model(model).handler(handler).listener(records).build().start();
        servers.add(s);
        return s;
    }

    @AfterEach
    void stop() {
        servers.forEach(TcpServer::closeNow);
    }

    @Test
    void refusesBlockingHandlers() {
        assertThatThrownBy(() -> TcpServer.builder().model(new EventLoop()).handler(ECHO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blocking code");
    }

    @Test
    void aReaderThatStopsReadingStallsOnlyItsOwnChargenWhileTheLoopServesOthers() throws Exception {
        // One loop, so the stalled connection and the healthy one share the selector thread.
        TcpServer server = start(new EventLoop(1), new ProtocolHandler(Service.CHARGEN.factory(Service.Options.DEFAULTS)));
        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(server.localAddress());
            assertThat(stalled.getInputStream().read()).isEqualTo(' '); // served, then never read again
            try (Socket reader = connect(server.localAddress())) {
                byte[] got = reader.getInputStream().readNBytes(1 << 20);
                assertThat(got).hasSize(1 << 20);
                int line = Chargen.LINE_LENGTH + 2;
                for (int at = 0; at + line <= got.length; at += line * 997) {
                    int n = at / line;
                    assertThat((char) got[at]).isEqualTo((char) (' ' + n % Chargen.CHARACTERS));
                    assertThat(new String(got, at + Chargen.LINE_LENGTH, 2, StandardCharsets.US_ASCII)).isEqualTo("\r\n");
                }
            }
        }
        // The stalled caller was sent what the kernel's buffers hold, not an ever-growing queue.
        ConnectionRecord stalledRecord = records.await(r -> r.id() == 1);
        assertThat(stalledRecord.out()).isLessThan(32L << 20);
        assertThat(stalledRecord.outcome()).isIn("ok", "reset");
    }

    @Test
    void aProtocolThatThrowsEndsOnlyItsConnection() throws Exception {
        AtomicInteger made = new AtomicInteger();
        ProtocolHandler handler = new ProtocolHandler(c -> made.incrementAndGet() == 1 ? new Broken()
                : Service.GREET.create(Service.Options.DEFAULTS, c.local(), c.remote()));
        TcpServer server = start(new EventLoop(1), handler);
        try (Socket s = connect(server.localAddress())) {
            s.getOutputStream().write('x');
            assertThat(readAll(s.getInputStream())).isEmpty();
        } catch (IOException reset) {
            // a reset is as good as an EOF here: the point is the next caller
        }
        try (Socket s = connect(server.localAddress())) {
            assertThat(new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII)).startsWith("Hello, person from");
        }
        ConnectionRecord failed = records.await(r -> r.id() == 1);
        assertThat(failed.outcome()).isEqualTo("error=IllegalStateException");
        assertThat(failed.model()).isEqualTo("loop");
    }

    @Test
    void aCallerThatSpeaksFirstStillGetsTheWholeGreeting() throws Exception {
        TcpServer server = start(new EventLoop(1), new ProtocolHandler(Service.GREET.factory(Service.Options.DEFAULTS)));
        for (int i = 0; i < 20; i++) {
            try (Socket s = connect(server.localAddress())) {
                s.getOutputStream().write("a request nobody asked for\n".repeat(100).getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                assertThat(new String(readAll(in), StandardCharsets.US_ASCII))
                        .isEqualTo("Hello, person from 127.0.0.1:" + s.getLocalPort() + "\n");
            }
        }
    }

    @Test
    void theLoopThreadsEndWithTheServer() throws Exception {
        TcpServer server = start(new EventLoop(2), new ProtocolHandler(Service.GREET.factory(Service.Options.DEFAULTS)));
        try (Socket s = connect(server.localAddress())) {
            assertThat(readAll(s.getInputStream())).isNotEmpty();
        }
        assertThat(loopThreads()).isPositive();
        server.close();
        assertThat(loopThreads()).isZero();
    }

    @Test
    void theLoopsAcceptTheirCallersThemselvesWithNoAcceptThread() throws Exception {
        List<String> servedOn = new java.util.concurrent.CopyOnWriteArrayList<>();
        ProtocolHandler whoServes = new ProtocolHandler(c -> new Protocol() {
            @Override
            public void opened(Reply reply) {
                servedOn.add(Thread.currentThread().getName());
                reply.send(ByteBuffer.wrap(new byte[] {'!'}));
                reply.close();
            }

            @Override
            public void received(ByteBuffer data, Reply reply) {
            }
        });
        TcpServer server = start(new EventLoop(2), whoServes);
        for (int i = 0; i < 20; i++) {
            try (Socket s = connect(server.localAddress())) {
                assertThat(readAll(s.getInputStream())).containsExactly('!');
            }
        }
        assertThat(servedOn).hasSize(20).allMatch(name -> name.startsWith("loop-"));
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(
                t -> t.getName().equals("accept-" + server.localAddress().getPort()));
        assertThat(records.await(r -> records.ended.size() == 20)).isNotNull();
        assertThat(records.ended).allMatch(r -> r.outcome().equals("ok"));
    }

    private static long loopThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("loop-") && t.isAlive()).count();
    }

    /** A protocol with a bug: it throws on the first bytes it gets. */
    private static final class Broken implements Protocol {
        @Override
        public void opened(Reply reply) {
        }

        @Override
        public void received(ByteBuffer data, Reply reply) {
            throw new IllegalStateException("a bug in the protocol");
        }
    }
}
