package dev.switchboard.proxy;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.proxy.ProxyResult.Accepted;
import dev.switchboard.proxy.ProxyResult.Reason;
import dev.switchboard.proxy.ProxyResult.Refused;
import dev.switchboard.server.Cidr;
import dev.switchboard.server.Connection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Reading a PROXY header off a real loopback socket: deadline, trust, and the bytes after it kept. */
@Timeout(20)
class ProxyOverSocketTest {

    private ServerSocketChannel listener;
    private SocketChannel client;
    private SocketChannel accepted;

    @BeforeEach
    void connect() throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        client = SocketChannel.open(listener.getLocalAddress());
        accepted = listener.accept();
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        accepted.close();
        listener.close();
    }

    private void send(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) client.write(b);
    }

    private String readRest() throws IOException {
        client.shutdownOutput();
        ByteBuffer all = ByteBuffer.allocate(4096);
        while (accepted.read(all) >= 0) {
            // until the client's EOF
        }
        return new String(all.array(), 0, all.position(), US_ASCII);
    }

    @Test
    void v1HeaderThenDataLeavesTheDataForTheService() throws IOException {
        send("PROXY TCP4 203.0.113.7 192.0.2.1 40000 80\r\nHELLO after the header".getBytes(US_ASCII));
        ProxyResult r = new ProxyHeaderReader().read(accepted);
        assertThat(r).isInstanceOf(Accepted.class);
        assertThat(readRest()).isEqualTo("HELLO after the header");
    }

    @Test
    void v2HeaderSentByteByByteStillParses() throws Exception {
        byte[] header = ProxyHeaderWriter.v2(new InetSocketAddress("2001:db8::7", 1234), new InetSocketAddress("::1", 80));
        Thread dribbler = Thread.ofVirtual().start(() -> {
            try {
                for (byte b : header) send(new byte[] {b});
                send("data".getBytes(US_ASCII));
            } catch (IOException ignored) {
                // the assertion below reports it
            }
        });
        ProxyResult r = new ProxyHeaderReader().read(accepted);
        assertThat(r).isEqualTo(new Accepted(new ProxyHeader.Proxied(
                new InetSocketAddress("2001:db8::7", 1234), new InetSocketAddress("::1", 80), 2), header.length));
        // The header can parse before the dribbler has sent what follows it.
        assertThat(dribbler.join(java.time.Duration.ofSeconds(5))).isTrue();
        assertThat(readRest()).isEqualTo("data");
    }

    @Test
    void aPartialHeaderTimesOutAtTheDeadline() throws IOException {
        send("PROXY TCP4 1.2.3.4".getBytes(US_ASCII));
        long start = System.nanoTime();
        ProxyResult r = new ProxyHeaderReader(Duration.ofMillis(300), 4096).read(accepted);
        assertThat(r).isInstanceOf(Refused.class);
        assertThat(((Refused) r).reason()).isEqualTo(Reason.TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        assertThat(accepted.socket().getSoTimeout()).isZero(); // restored for the service
    }

    @Test
    void theDeadlineHoldsOnAVirtualThreadToo() throws Exception {
        send("PROXY ".getBytes(US_ASCII));
        java.util.concurrent.atomic.AtomicReference<Object> got = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                got.set(new ProxyHeaderReader(Duration.ofMillis(200), 4096).read(accepted));
            } catch (IOException e) {
                got.set(e);
            }
        });
        assertThat(t.join(Duration.ofSeconds(10))).isTrue();
        assertThat(got.get()).isInstanceOf(Refused.class);
        assertThat(((Refused) got.get()).reason()).isEqualTo(Reason.TIMEOUT);
    }

    @Test
    void silenceTimesOutAndCloseWithoutBytesIsItsOwnReason() throws IOException {
        ProxyResult silent = new ProxyHeaderReader(Duration.ofMillis(200), 4096).read(accepted);
        assertThat(((Refused) silent).reason()).isEqualTo(Reason.TIMEOUT);
        client.close(); // what a TCP health check does
        ProxyResult closed = new ProxyHeaderReader().read(accepted);
        assertThat(((Refused) closed).reason()).isEqualTo(Reason.CLOSED);
    }

    @Test
    void trustedPeerBecomesTheProxiedCaller() throws IOException {
        send(ProxyHeaderWriter.v1(new InetSocketAddress("198.51.100.9", 5555), new InetSocketAddress("192.0.2.1", 80)));
        Connection c = new Connection(1, accepted);
        ProxyResult r = ProxyPolicy.defaults().admit(c);
        assertThat(r).isInstanceOf(Accepted.class);
        assertThat(c.remote()).isEqualTo(new InetSocketAddress("198.51.100.9", 5555));
        assertThat(c.peer()).isEqualTo(client.getLocalAddress());
        assertThat(c.fields()).containsEntry("via", dev.switchboard.client.Dialer.hostPort(c.peer()));
    }

    @Test
    void localHeaderKeepsTheRealCaller() throws IOException {
        send(ProxyHeaderWriter.write(new ProxyHeader.Local()));
        Connection c = new Connection(1, accepted);
        assertThat(ProxyPolicy.defaults().admit(c)).isEqualTo(new Accepted(new ProxyHeader.Local(), 16));
        assertThat(c.remote()).isEqualTo(client.getLocalAddress());
    }

    @Test
    void untrustedPeerIsRefusedWithoutReading() throws IOException {
        send(ProxyHeaderWriter.v1(new InetSocketAddress("198.51.100.9", 5555), new InetSocketAddress("192.0.2.1", 80)));
        Connection c = new Connection(1, accepted);
        ProxyPolicy policy = new ProxyPolicy(List.of(Cidr.parse("10.0.0.0/8")), new ProxyHeaderReader());
        ProxyResult r = policy.admit(c);
        assertThat(((Refused) r).reason()).isEqualTo(Reason.UNTRUSTED);
        assertThat(((Refused) r).reason().code()).isEqualTo("proxy-untrusted");
        assertThat(c.remote()).isEqualTo(client.getLocalAddress());
        assertThat(readRest()).startsWith("PROXY TCP4 198.51.100.9"); // nothing was consumed
    }
}
