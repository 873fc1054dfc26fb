package dev.switchboard.server;

import static dev.switchboard.server.TestHandlers.connect;
import static dev.switchboard.server.TestHandlers.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.model.EventLoop;
import dev.switchboard.proxy.ProxyHeader;
import dev.switchboard.proxy.ProxyHeaderWriter;
import dev.switchboard.proxy.ProxyPolicy;
import dev.switchboard.service.ProtocolHandler;
import dev.switchboard.service.Service;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code proxy(...)} on the event loop, where the header is read without blocking: the
 * header's caller is the caller everywhere (service, records, rules, per-address limit), the
 * deadline and the refusals end a connection with the same reasons as on a blocking model
 * (those are {@link ProxiedServerTest} and the fault suite's {@code ProxyFaultsTest}), and
 * the bytes after the header reach the service.
 */
@Timeout(30)
class ProxiedEventLoopTest {

    private static final InetSocketAddress CALLER = new InetSocketAddress("203.0.113.7", 40001);
    private static final ProtocolHandler GREET = new ProtocolHandler(Service.GREET.factory(Service.Options.DEFAULTS));
    private static final ProtocolHandler ECHO = new ProtocolHandler(Service.ECHO.factory(Service.Options.DEFAULTS));
    private final RecordingListener records = new RecordingListener();
    private TcpServer server;

    private void start(TcpServerBuilder b) throws IOException {
        server = b.address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).listener(records)
                .model(new EventLoop(1)).proxy(ProxyPolicy.defaults().withTimeout(Duration.ofMillis(500)))
                .service("test").build().start();
    }

    @AfterEach
    void stop() {
        if (server != null) server.closeNow();
    }

    private String callAs(InetSocketAddress source, int version, String data) throws IOException {
        try (Socket s = connect(server.localAddress())) {
            byte[] header = version == 1 ? ProxyHeaderWriter.v1(source, server.localAddress())
                    : ProxyHeaderWriter.v2(source, server.localAddress());
            s.getOutputStream().write(header);
            s.getOutputStream().write(data.getBytes());
            s.shutdownOutput();
            try {
                return new String(readAll(s.getInputStream()));
            } catch (IOException reset) {
                return "";
            }
        }
    }

    @Test
    void theHeadersSourceIsTheRemoteInTheServiceAndTheRecords() throws Exception {
        start(TcpServer.builder().handler(GREET));
        assertThat(callAs(CALLER, 2, "")).isEqualTo("Hello, person from 203.0.113.7:40001\n");
        ConnectionRecord r = records.await(x -> true);
        assertThat(r.remote()).isEqualTo("203.0.113.7:40001");
        assertThat(r.model()).isEqualTo("loop");
        assertThat(r.outcome()).isEqualTo("ok");
        assertThat(r.fields().get("via")).startsWith("127.0.0.1:");
        assertThat(records.opened).singleElement().extracting(ConnectionRecord::remote).isEqualTo("203.0.113.7:40001");
    }

    @Test
    void theBytesAfterTheHeaderReachTheServiceInOnePiece() throws Exception {
        start(TcpServer.builder().handler(ECHO));
        // Header and data in one write: the header reader must not take a byte of the data.
        try (Socket s = connect(server.localAddress())) {
            byte[] header = ProxyHeaderWriter.v1(CALLER, server.localAddress());
            byte[] both = new byte[header.length + 5];
            System.arraycopy(header, 0, both, 0, header.length);
            System.arraycopy("hello".getBytes(), 0, both, header.length, 5);
            s.getOutputStream().write(both);
            s.shutdownOutput();
            assertThat(new String(readAll(s.getInputStream()))).isEqualTo("hello");
        }
        assertThat(records.await(x -> true).in()).isEqualTo(5);
    }

    @Test
    void accessRulesJudgeTheProxiedCallerNotTheProxy() throws Exception {
        start(TcpServer.builder().handler(GREET).rules(AccessRules.parse(List.of(), List.of("203.0.113.0/24"))));
        assertThat(callAs(CALLER, 1, "")).isEmpty();
        assertThat(callAs(new InetSocketAddress("198.51.100.1", 5), 1, "")).isEqualTo("Hello, person from 198.51.100.1:5\n");
        assertThat(records.await(x -> x.remote().startsWith("203.")).outcome()).isEqualTo("denied");
    }

    @Test
    void thePerAddressLimitCountsTheProxiedCaller() throws Exception {
        start(TcpServer.builder().handler(ECHO).maxPerIp(1));
        try (Socket holder = connect(server.localAddress())) {
            holder.getOutputStream().write(ProxyHeaderWriter.v2(new InetSocketAddress("203.0.113.7", 1), server.localAddress()));
            // the same proxied caller again: over the limit; another caller through the same proxy: fine
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            String second;
            do {
                second = callAs(new InetSocketAddress("203.0.113.7", 2), 2, "x");
            } while (!second.isEmpty() && System.nanoTime() < deadline); // until the holder's header is read
            assertThat(second).isEmpty();
            assertThat(callAs(new InetSocketAddress("198.51.100.1", 3), 2, "y")).isEqualTo("y");
        }
        assertThat(records.await(x -> x.remote().equals("203.0.113.7:2") && x.outcome().equals("over-limit"))).isNotNull();
    }

    @Test
    void healthChecksAreChecksAndSilenceIsATimeout() throws Exception {
        start(TcpServer.builder().handler(GREET));
        try (Socket s = connect(server.localAddress())) {
            s.shutdownOutput(); // a TCP check: connect, close, no byte
            readAll(s.getInputStream());
        }
        try (Socket s = connect(server.localAddress())) {
            s.getOutputStream().write(ProxyHeaderWriter.write(new ProxyHeader.Local(), 2));
            readAll(s.getInputStream());
        }
        assertThat(records.await(x -> records.ended.size() == 2)).isNotNull();
        assertThat(records.ended).extracting(ConnectionRecord::outcome).containsExactly("check", "check");
        try (Socket s = connect(server.localAddress())) {
            assertThat(readAll(s.getInputStream())).isEmpty();
        }
        ConnectionRecord silent = records.await(x -> "proxy-timeout".equals(x.outcome()));
        assertThat(silent.fields().get("cause")).contains("500 ms");
    }
}
