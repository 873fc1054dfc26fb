package dev.switchboard.server;

import static dev.switchboard.server.TestHandlers.GREET;
import static dev.switchboard.server.TestHandlers.connect;
import static dev.switchboard.server.TestHandlers.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.proxy.ProxyHeader;
import dev.switchboard.proxy.ProxyHeaderWriter;
import dev.switchboard.proxy.ProxyPolicy;
import dev.switchboard.proxy.ProxyHeaderReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A server with {@code proxy(...)}: the header's caller is the caller everywhere, rules included. */
@Timeout(30)
class ProxiedServerTest {

    private static final InetSocketAddress CALLER = new InetSocketAddress("203.0.113.7", 40001);
    private final RecordingListener records = new RecordingListener();
    private TcpServer server;

    private void start(TcpServerBuilder b) throws IOException {
        server = b.address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).listener(records)
                .service("greet").build().start();
    }

    private static ProxyPolicy policy() {
        return ProxyPolicy.defaults().withTimeout(Duration.ofMillis(500));
    }

    @AfterEach
    void stop() {
        if (server != null) server.closeNow();
    }

    private String callAs(InetSocketAddress source, int version) throws IOException {
        try (Socket s = connect(server.localAddress())) {
            byte[] header = version == 1 ? ProxyHeaderWriter.v1(source, server.localAddress())
                    : ProxyHeaderWriter.v2(source, server.localAddress());
            s.getOutputStream().write(header);
            try {
                return new String(readAll(s.getInputStream()));
            } catch (IOException reset) {
                return "";
            }
        }
    }

    @Test
    void theHeadersSourceIsTheRemoteInTheServiceAndTheRecordsWithTheProxyAsVia() throws Exception {
        start(TcpServer.builder().handler(GREET).proxy(policy()));
        assertThat(callAs(CALLER, 2)).isEqualTo("Hello, person from 203.0.113.7:40001\n");
        ConnectionRecord r = records.await(x -> true);
        assertThat(r.remote()).isEqualTo("203.0.113.7:40001");
        assertThat(r.outcome()).isEqualTo("ok");
        assertThat(r.fields().get("via")).startsWith("127.0.0.1:");
        assertThat(records.opened).singleElement().extracting(ConnectionRecord::remote).isEqualTo("203.0.113.7:40001");
    }

    @Test
    void accessRulesJudgeTheProxiedCallerNotTheProxy() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        start(TcpServer.builder().handler(c -> {
            handled.incrementAndGet();
            GREET.handle(c);
        }).proxy(policy()).rules(AccessRules.parse(List.of(), List.of("203.0.113.0/24"))));
        assertThat(callAs(CALLER, 1)).isEmpty();
        assertThat(callAs(new InetSocketAddress("198.51.100.1", 5), 1)).isEqualTo("Hello, person from 198.51.100.1:5\n");
        assertThat(records.await(x -> x.remote().startsWith("203.")).outcome()).isEqualTo("denied");
        assertThat(handled).hasValue(1);
    }

    @Test
    void thePerAddressLimitCountsTheProxiedCaller() throws Exception {
        start(TcpServer.builder().handler(c -> {
            if (c.remote().getPort() == 1) c.read(java.nio.ByteBuffer.allocate(1)); // holds its slot until EOF
            GREET.handle(c);
        }).proxy(policy()).maxPerIp(1));
        try (Socket holder = connect(server.localAddress())) {
            holder.getOutputStream().write(ProxyHeaderWriter.v2(new InetSocketAddress("203.0.113.7", 1), server.localAddress()));
            // the same proxied caller again: over the limit; another caller through the same proxy: fine
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            String second;
            do {
                second = callAs(new InetSocketAddress("203.0.113.7", 2), 2);
            } while (!second.isEmpty() && System.nanoTime() < deadline); // until the holder's header is read
            assertThat(second).isEmpty();
            assertThat(callAs(new InetSocketAddress("198.51.100.1", 3), 2)).isEqualTo("Hello, person from 198.51.100.1:3\n");
        }
        assertThat(records.await(x -> x.remote().equals("203.0.113.7:2") && x.outcome().equals("over-limit"))).isNotNull();
    }

    @Test
    void theProxysOwnAddressIsNotLimitedOnlyTheCallersBehindIt() throws Exception {
        start(TcpServer.builder().handler(c -> {
            c.read(java.nio.ByteBuffer.allocate(1)); // every caller holds its slot until its EOF
            GREET.handle(c);
        }).proxy(policy()).maxPerIp(1));
        List<Socket> held = new java.util.ArrayList<>();
        try {
            for (int i = 1; i <= 3; i++) { // three callers, all through the one proxy at 127.0.0.1
                Socket s = connect(server.localAddress());
                held.add(s);
                s.getOutputStream().write(ProxyHeaderWriter.v1(new InetSocketAddress("198.51.100." + i, 1000 + i),
                        server.localAddress()));
            }
            for (Socket s : held) {
                s.shutdownOutput();
                assertThat(new String(readAll(s.getInputStream()))).startsWith("Hello, person from 198.51.100.");
            }
        } finally {
            for (Socket s : held) s.close();
        }
        assertThat(records.await(x -> records.ended.size() == 3)).isNotNull();
        assertThat(records.ended).extracting(ConnectionRecord::outcome).containsOnly("ok");
    }

    @Test
    void aHealthCheckIsACheckNotAnError() throws Exception {
        start(TcpServer.builder().handler(GREET).proxy(policy()));
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
        assertThat(records.ended).allSatisfy(r -> assertThat(r.remote()).startsWith("127.0.0.1:"));
    }

    @Test
    void noHeaderInTimeClosesWithTheReasonAndNothingPassedOn() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        start(TcpServer.builder().handler(c -> handled.incrementAndGet()).proxy(policy()));
        try (Socket s = connect(server.localAddress())) {
            assertThat(readAll(s.getInputStream())).isEmpty();
        }
        assertThat(records.await(x -> true).outcome()).isEqualTo("proxy-timeout");
        try (Socket s = connect(server.localAddress())) {
            s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes());
            try {
                assertThat(readAll(s.getInputStream())).isEmpty();
            } catch (IOException reset) {
                // a reset is as good as a close here: nothing was served
            }
        }
        assertThat(records.await(x -> "proxy-missing".equals(x.outcome()))).isNotNull();
        assertThat(handled).hasValue(0);
    }

    @Test
    void aPeerOutsideProxyFromIsRefused() throws Exception {
        start(TcpServer.builder().handler(GREET)
                .proxy(new ProxyPolicy(List.of(Cidr.parse("192.0.2.0/24")), new ProxyHeaderReader())));
        assertThat(callAs(CALLER, 2)).isEmpty();
        ConnectionRecord r = records.await(x -> true);
        assertThat(r.outcome()).isEqualTo("proxy-untrusted");
        assertThat(r.remote()).startsWith("127.0.0.1:");
    }
}
