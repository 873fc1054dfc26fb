package dev.switchboard.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.model.ConcurrencyModel;
import dev.switchboard.model.Serial;
import dev.switchboard.model.VirtualThreadPerConnection;
import dev.switchboard.server.ConnectionListener;
import dev.switchboard.server.ConnectionRecord;
import dev.switchboard.server.TcpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exec served by a real server: on the fast path the program runs with no thread of the
 * server's per connection (it is started from the accept loop and ended by exec's watcher),
 * and the record, the limit and the serial model still hold.
 */
@Timeout(30)
class ExecServerTest {

    /** Each record, with the name of the thread that emitted it. */
    private record Ended(ConnectionRecord record, String thread) {
    }

    private final BlockingQueue<Ended> ended = new LinkedBlockingQueue<>();
    private final ConnectionListener listener = new ConnectionListener() {
        @Override
        public void ended(ConnectionRecord record) {
            ended.add(new Ended(record, Thread.currentThread().getName()));
        }
    };

    private TcpServer server(ConcurrencyModel model, List<String> command, int maxConnections) throws IOException {
        return TcpServer.builder()
                .address(new InetSocketAddress("127.0.0.1", 0))
                .model(model)
                .maxConnections(maxConnections)
                .handler(Exec.of(command).withStderr(line -> { }))
                .service("exec")
                .listener(listener)
                .build()
                .start();
    }

    private static Socket call(TcpServer server) throws IOException {
        Socket s = new Socket("127.0.0.1", server.localAddress().getPort());
        s.setSoTimeout(10_000);
        return s;
    }

    private static String readAll(Socket s) throws IOException {
        try (InputStream in = s.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void onTheFastPathNoThreadOfTheServersWaitsForTheProgram() throws Exception {
        SocketExecTest.assumeFastPath();
        try (TcpServer server = server(new VirtualThreadPerConnection(), List.of("sh", "-c", "echo hi; exit 3"), 100);
             Socket s = call(server)) {
            assertThat(readAll(s)).isEqualTo("hi\n");
            Ended e = ended.poll(10, TimeUnit.SECONDS);
            assertThat(e).isNotNull();
            assertThat(e.record().outcome()).isEqualTo("exit=3");
            assertThat(e.record().out()).isEqualTo(3);
            // Ended by the watcher that saw the program exit, not by a thread of the connection's own.
            assertThat(e.thread()).isEqualTo("exec-watcher");
        }
    }

    @Test
    void aProgramThatCannotStartIsThatConnectionsErrorAndTheServerServesOn() throws Exception {
        try (TcpServer server = server(new VirtualThreadPerConnection(), List.of("/nonexistent/program"), 100)) {
            try (Socket s = call(server)) {
                assertThat(readAll(s)).isEmpty();
            }
            Ended e = ended.poll(10, TimeUnit.SECONDS);
            assertThat(e).isNotNull();
            assertThat(e.record().outcome()).startsWith("error=");
            assertThat(e.record().fields().get("cause")).contains("/nonexistent/program");
            try (Socket again = call(server)) {
                assertThat(readAll(again)).isEmpty();
            }
            assertThat(ended.poll(10, TimeUnit.SECONDS)).isNotNull();
        }
    }

    @Test
    void theConnectionLimitCountsProgramsThatRunWithoutAThread() throws Exception {
        try (TcpServer server = server(new VirtualThreadPerConnection(), List.of("cat"), 1)) {
            secondCallerWaitsForTheFirst(server);
        }
    }

    @Test
    void serialStillServesOneProgramAtATime() throws Exception {
        try (TcpServer server = server(new Serial(), List.of("cat"), 100)) {
            secondCallerWaitsForTheFirst(server);
        }
    }

    /** Two callers of a {@code cat} server with room for one program: the second is served only after the first. */
    private void secondCallerWaitsForTheFirst(TcpServer server) throws Exception {
        try (Socket first = call(server); Socket second = call(server)) {
            second.getOutputStream().write("second\n".getBytes(StandardCharsets.US_ASCII));
            second.shutdownOutput();
            first.getOutputStream().write("first\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(first.getInputStream().readNBytes(6), StandardCharsets.US_ASCII)).isEqualTo("first\n");
            // The second caller waits (in the backlog, or behind serial's loop): nothing has ended.
            assertThat(ended.poll(300, TimeUnit.MILLISECONDS)).isNull();
            first.shutdownOutput();
            assertThat(readAll(first)).isEmpty();
            assertThat(readAll(second)).isEqualTo("second\n");
            assertThat(ended.poll(10, TimeUnit.SECONDS).record().id())
                    .isLessThan(ended.poll(10, TimeUnit.SECONDS).record().id());
        }
    }
}
