package dev.switchboard.cli;

import static dev.switchboard.cli.RelayIT.connect;
import static dev.switchboard.cli.RelayIT.readAll;
import static dev.switchboard.cli.ServeProxyIT.real;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out with the real thing: Debian's HAProxy in front of two {@code serve greet
 * --proxy-protocol} backends, {@code send-proxy-v2} and health checks, all on loopback. The
 * caller is greeted with its own address (not HAProxy's); when one backend stops, HAProxy's
 * check marks it down and every later caller is served by the other; and the checks leave no
 * error in the backends' logs. Skips, saying why, without haproxy (script/test installs it).
 */
@Timeout(90)
class HaproxyIT {

    /** The configuration README ("Running behind HAProxy") shows, with the test's ports and socket path. */
    static String config(Path statsSocket, int front, int a, int b) {
        return config(statsSocket, "127.0.0.1:" + front, "127.0.0.1:" + a, "127.0.0.1:" + b);
    }

    /** The same with the addresses given ({@code HOST:PORT}): the frontend's and the two servers'. */
    static String config(Path statsSocket, String front, String a, String b) {
        return """
                global
                    stats socket %s mode 600 level admin
                defaults
                    mode tcp
                    timeout connect 2s
                    timeout client 30s
                    timeout server 30s
                frontend greeters
                    bind %s
                    default_backend switchboards
                backend switchboards
                    balance roundrobin
                    default-server send-proxy-v2 check inter 500ms fall 2 rise 1
                    server a %s
                    server b %s
                """.formatted(statsSocket, front, a, b);
    }

    @TempDir
    Path dir;

    @Test
    void callersAreGreetedWithTheirOwnAddressAndAStoppedBackendIsRoutedAround() throws Exception {
        assumeTrue(Peers.installed("haproxy"), "haproxy is not installed; script/test installs it");
        try (ServerProcess a = real("serve", "greet", "--bind", "127.0.0.1", "--proxy-protocol", "--message", "A {remote}");
             ServerProcess b = real("serve", "greet", "--bind", "127.0.0.1", "--proxy-protocol", "--message", "B {remote}")) {
            int front = Peers.freePort();
            Path stats = dir.resolve("stats.sock");
            Path cfg = Files.writeString(dir.resolve("haproxy.cfg"),
                    config(stats, front, a.listening().getPort(), b.listening().getPort()));
            try (Proc haproxy = Proc.start(new ProcessBuilder("haproxy", "-f", cfg.toString(), "-db"))) {
                awaitStatus(stats, "a", "UP", haproxy);
                awaitStatus(stats, "b", "UP", haproxy);
                InetSocketAddress at = new InetSocketAddress("127.0.0.1", front);
                for (int i = 0; i < 4; i++) {
                    try (Socket s = connect(at)) {
                        assertThat(new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII))
                                .matches("[AB] 127\\.0\\.0\\.1:" + s.getLocalPort() + "\n"); // its own port: not HAProxy's
                    }
                }
                a.terminate();
                assertThat(a.exitCode()).isZero();
                awaitStatus(stats, "a", "DOWN", haproxy);
                for (int i = 0; i < 10; i++) {
                    try (Socket s = connect(at)) {
                        assertThat(new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII))
                                .isEqualTo("B 127.0.0.1:" + s.getLocalPort() + "\n");
                    }
                }
            }
            b.terminate();
            assertThat(b.exitCode()).isZero();
            for (ServerProcess backend : List.of(a, b)) {
                // Only the listening line and the callers' records: the checks (every 500 ms)
                // left neither records nor messages, let alone errors.
                assertThat(backend.allStderr()).as("health checks leave nothing in the log")
                        .allMatch(l -> l.startsWith("listening on ") || l.startsWith("event=close") && l.contains(" outcome=ok"))
                        .anyMatch(l -> l.contains("outcome=ok"));
            }
        }
    }

    /** Polls HAProxy's stats socket until the server's status starts with {@code want} (30 s at most). */
    static void awaitStatus(Path socket, String server, String want, Proc haproxy) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String status = "?";
        while (System.nanoTime() < deadline) {
            if (!haproxy.process().isAlive()) throw new AssertionError("haproxy exited: " + haproxy.stderr());
            status = status(socket, server);
            if (status.startsWith(want)) return;
            Thread.sleep(50); // polling a deadline
        }
        throw new AssertionError("server " + server + " is " + status + ", not " + want + "; haproxy said: " + haproxy.stderr());
    }

    /** The status column of {@code show stat} for one server of the backend, or "?" while the socket isn't there. */
    private static String status(Path socket, String server) throws IOException {
        if (!Files.exists(socket)) return "?";
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap("show stat\n".getBytes(StandardCharsets.US_ASCII)));
            String csv = new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.US_ASCII);
            for (String line : csv.split("\n")) {
                String[] f = line.split(",", -1);
                if (f.length > 17 && f[0].equals("switchboards") && f[1].equals(server)) return f[17];
            }
            return "?";
        }
    }
}
