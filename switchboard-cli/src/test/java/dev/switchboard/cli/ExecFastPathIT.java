package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
