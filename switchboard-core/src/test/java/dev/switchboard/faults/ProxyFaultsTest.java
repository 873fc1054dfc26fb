package dev.switchboard.faults;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.faults.Harness.Model;
import dev.switchboard.proxy.ProxyHeaderReader;
import dev.switchboard.proxy.ProxyPolicy;
import dev.switchboard.proxy.ProxyProtocolHandler;
import dev.switchboard.server.Cidr;
import dev.switchboard.server.ConnectionRecord;
import dev.switchboard.server.RecordFormat;
import dev.switchboard.server.TcpServer;
import dev.switchboard.service.ProtocolHandler;
import dev.switchboard.service.Service;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Case 7 at the connection level: a server running echo with {@code proxy(...)} (the
 * {@link ProxyProtocolHandler} on a blocking model, the non-blocking header reader on the
 * loop) gets every kind of bad header. Each connection is closed without an echoed byte, with one
 * record naming the reason, whose line carries no control character a caller sent; the
 * server keeps echoing for a caller with a good header. (The parser's own fuzz, 10,000 tries,
 * is ProxyHeaderPropertiesTest.)
 */
@Timeout(60)
class ProxyFaultsTest {

    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private final Harness harness = new Harness();
    private TcpServer server;

    @AfterEach
    void stop() {
        if (server != null) server.closeNow();
        harness.close();
    }

    private TcpServer start(List<Cidr> trusted, Model model) throws IOException {
        ProxyPolicy policy = new ProxyPolicy(trusted, new ProxyHeaderReader(Duration.ofSeconds(1), 4096));
        server = TcpServer.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .model(model.create()).proxy(policy)
                .handler(new ProtocolHandler(Service.ECHO.factory(Service.Options.DEFAULTS)))
                .service("echo").listener(harness).build().start();
        return server;
    }

    /** The models that read headers differently: a blocking one and the loop. */
    static Stream<Model> models() {
        return Stream.of(Model.VIRTUAL, Model.LOOP);
    }

    static Stream<Arguments> badHeadersPerModel() {
        return models().flatMap(m -> badHeaders().map(a -> Arguments.of(m, a.get()[0], a.get()[1], a.get()[2])));
    }

    static Stream<Arguments> badHeaders() {
        byte[] random = new byte[64];
        new Random(7).nextBytes(random);
        return Stream.of(
                Arguments.of("random bytes", random, false),
                Arguments.of("truncated v1", "PROXY TCP4 192.0.2.1 19".getBytes(US_ASCII), true),
                Arguments.of("oversized v1", ("PROXY TCP4 " + "9".repeat(300) + "\r\n").getBytes(US_ASCII), false),
                Arguments.of("v1 with control characters", "PROXY TCP4 \u001b[2J\rforged=1\r\n".getBytes(US_ASCII), false),
                Arguments.of("v2 length beyond the limit", v2(0xFFFF, new byte[0]), false),
                Arguments.of("v2 length longer than what came", v2(100, new byte[12]), true),
                Arguments.of("v2 length too short for its family", v2(4, new byte[4]), false),
                Arguments.of("no header, just data", "hello\n".getBytes(US_ASCII), false),
                Arguments.of("no header, silence", new byte[0], false),
                Arguments.of("header dribbled slower than the deadline", "PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\n".getBytes(US_ASCII), false));
    }

