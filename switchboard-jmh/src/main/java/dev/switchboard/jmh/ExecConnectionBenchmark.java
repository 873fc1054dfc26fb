package dev.switchboard.jmh;

import dev.switchboard.model.VirtualThreadPerConnection;
import dev.switchboard.server.TcpServer;
import dev.switchboard.service.Exec;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Timeout;

/**
 * Shows a regression in exec's per-connection cost, end to end: a {@link TcpServer} running
 * {@code echo hi} for each caller (the fast path, or the JDK's way), and a client that
 * connects, reads the answer to EOF and closes. Most of the time is the program's own start
 * and the kernel's, so compare the two paths and runs on the same machine only.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// What the jar's manifest gives the tool: without these the fast path quietly steps aside.
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED"})
@Timeout(time = 30)
public class ExecConnectionBenchmark extends HotPathBenchmark {

    static final String ANSWER = "hi\n";

    /** The server, one for the whole run; {@code spawn} picks exec's path. */
    @State(Scope.Benchmark)
    public static class Server {

        @Param({"fast", "jdk"})
        public String spawn;

        TcpServer server;

        @Setup(Level.Trial)
        public void start() throws IOException {
            if (spawn.equals("jdk")) System.setProperty("switchboard.exec.spawn", "jdk");
            else System.clearProperty("switchboard.exec.spawn");
            server = TcpServer.builder()
                    .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .model(new VirtualThreadPerConnection())
                    .service("exec")
                    .handler(Exec.of(List.of("echo", "hi")).withStderr(line -> { }))
                    .build()
                    .start();
        }

        @TearDown(Level.Trial)
        public void stop() {
            server.closeNow();
            System.clearProperty("switchboard.exec.spawn");
        }
    }

    /** One caller: connect, read the program's answer to EOF, close. */
    @Benchmark
    public ByteBuffer connection(Server server) throws IOException {
        ByteBuffer answer = ByteBuffer.allocate(16);
        try (SocketChannel ch = SocketChannel.open(server.server.localAddress())) {
            while (ch.read(answer) >= 0) {
                if (!answer.hasRemaining()) throw new EOFException("more than " + answer.capacity() + " bytes");
            }
        }
        return answer.flip();
    }
}
