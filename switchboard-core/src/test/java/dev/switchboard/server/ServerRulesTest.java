package dev.switchboard.server;

import static dev.switchboard.server.TestHandlers.ECHO;
import static dev.switchboard.server.TestHandlers.GREET;
import static dev.switchboard.server.TestHandlers.connect;
import static dev.switchboard.server.TestHandlers.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Access rules, the per-address limit and the records they leave, on a live server. */
@Timeout(30)
class ServerRulesTest {

    private final RecordingListener records = new RecordingListener();
    private TcpServer server;

    private TcpServer start(TcpServerBuilder b) throws IOException {
        server = b.address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).listener(records)
                .service("greet").build().start();
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) server.closeNow();
    }

    /** Reads what the server sends before closing; a reset counts as nothing. */
    private static byte[] whatArrives(Socket s) {
        try {
            return readAll(s.getInputStream());
        } catch (IOException reset) {
            return new byte[0];
        }
    }

    @Test
    void aDeniedCallerIsClosedBeforeAnyByteAndTheHandlerNeverRuns() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        start(TcpServer.builder().handler(c -> {
            handled.incrementAndGet();
            GREET.handle(c);
        }).rules(AccessRules.parse(List.of("127.0.0.0/8"), List.of("127.0.0.1/32"))));
        try (Socket s = connect(server.localAddress())) {
            assertThat(whatArrives(s)).isEmpty();
        }
        ConnectionRecord r = records.await(x -> true);
        assertThat(r.outcome()).isEqualTo("denied");
        assertThat(r.out()).isZero();
        assertThat(r.remote()).startsWith("127.0.0.1:");
        assertThat(handled).hasValue(0);
        assertThat(records.opened).isEmpty();
    }

    @Test
    void anAllowedCallerIsServed() throws Exception {
        start(TcpServer.builder().handler(GREET).rules(AccessRules.parse(List.of("127.0.0.1"), List.of("0.0.0.0/0"))));
        try (Socket s = connect(server.localAddress())) {
            assertThat(new String(whatArrives(s))).startsWith("Hello, person from 127.0.0.1:");
        }
        assertThat(records.await(x -> true).outcome()).isEqualTo("ok");
    }

    @Test
    void aCallerOverTheLimitPerAddressIsClosedAtOnceAndTheOthersGoOn() throws Exception {
        start(TcpServer.builder().handler(ECHO).maxPerIp(1));
        try (Socket first = connect(server.localAddress())) {
            first.getOutputStream().write('x');
            assertThat(first.getInputStream().read()).isEqualTo('x');
            try (Socket second = connect(server.localAddress())) {
                assertThat(whatArrives(second)).isEmpty();
            }
            ConnectionRecord over = records.await(x -> true);
            assertThat(over.outcome()).isEqualTo("over-limit");
            assertThat(over.id()).isEqualTo(2);
            first.getOutputStream().write('y');
            assertThat(first.getInputStream().read()).isEqualTo('y');
        }
        // Once the first has gone, the address may call again.
        records.await(r -> r.id() == 1);
        try (Socket third = connect(server.localAddress())) {
            third.getOutputStream().write('z');
            assertThat(third.getInputStream().read()).isEqualTo('z');
        }
    }

    @Test
    void openRecordsComeBeforeTheirCloseRecordsWithTheSameId() throws Exception {
        start(TcpServer.builder().handler(GREET));
        try (Socket s = connect(server.localAddress())) {
            whatArrives(s);
        }
        ConnectionRecord closed = records.await(x -> true);
        assertThat(records.opened).hasSize(1);
        ConnectionRecord open = records.opened.get(0);
        assertThat(open.event()).isEqualTo("open");
        assertThat(closed.event()).isEqualTo("close");
        assertThat(open.id()).isEqualTo(closed.id());
        assertThat(open.remote()).isEqualTo(closed.remote());
        assertThat(closed.local()).isEqualTo("127.0.0.1:" + server.localAddress().getPort());
        assertThat(closed.service()).isEqualTo("greet");
        assertThat(closed.model()).isEqualTo("virtual");
        assertThat(closed.out()).isEqualTo(("Hello, person from " + closed.remote() + "\n").length());
    }

    @Test
    void aPortInUseIsReportedWithItsAddress() throws Exception {
        start(TcpServer.builder().handler(GREET));
        TcpServer second = TcpServer.builder().address(server.localAddress()).handler(GREET).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(second::start)
                .isInstanceOf(java.net.BindException.class)
                .hasMessage("cannot listen on 127.0.0.1:" + server.localAddress().getPort() + ": address already in use");
    }

    @Test
    void saturationIsLoggedOncePerEpisodeNotOncePerWaitingCaller() throws Exception {
        try (LogCapture log = new LogCapture(TcpServer.class)) {
            start(TcpServer.builder().handler(ECHO).maxConnections(1));
            java.util.List<Socket> callers = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) callers.add(connect(server.localAddress()));
                for (Socket s : callers) s.getOutputStream().write('e');
                for (Socket s : callers) {
                    assertThat(s.getInputStream().read()).isEqualTo('e'); // served in turn
                    s.close();
                }
            } finally {
                for (Socket s : callers) s.close();
            }
            records.await(r -> records.ended.size() == 4);
            assertThat(log.count("not accepting until one ends")).as("%s", log.messages()).isEqualTo(1);
        }
    }

    @Test
    void ipv6OnlyOnTheWildcardTurnsIpv4CallersAway() throws Exception {
        server = TcpServer.builder().address(new InetSocketAddress(0)).family(dev.switchboard.client.Family.IPV6)
                .handler(GREET).listener(records).build().start();
        try (Socket s = connect(server.localAddress())) { // connect() dials 127.0.0.1
            assertThat(whatArrives(s)).isEmpty();
        }
        assertThat(records.await(x -> true).outcome()).isEqualTo("denied");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("::1", server.localAddress().getPort()), 5000);
            assertThat(new String(whatArrives(s))).startsWith("Hello, person from 0:0:0:0:0:0:0:1:");
        }
    }

    @Test
    void aCallerThatResetsIsLoggedAsReset() throws Exception {
        start(TcpServer.builder().handler(ECHO));
        try (Socket s = connect(server.localAddress())) {
            s.getOutputStream().write('r');
            assertThat(s.getInputStream().read()).isEqualTo('r');
            s.setSoLinger(true, 0); // close sends a reset
        }
        ConnectionRecord r = records.await(x -> true);
        assertThat(r.outcome()).isEqualTo("reset");
        assertThat(r.in()).isEqualTo(1);
    }
}
