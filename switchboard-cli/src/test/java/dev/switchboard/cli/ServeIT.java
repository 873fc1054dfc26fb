package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code switchboard serve} as a real process: the listening line, records, signals, --inherit. */
@Timeout(90)
class ServeIT {

    private static Socket connect(InetSocketAddress a) throws IOException {
        Socket s = new Socket();
        s.connect(a, 5000);
        s.setSoTimeout(30_000);
        return s;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toByteArray();
    }

    @Test
    void printsTheListeningLineAnswersAndLogsOneRecordPerConnection() throws Exception {
        try (ServerProcess p = ServerProcess.start("serve", "greet", "--bind", "127.0.0.1", "--port", "0")) {
            InetSocketAddress at = p.listening();
            try (Socket s = connect(at)) {
                assertThat(new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII))
                        .isEqualTo("Hello, person from 127.0.0.1:" + s.getLocalPort() + "\n");
                String record = p.awaitLine(l -> l.startsWith("event=close"));
                assertThat(record).matches("event=close id=1 remote=127\\.0\\.0\\.1:" + s.getLocalPort()
                        + " local=127\\.0\\.0\\.1:" + at.getPort() + " service=greet model=virtual in=0 out="
                        + ("Hello, person from 127.0.0.1:" + s.getLocalPort() + "\n").length()
                        + " ms=\\d+ outcome=ok");
            }
            p.terminate();
            assertThat(p.exitCode()).isZero();
        }
    }

    @Test
    void jsonRecordsAndOpenRecordsWithVerbose() throws Exception {
        try (ServerProcess p = ServerProcess.start("serve", "echo", "--bind", "127.0.0.1", "--log", "json", "-v",
                "--model", "threads")) {
            InetSocketAddress at = p.listening();
            try (Socket s = connect(at)) {
                s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                assertThat(readAll(s.getInputStream())).isEqualTo("ping".getBytes(StandardCharsets.US_ASCII));
            }
            assertThat(p.awaitLine(l -> l.startsWith("{\"event\":\"open\"")))
                    .startsWith("{\"event\":\"open\",\"id\":1,\"remote\":\"127.0.0.1:")
                    .endsWith(",\"service\":\"echo\",\"model\":\"threads\"}");
            assertThat(p.awaitLine(l -> l.startsWith("{\"event\":\"close\"")))
                    .matches("\\{\"event\":\"close\",\"id\":1,.*,\"in\":4,\"out\":4,\"ms\":\\d+,\"outcome\":\"ok\"}");
            p.terminate();
            assertThat(p.exitCode()).isZero();
        }
    }

    @Test
    void sigtermDuringATransferLetsItFinishThenExitsZero() throws Exception {
        byte[] data = new byte[4 << 20];
        new Random(3).nextBytes(data);
        try (ServerProcess p = ServerProcess.start("serve", "echo", "--bind", "127.0.0.1", "--grace", "30")) {
            InetSocketAddress at = p.listening();
            try (Socket s = connect(at)) {
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                int first = 1 << 20;
                out.write(data, 0, first);
                assertThat(in.readNBytes(first)).isEqualTo(Arrays.copyOf(data, first));
                p.terminate();
                // Stop accepting at once: wait until a new caller is refused.
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (accepts(at) && System.nanoTime() < deadline) Thread.sleep(20); // polling a deadline
                assertThat(accepts(at)).isFalse();
                assertThat(p.process.isAlive()).isTrue();
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        out.write(data, first, data.length - first);
                        s.shutdownOutput();
                    } catch (IOException ignored) {
                        // the comparison reports it
                    }
                });
                assertThat(readAll(in)).isEqualTo(Arrays.copyOfRange(data, first, data.length));
                writer.join();
            }
            assertThat(p.exitCode()).isZero();
            assertThat(p.awaitLine(l -> l.startsWith("event=close id=1 ")))
                    .matches(".* in=" + data.length + " out=" + data.length + " ms=\\d+ outcome=ok");
        }
    }

    private static boolean accepts(InetSocketAddress at) {
        try (Socket s = new Socket()) {
            s.connect(at, 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void aSecondSignalClosesEverythingNow() throws Exception {
        try (ServerProcess p = ServerProcess.start("serve", "echo", "--bind", "127.0.0.1", "--grace", "600")) {
            InetSocketAddress at = p.listening();
            try (Socket idle = connect(at)) {
                idle.getOutputStream().write('x');
                assertThat(idle.getInputStream().read()).isEqualTo('x');
                // TERM twice, not INT first: a shell without job control starts background
                // jobs with SIGINT ignored, and an ignored signal stays ignored in the server.
                p.signal("TERM");
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (accepts(at) && System.nanoTime() < deadline) Thread.sleep(20); // polling a deadline
                assertThat(p.process.isAlive()).isTrue(); // the grace period holds it open
                p.signal("TERM");
                assertThat(p.exitCode()).isZero();
                try {
                    assertThat(idle.getInputStream().read()).isEqualTo(-1);
                } catch (IOException reset) {
                    // a reset is how "closed now" may arrive
                }
            }
            assertThat(p.awaitLine(l -> l.startsWith("event=close id=1 "))).endsWith(" in=1 out=1 ms="
                    + p.awaitLine(l -> l.startsWith("event=close id=1 ")).replaceAll(".* ms=(\\d+) .*", "$1")
                    + " outcome=shutdown");
        }
    }

    @Test
    void aPortInUseExitsOneNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"));
             ServerProcess p = ServerProcess.start("serve", "greet", "--bind", "127.0.0.1",
                     "--port", Integer.toString(taken.getLocalPort()))) {
            assertThat(p.exitCode()).isEqualTo(1);
            assertThat(p.awaitLine(l -> l.contains("cannot listen")))
                    .isEqualTo("switchboard: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": address already in use");
            assertThat(p.stderr).noneMatch(l -> l.contains("Exception") || l.startsWith("\tat "));
        }
    }

    @Test
    void aBadOptionExitsTwoWithOneLine() throws Exception {
        try (ServerProcess p = ServerProcess.start("serve", "greet", "--max-connections", "0")) {
            assertThat(p.exitCode()).isEqualTo(2);
            assertThat(p.awaitLine(l -> l.startsWith("switchboard")))
                    .isEqualTo("switchboard: --max-connections must be at least 1");
            assertThat(p.stderr).noneMatch(l -> l.startsWith("\tat "));
        }
    }

    @Test
    void servesAListeningSocketInheritedOnStdin() throws Exception {
        assumeTrue(hasPython(), "python3 is needed to hand a listening socket over on stdin");
        // python3 binds, listens, puts the socket on fd 0 and becomes the server (exec).
        String script = String.join("\n",
                "import os, socket, sys",
                "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
                "s.bind(('127.0.0.1', 0))",
                "s.listen(16)",
                "os.dup2(s.fileno(), 0)",
                "s.close()",
                "os.execv(sys.argv[1], sys.argv[1:])");
        Path file = Files.createTempFile("inherit", ".py");
        Files.writeString(file, script);
        List<String> cmd = new ArrayList<>(List.of("python3", file.toString()));
        cmd.addAll(ServerProcess.command("serve", "greet", "--inherit", "--message", "inherited {remote}"));
        try (ServerProcess p = ServerProcess.of(new ProcessBuilder(cmd))) {
            InetSocketAddress at = p.listening();
            try (Socket s = connect(at)) {
                assertThat(new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII))
                        .isEqualTo("inherited 127.0.0.1:" + s.getLocalPort() + "\n");
            }
            p.terminate();
            assertThat(p.exitCode()).isZero();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void inheritWithoutASocketOnStdinExitsOne() throws Exception {
        try (ServerProcess p = ServerProcess.start("serve", "greet", "--inherit")) {
            assertThat(p.exitCode()).isEqualTo(1);
            assertThat(p.awaitLine(l -> l.startsWith("switchboard")))
                    .startsWith("switchboard: --inherit: stdin is not a listening TCP socket");
        }
    }

    private static boolean hasPython() {
        try {
            return new ProcessBuilder("python3", "-c", "pass").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void limitsRulesAndTheIdleTimeoutReachTheServer() throws Exception {
        try (ServerProcess p = ServerProcess.start("serve", "echo", "--bind", "127.0.0.1", "--model", "threads",
                "--deny", "127.0.0.2", "--max-per-ip", "1", "--idle-timeout", "0.5")) {
            InetSocketAddress at = p.listening();
            try (Socket held = connect(at)) {
                held.getOutputStream().write('a');
                assertThat(held.getInputStream().read()).isEqualTo('a');
                try (Socket second = connect(at)) {
                    assertThat(endsAtOnce(second)).isTrue();
                }
                assertThat(p.awaitLine(l -> l.startsWith("event=close id=2 "))).endsWith(" outcome=over-limit");
                try (Socket fromDenied = new Socket()) {
                    fromDenied.bind(new InetSocketAddress("127.0.0.2", 0));
                    fromDenied.connect(at, 5000);
                    fromDenied.setSoTimeout(30_000);
                    assertThat(endsAtOnce(fromDenied)).isTrue();
                }
                assertThat(p.awaitLine(l -> l.startsWith("event=close id=3 "))).contains(" remote=127.0.0.2:")
                        .endsWith(" in=0 out=0 ms=" + p.awaitLine(l -> l.startsWith("event=close id=3 "))
                                .replaceAll(".* ms=(\\d+) .*", "$1") + " outcome=denied");
                assertThat(endsAtOnce(held)).isTrue(); // the idle timeout ends the held one
                assertThat(p.awaitLine(l -> l.startsWith("event=close id=1 "))).contains(" in=1 out=1 ")
                        .endsWith(" outcome=idle-timeout");
            }
            p.terminate();
            assertThat(p.exitCode()).isZero();
        }
    }

    /** Whether the server ends this connection (EOF or reset) without sending anything. */
    private static boolean endsAtOnce(Socket s) {
        try {
            return s.getInputStream().read() == -1;
        } catch (IOException reset) {
            return !(reset instanceof java.net.SocketTimeoutException);
        }
    }

    @Test
    void quietPrintsNoRecordsButStillTheListeningLine() throws Exception {
        try (ServerProcess p = ServerProcess.start("serve", "greet", "--bind", "127.0.0.1", "-q")) {
            InetSocketAddress at = p.listening();
            try (Socket s = connect(at)) {
                assertThat(readAll(s.getInputStream())).isNotEmpty();
            }
            p.terminate();
            assertThat(p.exitCode()).isZero();
            assertThat(p.allStderr()).containsExactly("listening on 127.0.0.1:" + at.getPort());
        }
    }

    /**
     * -v is our detail, not the JDK's: with the root logger at FINE, the JDK's own debug lines
     * came too, and every stop ended in "switchboard: Runtime.exit() called with status: 0".
     */
    @Test
    void verboseShowsOurDetailNotTheJdks() throws Exception {
        try (ServerProcess p = ServerProcess.of(new ProcessBuilder(Proc.switchboard(
                "serve", "greet", "--bind", "127.0.0.1", "--model", "virtual", "-v")))) {
            InetSocketAddress at = p.listening();
            try (Socket s = connect(at)) {
                assertThat(readAll(s.getInputStream())).isNotEmpty();
            }
            assertThat(p.awaitLine(l -> l.startsWith("event=open id=1 "))).contains("service=greet");
            p.terminate();
            assertThat(p.exitCode()).isZero();
            assertThat(p.allStderr()).anyMatch(l -> l.startsWith("event=close id=1 "))
                    .noneMatch(l -> l.contains("Runtime.exit"));
        }
    }
}
