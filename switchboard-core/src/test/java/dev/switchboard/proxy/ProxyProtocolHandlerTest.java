package dev.switchboard.proxy;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.client.Dialer;
import dev.switchboard.server.Connection;
import dev.switchboard.server.ConnectionHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The --proxy-protocol wrapper: the service sees the real caller, or never runs at all. */
@Timeout(20)
class ProxyProtocolHandlerTest {

    private ServerSocketChannel listener;
    private SocketChannel client;
    private Connection connection;
    private final AtomicBoolean serviceRan = new AtomicBoolean();

    /** A greeter that tells the caller who it is and echoes what follows. */
    private final ConnectionHandler greet = c -> {
        serviceRan.set(true);
        c.write(ByteBuffer.wrap(("hello " + Dialer.hostPort(c.remote()) + "\n").getBytes(US_ASCII)));
        ByteBuffer buf = ByteBuffer.allocate(1024);
        while (c.read(buf) >= 0) {
            buf.flip();
            c.write(buf);
            buf.clear();
        }
        c.shutdownOutput();
    };

    @BeforeEach
    void connect() throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        client = SocketChannel.open(listener.getLocalAddress());
        connection = new Connection(7, listener.accept());
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        connection.close();
        listener.close();
    }

    private String talk(byte[] first) throws IOException {
        client.write(ByteBuffer.wrap(first));
        client.shutdownOutput();
        ProxyProtocolHandler h = new ProxyProtocolHandler(ProxyPolicy.defaults().withTimeout(Duration.ofMillis(500)), greet);
        h.handle(connection);
        connection.close();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(1024);
        try {
            while (client.read(buf) >= 0) {
                got.write(buf.array(), 0, buf.position());
                buf.clear();
            }
        } catch (IOException reset) {
            // a refused caller may see a reset; what it got before is what counts
        }
        return got.toString(US_ASCII);
    }

    @Test
    void theServiceGreetsTheProxiedCallerAndGetsEveryByteAfterTheHeader() throws IOException {
        byte[] header = ProxyHeaderWriter.v2(new InetSocketAddress("203.0.113.5", 41000), new InetSocketAddress("192.0.2.1", 7));
        byte[] all = ProxyHeaderTest.concat(header, "ping".getBytes(US_ASCII));
        assertThat(talk(all)).isEqualTo("hello 203.0.113.5:41000\nping");
        assertThat(connection.outcome()).isNull(); // the server's own ending rules apply
        assertThat(connection.fields()).containsKey("via");
    }

    @Test
    void aRefusedHeaderNeverReachesTheService() throws IOException {
        assertThat(talk("GET / HTTP/1.0\r\n\r\n".getBytes(US_ASCII))).isEmpty();
        assertThat(serviceRan).isFalse();
        assertThat(connection.outcome()).isEqualTo("proxy-missing");
        assertThat(connection.fields()).containsEntry("cause", "data without a PROXY header");
    }

    @Test
    void aLocalHeaderIsAHealthCheck() throws IOException {
        assertThat(talk(ProxyHeaderWriter.write(new ProxyHeader.Local()))).startsWith("hello 127.0.0.1:");
        assertThat(connection.outcome()).isEqualTo("check");
    }

    @Test
    void silenceEndsAtTheDeadline() throws IOException {
        ProxyProtocolHandler h = new ProxyProtocolHandler(ProxyPolicy.defaults().withTimeout(Duration.ofMillis(200)), greet);
        h.handle(connection);
        assertThat(connection.outcome()).isEqualTo("proxy-timeout");
        assertThat(serviceRan).isFalse();
    }
}
