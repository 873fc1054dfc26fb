package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.client.Dialer;
import dev.switchboard.model.ProcessPerConnection;
import dev.switchboard.server.Connection;
import dev.switchboard.server.ConnectionHandler;
import dev.switchboard.service.ProtocolHandler;
import dev.switchboard.service.Service;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fork model with the real jar as the child: {@code switchboard handle SERVICE} serves one
 * connection on stdin/stdout, and the parent splices a real loopback socket to it.
 */
@Timeout(60)
class ForkModelIT {

    static final String JAVA = ProcessHandle.current().info().command().orElseThrow();
    static final String JAR = System.getProperty("switchboard.jar");

    static List<String> child(String... args) {
        return ProcessPerConnection.javaCommand(JAVA, JAR, Main.class.getName(), List.of(args));
    }

    /** Runs the fork model's handler for one accepted loopback connection. */
    record Served(SocketChannel client, Connection connection, CompletableFuture<Void> done) implements AutoCloseable {
        static Served by(ConnectionHandler handler) throws IOException {
            ServerSocketChannel listener = ServerSocketChannel.open()
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel client = SocketChannel.open(listener.getLocalAddress());
            Connection connection = new Connection(7, listener.accept());
            listener.close();
            CompletableFuture<Void> done = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    handler.handle(connection);
                    done.complete(null);
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                } finally {
                    connection.close();
                }
            });
            return new Served(client, connection, done);
        }

        byte[] readAll() throws IOException {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(65536);
            while (client.read(buf.clear()) >= 0) {
                all.write(buf.array(), 0, buf.position());
            }
            if (!client.socket().isOutputShutdown()) {
                client.shutdownOutput(); // done too, as a well-behaved caller says
            }
            return all.toByteArray();
        }

        @Override
        public void close() throws IOException {
            client.close();
        }
    }

    static ConnectionHandler forked(Service service, String... childArgs) {
        return new ProcessPerConnection(child(childArgs))
                .adapt(new ProtocolHandler(service.factory(Service.Options.DEFAULTS)));
    }

    @Test
    void greetInAChildNamesTheRealCaller() throws Exception {
        try (Served s = Served.by(forked(Service.GREET, "handle", "greet"))) {
            String text = new String(s.readAll(), StandardCharsets.US_ASCII);
            assertThat(text).isEqualTo("Hello, person from "
                    + Dialer.hostPort((InetSocketAddress) s.client().getLocalAddress()) + "\n");
            s.done().get(20, TimeUnit.SECONDS);
            assertThat(s.connection().outcome()).isEqualTo("exit=0");
        }
    }

    @Test
    void greetsMessageReachesTheChild() throws Exception {
        try (Served s = Served.by(forked(Service.GREET, "handle", "greet", "--message", "port {remote_port} via {local_ip}"))) {
            int port = ((InetSocketAddress) s.client().getLocalAddress()).getPort();
            assertThat(new String(s.readAll(), StandardCharsets.US_ASCII)).isEqualTo("port " + port + " via 127.0.0.1\n");
        }
    }

    @Test
    void echoInAChildReturnsEveryByte() throws Exception {
        byte[] data = new byte[512 * 1024];
        new Random(7).nextBytes(data);
        try (Served s = Served.by(forked(Service.ECHO, "handle", "echo"))) {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    s.client().write(ByteBuffer.wrap(data));
                    s.client().shutdownOutput();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(s.readAll()).isEqualTo(data);
            writer.join();
            s.done().get(20, TimeUnit.SECONDS);
            assertThat(s.connection().outcome()).isEqualTo("exit=0");
        }
    }

    @Test
    void chargenChildIsStoppedWhenTheCallerResets() throws Exception {
        try (Served s = Served.by(forked(Service.CHARGEN, "handle", "chargen"))) {
            ByteBuffer first = ByteBuffer.allocate(74);
            while (first.hasRemaining()) s.client().read(first);
            assertThat(new String(first.array(), StandardCharsets.US_ASCII)).startsWith(" !\"#$%&'()*+,-./");
            s.client().setOption(StandardSocketOptions.SO_LINGER, 0);
            s.client().close();
            s.done().get(20, TimeUnit.SECONDS);
            assertThat(s.connection().outcome()).isEqualTo("reset");
        }
    }

    @Test
    void handleOnItsOwnServesStdinAndStdout() throws Exception {
        Result greet = run(Map.of("TCPREMOTEIP", "192.0.2.9", "TCPREMOTEPORT", "4321"), "handle", "greet");
        assertThat(greet.exit()).isZero();
        assertThat(greet.out()).isEqualTo("Hello, person from 192.0.2.9:4321\n");

        Result missing = run(Map.of(), "handle", "greet");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err().lines()).hasSize(1).first().asString().contains("TCPREMOTEIP");

        Result unknown = run(Map.of(), "handle", "gopher");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown service 'gopher'").contains("chargen");

        // The same command through picocli (any option but --message leaves the fast path).
        Result viaPicocli = run(Map.of("TCPREMOTEIP", "::1", "TCPREMOTEPORT", "9"), "handle", "greet", "--debug");
        assertThat(viaPicocli.out()).isEqualTo("Hello, person from [::1]:9\n");

        Result badTemplate = run(Map.of("TCPREMOTEIP", "::1", "TCPREMOTEPORT", "9"), "handle", "greet", "--message", "{nope}");
        assertThat(badTemplate.exit()).isEqualTo(2);
        assertThat(badTemplate.err()).contains("{nope}");

        Result help = run(Map.of(), "--help");
        assertThat(help.out()).doesNotContain("handle");
    }

    record Result(int exit, String out, String err) {
    }

    static Result run(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(JAVA));
        command.addAll(Proc.execSpawn());
        command.addAll(List.of("-jar", JAR));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("TCP"));
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out, new String(err.get(), StandardCharsets.UTF_8));
    }
}
