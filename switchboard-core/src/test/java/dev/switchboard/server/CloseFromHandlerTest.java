package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.model.ConcurrencyModel;
import dev.switchboard.model.Serial;
import dev.switchboard.model.ThreadPerConnection;
import dev.switchboard.model.VirtualThreadPerConnection;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An embedder's handler that stops its own server (a "shutdown" command, say): its caller gets
 * the whole answer and a clean end at once, and the server stops listening.
 */
@Timeout(30)
class CloseFromHandlerTest {

    static Stream<ConcurrencyModel> models() {
        return Stream.of(new Serial(), new ThreadPerConnection(), new VirtualThreadPerConnection());
    }

    @ParameterizedTest
    @MethodSource("models")
    void aHandlerThatClosesItsServerFinishesItsOwnCallerCleanlyAndAtOnce(ConcurrencyModel model) throws Exception {
        AtomicReference<TcpServer> self = new AtomicReference<>();
        TcpServer server = TcpServer.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .model(model).grace(Duration.ofSeconds(10))
                .handler(c -> {
                    c.output().write("bye\n".getBytes(StandardCharsets.US_ASCII));
                    self.get().close();
                })
                .build();
        self.set(server);
        server.start();
        InetSocketAddress address = server.localAddress();
        long start = System.nanoTime();
        try (Socket caller = new Socket()) {
            caller.connect(address, 5000);
            caller.setSoTimeout(20_000);
            // Before: close() waited out the whole grace for the very handler calling it, then
            // reset that caller, so "bye" came ten seconds late or not at all.
            assertThat(new String(caller.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("bye\n");
        }
        assertThat(System.nanoTime() - start).as("the caller's end comes at once, not after the grace")
                .isLessThan(TimeUnit.SECONDS.toNanos(5));
        server.awaitTerminated();
        try (Socket late = new Socket()) {
            late.connect(address, 5000);
            throw new AssertionError("the server still accepts after closing");
        } catch (ConnectException refused) {
            // stopped
        }
    }
}
