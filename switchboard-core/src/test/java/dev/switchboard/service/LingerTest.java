package dev.switchboard.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.model.ConcurrencyModel;
import dev.switchboard.model.Serial;
import dev.switchboard.model.ThreadPerConnection;
import dev.switchboard.server.TcpServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lingering close on platform threads: it must not keep the serial model's accept loop
 * (or a pooled thread) waiting while a caller keeps its end open after the reply, as
 * {@code nc} without {@code -N} does while its stdin is open.
 */
@Timeout(20)
class LingerTest {

    static Stream<ConcurrencyModel> platformModels() {
        return Stream.of(new Serial(), new ThreadPerConnection());
    }

    @ParameterizedTest
    @MethodSource("platformModels")
    void aCallerThatStaysOpenDoesNotHoldUpTheNext(ConcurrencyModel model) throws Exception {
        try (TcpServer server = TcpServer.builder().model(model).service("greet")
                .handler(new ProtocolHandler(Service.GREET.factory(Service.Options.DEFAULTS)))
                .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build().start();
             Socket first = connect(server)) {
            InputStream in = first.getInputStream();
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).startsWith("Hello, person from ");
            // The first caller got its EOF and keeps its own end open. The next is served well
            // before the linger (Linger.MAX) is over.
            long start = System.nanoTime();
            try (Socket second = connect(server)) {
                assertThat(new String(second.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .startsWith("Hello, person from ");
            }
            assertThat(System.nanoTime() - start).isLessThan(Linger.MAX.toNanos() / 2);
            // Still lingering, the first caller's late bytes are read and dropped, not reset.
            first.getOutputStream().write("late\n".getBytes(StandardCharsets.US_ASCII));
            first.shutdownOutput();
        }
    }

    private static Socket connect(TcpServer server) throws Exception {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.localAddress().getPort()), 5000);
        s.setSoTimeout(10_000);
        return s;
    }
}
