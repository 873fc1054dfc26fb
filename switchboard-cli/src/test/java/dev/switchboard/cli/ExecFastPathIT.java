package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exec's fast path through the real jar: {@code java -jar} (the launcher's way) gives the
 * program the socket itself, with no warning from the JVM; a JVM without the manifest's
 * exports and native access (the jar on a plain class path) quietly takes the JDK's way.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExecFastPathIT {

    @Test
    void theJarGivesTheProgramTheSocketItselfWithoutAWarning() throws Exception {
        try (ServerProcess server = ServerProcess.of(new ProcessBuilder(Proc.switchboard(serveExec())))) {
            String fd0 = ask(server);
            server.terminate();
            assertThat(server.exitCode()).isZero();
            if ("jdk".equals(System.getProperty("switchboard.exec.spawn")) || Runtime.version().feature() < 22) {
                assertThat(fd0).startsWith("pipe:"); // run the JDK's way on purpose, or a JDK 21 build
            } else {
                assertThat(fd0).startsWith("socket:");
            }
            assertThat(server.allStderr()).noneMatch(l -> l.contains("WARNING"));
        }
    }

    @Test
    void withoutTheManifestsOptionsExecQuietlyTakesTheJdksWay() throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("switchboard.jar"), "dev.switchboard.cli.Main"));
        command.addAll(List.of(serveExec()));
        try (ServerProcess server = ServerProcess.of(new ProcessBuilder(command))) {
            String fd0 = ask(server);
            server.terminate();
            assertThat(server.exitCode()).isZero();
            assertThat(fd0).startsWith("pipe:");
            assertThat(server.allStderr()).noneMatch(l -> l.contains("WARNING"));
        }
    }

    @Test
    void theRecordHasTheExitStatusAndTheBytesEachWay() throws Exception {
        try (ServerProcess server = ServerProcess.of(new ProcessBuilder(Proc.switchboard(
                "serve", "exec", "--bind", "127.0.0.1", "--port", "0", "--", "sh", "-c", "cat; echo bye; exit 3")))) {
            try (Socket s = new Socket("127.0.0.1", server.listening().getPort())) {
                s.setSoTimeout(20_000);
                s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput(); // cat ends; what the shell writes afterwards still arrives
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("hello\nbye\n");
            }
            String record = server.awaitLine(l -> l.contains("event=close"));
            assertThat(record).contains(" in=6 ", " out=10 ", "outcome=exit=3");
        }
    }

    /**
     * A terminal's Ctrl-C (and anything else that signals a process group) reaches the server's
     * whole group. A program in it died at once, and its caller's data with it, where the
     * server's first signal promises open connections the grace. TERM, not INT: a shell
     * without job control starts background jobs with SIGINT ignored, and so would the server.
     */
    @ParameterizedTest
    @ValueSource(strings = {"exec", "fork"})
    void aSignalToTheServersProcessGroupLeavesTheProgramsToFinish(String how) throws Exception {
        assumeTrue(!"jdk".equals(System.getProperty("switchboard.exec.spawn")) && Runtime.version().feature() >= 22,
                "the JDK's way starts programs in the server's process group (README says so)");
        List<String> command = new ArrayList<>(List.of("setsid")); // the server leads a group of its own
        command.addAll(Proc.switchboard(how.equals("exec")
                ? new String[] {"serve", "exec", "--bind", "127.0.0.1", "--grace", "30", "--", "cat"}
                : new String[] {"serve", "echo", "--model", "fork", "--bind", "127.0.0.1", "--grace", "30"}));
        try (ServerProcess server = ServerProcess.of(new ProcessBuilder(command))) {
            InetSocketAddress at = server.listening();
            try (Socket s = new Socket(at.getAddress(), at.getPort())) {
                s.setSoTimeout(20_000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                out.write("before\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(in.readNBytes(7), StandardCharsets.US_ASCII)).isEqualTo("before\n");
                Process kill = new ProcessBuilder("kill", "-TERM", "--", "-" + server.process.pid()).start();
                assertThat(kill.waitFor()).isZero();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (accepts(at) && System.nanoTime() < deadline) Thread.sleep(20); // polling a deadline
                assertThat(accepts(at)).as("the server heard the signal").isFalse();
                out.write("after\n".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("after\n");
            }
            assertThat(server.exitCode()).isZero();
            assertThat(server.awaitLine(l -> l.contains("event=close id=1 "))).contains(" in=13 out=13 ", "outcome=exit=0");
        }
    }

    private static boolean accepts(InetSocketAddress at) {
        try (Socket s = new Socket()) {
            s.connect(at, 1000);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static String[] serveExec() {
        return new String[] {"serve", "exec", "--bind", "127.0.0.1", "--port", "0", "--", "readlink", "/proc/self/fd/0"};
    }

    /** Connects once and returns what the program said: where its stdin leads. */
    private static String ask(ServerProcess server) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.listening().getPort())) {
            s.setSoTimeout(20_000);
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
        }
    }
}
