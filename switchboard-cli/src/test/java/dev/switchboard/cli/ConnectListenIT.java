package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** connect and listen as real processes, against each other and against plain Java sockets. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConnectListenIT {

    static final Duration EXIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private Path file(String name, byte[] content) throws Exception {
        return Files.write(dir.resolve(name), content);
    }

    @Test
    void tenMegabytesEachWayAtOnceArriveByteForByte() throws Exception {
        byte[] up = new byte[10_000_000];
        byte[] down = new byte[10_000_000];
        new Random(1).nextBytes(up);
        new Random(2).nextBytes(down);
        Path upIn = file("up.bin", up);
        Path downIn = file("down.bin", down);
        Path upOut = dir.resolve("up.out");
        Path downOut = dir.resolve("down.out");
        try (Proc listen = Proc.start(Proc.switchboard("listen", "-s", "127.0.0.1", "0"), downIn, upOut)) {
            int port = listen.awaitListening();
            try (Proc connect = Proc.start(Proc.switchboard("connect", "127.0.0.1", "" + port), upIn, downOut)) {
                assertThat(connect.exit(EXIT)).as(connect.stderr()).isZero();
                assertThat(listen.exit(EXIT)).as(listen.stderr()).isZero();
            }
        }
        assertThat(Files.mismatch(upIn, upOut)).as("client to server").isEqualTo(-1);
        assertThat(Files.mismatch(downIn, downOut)).as("server to client").isEqualTo(-1);
    }

    @Test
    void theServerRepliesAfterTheClientsEof() throws Exception {
        try (Proc listen = Proc.start(new ProcessBuilder(Proc.switchboard("listen", "-s", "127.0.0.1", "0")))) {
            int port = listen.awaitListening();
            Path reply = dir.resolve("reply.out");
            try (Proc connect = Proc.start(Proc.switchboard("connect", "127.0.0.1", "" + port),
                    file("req", ascii("request\n")), reply)) {
                // listen's stdout ends when the client's EOF arrives: the request is complete...
                assertThat(listen.process().getInputStream().readAllBytes()).isEqualTo(ascii("request\n"));
                // ...and only then does the server answer, over the half-closed connection.
                try (OutputStream stdin = listen.process().getOutputStream()) {
                    stdin.write(ascii("late reply\n"));
                }
                assertThat(connect.exit(EXIT)).as(connect.stderr()).isZero();
                assertThat(listen.exit(EXIT)).as(listen.stderr()).isZero();
            }
            assertThat(Files.readAllBytes(reply)).isEqualTo(ascii("late reply\n"));
        }
    }

    @Test
    void listenHalfClosesAtItsEofAndStillHearsTheCaller() throws Exception {
        Path heard = dir.resolve("heard");
        try (Proc listen = Proc.start(Proc.switchboard("listen", "-s", "127.0.0.1", "0"), file("greeting", ascii("hello\n")), heard)) {
            int port = listen.awaitListening();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                assertThat(s.getInputStream().readAllBytes()).isEqualTo(ascii("hello\n")); // EOF: listen half-closed
                s.getOutputStream().write(ascii("answer after your EOF\n"));
                s.shutdownOutput();
                assertThat(listen.exit(EXIT)).as(listen.stderr()).isZero();
            }
        }
        assertThat(Files.readAllBytes(heard)).isEqualTo(ascii("answer after your EOF\n"));
    }

    @Test
    void whenThePeerClosesFirstConnectExitsWithoutWaitingForStdin() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Proc connect = Proc.start(new ProcessBuilder(Proc.switchboard("connect", "127.0.0.1", "" + server.getLocalPort())))) {
            try (Socket s = server.accept()) {
                s.getOutputStream().write(ascii("bye\n"));
            }
            // connect's stdin (a pipe we hold open) never ends; it must exit anyway.
            assertThat(connect.process().getInputStream().readAllBytes()).isEqualTo(ascii("bye\n"));
            assertThat(connect.exit(EXIT)).as(connect.stderr()).isZero();
        }
    }

    @Test
    void sendWritesTheEscapedTextThenHalfClosesAndPrintsTheReply() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Proc connect = Proc.start(new ProcessBuilder(Proc.switchboard("connect", "127.0.0.1", "" + server.getLocalPort(),
                     "--send", "GET / HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n")))) {
            try (Socket s = server.accept()) {
                assertThat(s.getInputStream().readAllBytes()).isEqualTo(ascii("GET / HTTP/1.0\r\nHost: x\r\n\r\n"));
                s.getOutputStream().write(ascii("HTTP/1.0 200 OK\r\n\r\nhi"));
            }
            assertThat(connect.process().getInputStream().readAllBytes()).isEqualTo(ascii("HTTP/1.0 200 OK\r\n\r\nhi"));
            assertThat(connect.exit(EXIT)).as(connect.stderr()).isZero();
        }
    }

    @Test
    void crlfTurnsStdinLinesIntoCrlfLines() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Proc connect = Proc.start(Proc.switchboard("connect", "--crlf", "127.0.0.1", "" + server.getLocalPort()),
                     file("lines", ascii("HELO me\nQUIT\n")), null)) {
            try (Socket s = server.accept()) {
                assertThat(s.getInputStream().readAllBytes()).isEqualTo(ascii("HELO me\r\nQUIT\r\n"));
            }
            assertThat(connect.exit(EXIT)).as(connect.stderr()).isZero();
        }
    }

    @Test
    void noShutdownKeepsTheWriteSideOpenAfterStdinEnds() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Proc connect = Proc.start(new ProcessBuilder(Proc.switchboard("connect", "--no-shutdown", "--send", "x",
                     "127.0.0.1", "" + server.getLocalPort())))) {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                assertThat(in.read()).isEqualTo('x');
                s.setSoTimeout(500);
                try {
                    int next = in.read();
                    throw new AssertionError("expected no EOF and no data, got " + next);
                } catch (SocketTimeoutException expected) {
                    // still open: --no-shutdown did not pass the EOF on
                }
            }
            assertThat(connect.exit(EXIT)).as(connect.stderr()).isZero();
        }
    }

    @Test
    void theSourcePortAskedForIsTheOneTheServerSeesAndVerboseSaysSo() throws Exception {
        int wanted = Peers.freePort();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Proc connect = Proc.start(new ProcessBuilder(Proc.switchboard("connect", "-v", "-s", "127.0.0.1", "-p", "" + wanted,
                     "--send", "ping", "localhost", "" + server.getLocalPort())))) {
            try (Socket s = server.accept()) {
                assertThat(s.getPort()).isEqualTo(wanted);
                s.getInputStream().readAllBytes();
                s.getOutputStream().write(ascii("pong!"));
            }
            assertThat(connect.exit(EXIT)).isZero();
            String err = connect.stderr();
            assertThat(err).contains("switchboard: localhost is 127.0.0.1")
                    .contains("switchboard: connected to 127.0.0.1:" + server.getLocalPort() + " from 127.0.0.1:" + wanted)
                    .containsPattern("switchboard: closed: sent 4 bytes, received 5 bytes in \\d+\\.\\d{3}s");
        }
    }

    @Test
    void keepOpenServesCallersOneAfterAnother() throws Exception {
        try (Proc listen = Proc.start(new ProcessBuilder(Proc.switchboard("listen", "-k", "-v", "-s", "127.0.0.1",
                "--send", "hi\\n", "0")))) {
            int port = listen.awaitListening();
            for (int i = 0; i < 3; i++) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    s.getOutputStream().write(ascii("caller " + i + "\n"));
                    s.shutdownOutput();
                    assertThat(s.getInputStream().readAllBytes()).isEqualTo(ascii("hi\n"));
                    String from = listen.awaitLine("^switchboard: connection from (127\\.0\\.0\\.1:\\d+)$", EXIT);
                    assertThat(from).isEqualTo("127.0.0.1:" + s.getLocalPort());
                }
            }
            assertThat(listen.process().isAlive()).isTrue();
        }
    }

    @Test
    void keepOpenGivesStdinToTheCurrentCallerAndEofToLaterOnes() throws Exception {
        try (Proc listen = Proc.start(new ProcessBuilder(Proc.switchboard("listen", "-k", "-s", "127.0.0.1", "0")))) {
            int port = listen.awaitListening();
            OutputStream stdin = listen.process().getOutputStream();
            try (Socket first = new Socket(InetAddress.getLoopbackAddress(), port)) {
                stdin.write(ascii("for the first\n"));
                stdin.flush();
                byte[] got = first.getInputStream().readNBytes(14);
                assertThat(got).isEqualTo(ascii("for the first\n"));
            }
            stdin.close();
            try (Socket second = new Socket(InetAddress.getLoopbackAddress(), port)) {
                assertThat(second.getInputStream().readAllBytes()).isEmpty(); // stdin has ended: EOF at once
            }
        }
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Proc connect = Proc.start(new ProcessBuilder(Proc.switchboard("connect", "-i", "0.3", "127.0.0.1",
                     "" + server.getLocalPort())));
             Socket s = server.accept()) {
            assertThat(connect.exit(EXIT)).isEqualTo(1);
            assertThat(connect.stderr()).isEqualTo("switchboard: no data either way for 0.3s: connection closed\n");
        }
    }

    @Test
    void listenAnswersOnIpv6WithMinus6() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Peers.hasIpv6(), "no IPv6 loopback (::1) on this machine");
        try (Proc listen = Proc.start(new ProcessBuilder(Proc.switchboard("listen", "-6", "--send", "six", "0")))) {
            int port = listen.awaitListening();
            try (Proc connect = Proc.start(new ProcessBuilder(Proc.switchboard("connect", "-6", "-v", "::1", "" + port)))) {
                connect.process().getOutputStream().close();
                assertThat(connect.process().getInputStream().readAllBytes()).isEqualTo(ascii("six"));
                assertThat(connect.exit(EXIT)).isZero();
                assertThat(connect.stderr()).contains("connected to [::1]:" + port + " from [::1]:");
            }
            assertThat(listen.exit(EXIT)).isZero();
        }
    }

    @Test
    void listenMinus6TurnsIpv4CallersAway() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Peers.hasIpv6(), "no IPv6 loopback (::1) on this machine");
        try (Proc listen = Proc.start(new ProcessBuilder(Proc.switchboard("listen", "-6", "-v", "--send", "six", "0")))) {
            int port = listen.awaitListening();
            try (Socket v4 = new Socket(InetAddress.getLoopbackAddress(), port)) {
                assertThat(v4.getInputStream().readAllBytes()).isEmpty(); // closed without a byte
            } catch (java.net.SocketException reset) {
                // as good: turned away
            }
            listen.awaitLine("^switchboard: refused IPv4 caller 127\\.0\\.0\\.1:\\d+ \\(-6\\)$", EXIT);
            try (Socket v6 = new Socket(InetAddress.getByName("::1"), port)) {
                v6.shutdownOutput();
                assertThat(v6.getInputStream().readAllBytes()).isEqualTo(ascii("six"));
            }
            assertThat(listen.exit(EXIT)).isZero();
        }
    }

    @Test
    void aResetFromThePeerIsAFailure() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Proc connect = Proc.start(new ProcessBuilder(Proc.switchboard("connect", "127.0.0.1", "" + server.getLocalPort())))) {
            try (Socket s = server.accept()) {
                s.getOutputStream().write(ascii("partial"));
                s.setSoLinger(true, 0); // close with a reset, not a FIN
            }
            assertThat(connect.exit(EXIT)).isEqualTo(1);
            // Depending on timing the reset arrives during the connect or after it.
            assertThat(connect.stderr()).matches("switchboard: (connection lost: Connection reset"
                    + "|connection reset by 127\\.0\\.0\\.1:\\d+ as it opened)\n");
        }
    }

    @Test
    void aStdoutThatCannotBeWrittenIsNamedNotCalledALostConnection() throws Exception {
        // /dev/full: every write fails with ENOSPC. We said "connection lost: No space left on device".
        Path full = Path.of("/dev/full");
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Proc connect = Proc.start(Proc.switchboard("connect", "127.0.0.1", "" + server.getLocalPort()), null, full)) {
            try (Socket s = server.accept()) {
                s.getOutputStream().write(ascii("hello\n"));
            }
            assertThat(connect.exit(EXIT)).isEqualTo(1);
            assertThat(connect.stderr()).isEqualTo("switchboard: cannot write to stdout: No space left on device\n");
        }
        try (Proc listen = Proc.start(Proc.switchboard("listen", "-s", "127.0.0.1", "0"), null, full)) {
            int port = listen.awaitListening();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.getOutputStream().write(ascii("hello\n"));
                assertThat(listen.exit(EXIT)).isEqualTo(1);
            }
            assertThat(listen.stderr()).endsWith("\nswitchboard: cannot write to stdout: No space left on device\n");
        }
    }

    @Test
    void whenThePeerHalfClosesFirstStdinThatIsReadyStillGoesOut() throws Exception {
        // OpenBSD nc -N does this: it sends, half-closes at once, and keeps reading.
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Proc connect = Proc.start(Proc.switchboard("connect", "127.0.0.1", "" + server.getLocalPort()),
                     file("in", ascii("from the file\n")), null)) {
            try (Socket s = server.accept()) {
                s.getOutputStream().write(ascii("hello\n"));
                s.shutdownOutput();
                assertThat(s.getInputStream().readAllBytes()).isEqualTo(ascii("from the file\n"));
            }
            assertThat(connect.exit(EXIT)).as(connect.stderr()).isZero();
        }
    }
}
