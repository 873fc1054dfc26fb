package dev.switchboard.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Case 6: children gone wrong, under {@code exec} (a virtual thread per connection) and
 * {@code exec --model fork}. One program misbehaves as a file tells it: exits at once,
 * crashes (SIGSEGV), ignores SIGTERM, writes forever to a caller that never reads, never
 * reads its stdin. After each: its connection has a close record saying how it ended, the
 * server has no zombie child, and a well-behaved connection is echoed at once.
 * Also a fork child of a built-in service killed with SIGKILL mid-connection.
 */
@Timeout(120)
class ChildrenFaultsIT {

    static final String SCRIPT = """
            case "$(cat "$MODE_FILE")" in
              exit) exit 0 ;;
              crash) kill -SEGV $$ ;;
              ignore-term) trap '' TERM; while :; do sleep 1 </dev/null >/dev/null 2>&1; done ;;
              flood) exec yes ;;
              deaf) exec sleep 1000 ;;
              *) exec cat ;;
            esac
            """;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "--model {0}")
    @ValueSource(strings = {"virtual", "fork"})
    void misbehavingProgramsAreEndedReapedAndLogged(String model) throws Exception {
        Path mode = dir.resolve("mode");
        Path script = dir.resolve("child.sh");
        Files.writeString(script, SCRIPT);
        try (Server server = Server.start("serve", "exec", "--bind", "127.0.0.1", "--model", model,
                "--idle-timeout", "1", "--env", "MODE_FILE=" + mode, "--", "sh", script.toString())) {
            InetSocketAddress at = server.listening();

            Files.writeString(mode, "exit");
            assertThat(record(server, readToEnd(at))).contains("outcome=exit=0");
            healthy(server, at, mode);

            Files.writeString(mode, "crash");
            assertThat(record(server, readToEnd(at))).contains("outcome=exit=139");
            healthy(server, at, mode);

            Files.writeString(mode, "ignore-term");
            // Idle after a second: SIGTERM, ignored; SIGKILL after the 2 s grace.
            assertThat(record(server, readToEnd(at))).contains("outcome=idle-timeout", "exit=137");
            healthy(server, at, mode);

            Files.writeString(mode, "flood");
            assertThat(neverRead(server, at, false)).contains("outcome=idle-timeout");
            healthy(server, at, mode);

            Files.writeString(mode, "deaf");
            assertThat(neverRead(server, at, true)).contains("outcome=idle-timeout");
            healthy(server, at, mode);

            System.out.printf("children (--model %s): 5 misbehaving programs and 6 healthy callers, no zombie;"
                    + " server peak RSS %d MiB%n", model, server.peakRssKib() >> 10);
            server.signal("TERM");
            assertThat(server.exitCode(Duration.ofSeconds(30))).isZero();
        }
    }

    @Test
    void aForkedBuiltInChildKilledMidConnectionIsReapedAndLogged() throws Exception {
        try (Server server = Server.start("serve", "echo", "--bind", "127.0.0.1", "--model", "fork")) {
            InetSocketAddress at = server.listening();
            int port;
            try (Socket s = new Socket()) {
                s.connect(at, 5000);
                s.setSoTimeout(20_000);
                port = s.getLocalPort();
                s.getOutputStream().write('x');
                assertThat(s.getInputStream().read()).isEqualTo('x');
                List<String> children = server.children();
                assertThat(children).hasSize(1);
                new ProcessBuilder("kill", "-KILL", children.get(0).split(" ")[0]).start().waitFor();
                assertThat(endOfStream(s)).isTrue();
            }
            assertThat(server.closeRecord(port)).contains("outcome=exit=137");
            assertNoZombies(server);
            try (Socket s = new Socket()) {
                s.connect(at, 5000);
                s.setSoTimeout(20_000);
                s.getOutputStream().write('y');
                assertThat(s.getInputStream().read()).isEqualTo('y');
            }
            server.signal("TERM");
            assertThat(server.exitCode(Duration.ofSeconds(30))).isZero();
        }
    }

    /** The close record for the caller at {@code port}, once no child of the server is left a zombie. */
    private static String record(Server server, int port) throws Exception {
        String line = server.closeRecord(port);
        assertNoZombies(server);
        return line;
    }

    private static void assertNoZombies(Server server) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> zombies;
        do {
            zombies = server.children().stream().filter(c -> c.endsWith(" Z")).toList();
            if (zombies.isEmpty()) return;
            Thread.sleep(50); // a child just ended may not be reaped yet: polling a deadline
        } while (System.nanoTime() < deadline);
        throw new AssertionError("zombie children of the server: " + zombies);
    }

    private static void healthy(Server server, InetSocketAddress at, Path mode) throws Exception {
        Files.writeString(mode, "echo");
        try (Socket s = new Socket()) {
            s.connect(at, 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("ping\n");
            assertThat(server.closeRecord(s.getLocalPort())).contains("outcome=exit=0");
        }
    }

    /** Connects, reads until the server ends it, returns the caller's port. */
    private static int readToEnd(InetSocketAddress at) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(at, 5000);
            s.setSoTimeout(20_000);
            assertThat(endOfStream(s)).isTrue();
            return s.getLocalPort();
        }
    }

    /** The record of a caller that never reads (and, when {@code write}, writes until nothing more is taken). */
    private static String neverRead(Server server, InetSocketAddress at, boolean write) throws Exception {
        try (SocketChannel c = SocketChannel.open(at)) {
            int port = ((InetSocketAddress) c.getLocalAddress()).getPort();
            if (write) {
                c.configureBlocking(false);
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                long quietSince = System.nanoTime();
                while (System.nanoTime() - quietSince < Duration.ofMillis(300).toNanos()) {
                    chunk.clear();
                    try {
                        if (c.write(chunk) > 0) quietSince = System.nanoTime();
                    } catch (IOException closed) {
                        break;
                    }
                }
            }
            return record(server, port); // held open, unread, until the server's idle timeout ends it
        }
    }

    private static boolean endOfStream(Socket s) throws IOException {
        try {
            while (true) {
                if (s.getInputStream().read() == -1) return true;
            }
        } catch (SocketException reset) {
            return true;
        }
    }
}
