package dev.switchboard.server;

import static dev.switchboard.server.TestHandlers.connect;
import static dev.switchboard.server.TestHandlers.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.model.ConcurrencyModel;
import dev.switchboard.model.EventLoop;
import dev.switchboard.model.VirtualThreadPerConnection;
import dev.switchboard.proxy.ProxyHeader;
import dev.switchboard.proxy.ProxyHeaderReader;
import dev.switchboard.proxy.ProxyHeaderWriter;
import dev.switchboard.proxy.ProxyPolicy;
import dev.switchboard.service.ProtocolFactory;
import dev.switchboard.service.ProtocolHandler;
import dev.switchboard.service.Service;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A server with {@code proxy(...)}, on a blocking model (the header read on the connection's
 * thread) and on the event loop (read without blocking, {@code LoopHeader}): the header's
 * caller is the caller everywhere (service, records, rules, per-address limit), the bytes
 * after the header reach the service whole, and a check, a silence, a missing header and an
 * untrusted peer end with the same reasons. The fault suite's {@code ProxyFaultsTest} has
 * every bad header.
 */
@Timeout(30)
class ProxiedServerTest {

    private static final InetSocketAddress CALLER = new InetSocketAddress("203.0.113.7", 40001);
    private static final ProtocolFactory GREET = Service.GREET.factory(Service.Options.DEFAULTS);
    private static final ProtocolFactory ECHO = Service.ECHO.factory(Service.Options.DEFAULTS);
    private final RecordingListener records = new RecordingListener();
    private TcpServer server;

    static Stream<Supplier<ConcurrencyModel>> models() {
        return Stream.of(named("virtual", VirtualThreadPerConnection::new), named("loop", () -> new EventLoop(1)));
    }

    private static Supplier<ConcurrencyModel> named(String name, Supplier<ConcurrencyModel> model) {
        return new Supplier<>() {
            @Override
            public ConcurrencyModel get() {
                return model.get();
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    private void start(Supplier<ConcurrencyModel> model, ProtocolFactory service, TcpServerBuilder b) throws IOException {
        start(model, service, b, ProxyPolicy.defaults().withTimeout(Duration.ofMillis(500)));
    }

    private void start(Supplier<ConcurrencyModel> model, ProtocolFactory service, TcpServerBuilder b, ProxyPolicy policy)
            throws IOException {
        server = b.handler(new ProtocolHandler(service)).model(model.get()).proxy(policy)
                .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).listener(records)
                .service("test").build().start();
    }

    /** The service, counting the connections it was given. */
    private static ProtocolFactory counting(ProtocolFactory service, AtomicInteger served) {
        return c -> {
            served.incrementAndGet();
            return service.create(c);
        };
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void theHeadersSourceIsTheRemoteInTheServiceAndTheRecordsWithTheProxyAsVia(Supplier<ConcurrencyModel> model)
            throws Exception {
        start(model, GREET, TcpServer.builder());
        assertThat(callAs(CALLER, 2, "")).isEqualTo("Hello, person from 203.0.113.7:40001\n");
        ConnectionRecord r = records.await(x -> true);
        assertThat(r.remote()).isEqualTo("203.0.113.7:40001");
        assertThat(r.model()).isEqualTo(model.toString());
        assertThat(r.outcome()).isEqualTo("ok");
        assertThat(r.fields().get("via")).startsWith("127.0.0.1:");
        assertThat(records.opened).singleElement().extracting(ConnectionRecord::remote).isEqualTo("203.0.113.7:40001");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void theBytesAfterTheHeaderReachTheServiceInOnePiece(Supplier<ConcurrencyModel> model) throws Exception {
        start(model, ECHO, TcpServer.builder());
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void accessRulesJudgeTheProxiedCallerNotTheProxy(Supplier<ConcurrencyModel> model) throws Exception {
        AtomicInteger served = new AtomicInteger();
        start(model, counting(GREET, served),
                TcpServer.builder().rules(AccessRules.parse(List.of(), List.of("203.0.113.0/24"))));
        assertThat(callAs(CALLER, 1, "")).isEmpty();
        assertThat(callAs(new InetSocketAddress("198.51.100.1", 5), 1, "")).isEqualTo("Hello, person from 198.51.100.1:5\n");
        assertThat(records.await(x -> x.remote().startsWith("203.")).outcome()).isEqualTo("denied");
        assertThat(served).hasValue(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void thePerAddressLimitCountsTheProxiedCaller(Supplier<ConcurrencyModel> model) throws Exception {
        start(model, ECHO, TcpServer.builder().maxPerIp(1));
        try (Socket holder = connect(server.localAddress())) { // an echo caller holds its slot until its EOF
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void theProxysOwnAddressIsNotLimitedOnlyTheCallersBehindIt(Supplier<ConcurrencyModel> model) throws Exception {
        start(model, ECHO, TcpServer.builder().maxPerIp(1));
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 1; i <= 3; i++) { // three callers, all through the one proxy at 127.0.0.1
                Socket s = connect(server.localAddress());
                held.add(s);
                s.getOutputStream().write(ProxyHeaderWriter.v1(new InetSocketAddress("198.51.100." + i, 1000 + i),
                        server.localAddress()));
                s.getOutputStream().write(("ping" + i).getBytes());
                // served while the others still hold their connections
                assertThat(new String(s.getInputStream().readNBytes(5))).isEqualTo("ping" + i);
            }
            for (Socket s : held) {
                s.shutdownOutput();
                assertThat(readAll(s.getInputStream())).isEmpty();
            }
        } finally {
            for (Socket s : held) s.close();
        }
        assertThat(records.await(x -> records.ended.size() == 3)).isNotNull();
        assertThat(records.ended).extracting(ConnectionRecord::outcome).containsOnly("ok");
        assertThat(records.ended).extracting(ConnectionRecord::remote)
                .containsExactlyInAnyOrder("198.51.100.1:1001", "198.51.100.2:1002", "198.51.100.3:1003");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void aHealthCheckIsACheckNotAnError(Supplier<ConcurrencyModel> model) throws Exception {
        start(model, GREET, TcpServer.builder());
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void noHeaderInTimeClosesWithTheReasonAndNothingPassedOn(Supplier<ConcurrencyModel> model) throws Exception {
        AtomicInteger served = new AtomicInteger();
        start(model, counting(GREET, served), TcpServer.builder());
        try (Socket s = connect(server.localAddress())) {
            assertThat(readAll(s.getInputStream())).isEmpty();
        }
        ConnectionRecord silent = records.await(x -> true);
        assertThat(silent.outcome()).isEqualTo("proxy-timeout");
        assertThat(silent.fields().get("cause")).contains("500 ms");
        try (Socket s = connect(server.localAddress())) {
            s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes());
            try {
                assertThat(readAll(s.getInputStream())).isEmpty();
            } catch (IOException reset) {
                // a reset is as good as a close here: nothing was served
            }
        }
        assertThat(records.await(x -> "proxy-missing".equals(x.outcome()))).isNotNull();
        assertThat(served).hasValue(0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void aPeerOutsideProxyFromIsRefused(Supplier<ConcurrencyModel> model) throws Exception {
        start(model, GREET, TcpServer.builder(),
                new ProxyPolicy(List.of(Cidr.parse("192.0.2.0/24")), new ProxyHeaderReader()));
        assertThat(callAs(CALLER, 2, "")).isEmpty();
        ConnectionRecord r = records.await(x -> true);
        assertThat(r.outcome()).isEqualTo("proxy-untrusted");
        assertThat(r.remote()).startsWith("127.0.0.1:");
    }
}