    /** A v2 PROXY TCP4 header whose length field says {@code length}, followed by {@code body}. */
    static byte[] v2(int length, byte[] body) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(V2_SIGNATURE);
        b.write(0x21);
        b.write(0x11);
        b.write(length >> 8);
        b.write(length & 0xFF);
        b.writeBytes(body);
        return b.toByteArray();
    }

    @ParameterizedTest(name = "{1} under {0}")
    @MethodSource("badHeadersPerModel")
    void aBadHeaderIsClosedWithAReasonAndNothingEchoed(Model model, String name, byte[] bytes, boolean thenHalfClose)
            throws Exception {
        start(ProxyPolicy.LOOPBACK, model);
        int port;
        try (Socket s = new Socket()) {
            s.connect(server.localAddress(), 5000);
            s.setSoTimeout(10_000);
            port = s.getLocalPort();
            OutputStream out = s.getOutputStream();
            if (name.startsWith("header dribbled")) {
                for (byte b : bytes) {
                    try {
                        out.write(b);
                    } catch (SocketException closedByTheDeadline) {
                        break;
                    }
                    Thread.sleep(200); // the dribble itself: 35 bytes at 5 a second outlast the 1 s deadline
                }
            } else {
                out.write(bytes);
            }
            if (thenHalfClose) s.shutdownOutput();
            assertThat(readUntilClosed(s)).as("nothing is echoed").isEmpty();
        }
        ConnectionRecord r = harness.await(x -> ResetFaultsTest.port(x) == port, 1, Duration.ofSeconds(10)).get(0);
        assertThat(r.outcome()).as(r.toString()).startsWith("proxy-");
        assertThat(r.fields()).containsKey("cause");
        for (RecordFormat f : RecordFormat.values()) {
            String line = f.format(r);
            assertThat(line.chars()).as(line).allMatch(c -> c >= 0x20 && c < 0x7f);
            assertThat(line.length()).isLessThan(2000);
        }
        // And the server still serves a caller with a good header, byte for byte.
        byte[] header = "PROXY TCP4 192.0.2.1 192.0.2.2 4000 80\r\n".getBytes(US_ASCII);
        byte[] data = new byte[8192];
        new Random(8).nextBytes(data);
        ByteArrayOutputStream send = new ByteArrayOutputStream();
        send.writeBytes(header);
        send.writeBytes(data);
        assertThat(Harness.roundTrip(server.localAddress(), send.toByteArray())).isEqualTo(data);
        assertThat(harness.await(x -> "192.0.2.1:4000".equals(x.remote()), 1, Duration.ofSeconds(10))).hasSize(1);
    }

    @ParameterizedTest
    @MethodSource("models")
    void aHeaderFromAnAddressNotInProxyFromIsNotBelieved(Model model) throws Exception {
        start(List.of(Cidr.parse("10.0.0.0/8")), model);
        int port;
        try (Socket s = new Socket()) {
            s.connect(server.localAddress(), 5000);
            s.setSoTimeout(10_000);
            port = s.getLocalPort();
            s.getOutputStream().write("PROXY TCP4 192.0.2.1 192.0.2.2 4000 80\r\nhello".getBytes(US_ASCII));
            assertThat(readUntilClosed(s)).isEmpty();
        }
        ConnectionRecord r = harness.await(x -> ResetFaultsTest.port(x) == port, 1, Duration.ofSeconds(10)).get(0);
        assertThat(r.outcome()).isEqualTo("proxy-untrusted");
        assertThat(r.remote()).isEqualTo("127.0.0.1:" + port);
    }

    @ParameterizedTest
    @MethodSource("models")
    void aConnectionLevelFuzzNeverCrashesTheServer(Model model) throws Exception {
        start(ProxyPolicy.LOOPBACK, model);
        Random random = new Random(9);
        int tries = Integer.getInteger("faults.proxy.tries", 200);
        for (int i = 0; i < tries; i++) {
            byte[] junk = new byte[1 + random.nextInt(300)];
            random.nextBytes(junk);
            if (random.nextBoolean()) System.arraycopy(V2_SIGNATURE, 0, junk, 0, Math.min(12, junk.length));
            else if (random.nextBoolean()) System.arraycopy("PROXY ".getBytes(US_ASCII), 0, junk, 0, Math.min(6, junk.length));
            try (Socket s = new Socket()) {
                s.connect(server.localAddress(), 5000);
                s.getOutputStream().write(junk);
                s.shutdownOutput();
                s.setSoTimeout(10_000);
                readUntilClosed(s);
            } catch (SocketException resetByTheServer) {
                // a refusal may arrive as a reset: still a clean close
            }
        }
        List<ConnectionRecord> all = harness.await(r -> true, tries, Duration.ofSeconds(20));
        assertThat(all).hasSize(tries).noneSatisfy(r -> assertThat(r.outcome()).startsWith("error"));
        byte[] data = "PROXY UNKNOWN\r\nstill here".getBytes(US_ASCII);
        assertThat(new String(Harness.roundTrip(server.localAddress(), data), US_ASCII)).isEqualTo("still here");
    }

    private static byte[] readUntilClosed(Socket s) throws IOException {
        try {
            return Harness.readAll(s.getInputStream());
        } catch (SocketException reset) {
            return new byte[0];
        }
    }
}
