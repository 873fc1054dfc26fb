package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code switchboard bench} as a real process: the jar, its exit codes, stdout and stderr. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BenchIT {

    record Done(int code, String out, String err, long millis) {
    }

    static Done run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-jar", System.getProperty("switchboard.jar"), "bench"));
        cmd.addAll(List.of(args));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Done(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8),
                (System.nanoTime() - t0) / 1_000_000);
    }

    @Test
    void loadsAGreetServerAndPrintsJson() throws Exception {
        try (GreetServer server = new GreetServer()) {
            Done d = run("127.0.0.1", "" + server.port(), "-c", "2", "-d", "1s", "--warmup", "200ms", "--json",
                    "--expect", "Hello");
            assertThat(d.code()).as(d.err()).isZero();
            assertThat(d.out()).containsPattern("\"completed\": [1-9]").contains("\"mode\": \"greet\"");
            assertThat(d.err()).isEmpty();
        }
    }

    @Test
    void saysSoWhenItRunsShortOfDescriptors() throws Exception {
        // A listener that never accepts: the kernel completes up to the backlog's worth of
        // connections and they stay open, so every one holds a descriptor of ours.
        try (ServerSocket quiet = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress())) {
            String cmd = "ulimit -n 128 && exec \"$0\" -jar \"$1\" bench 127.0.0.1 " + quiet.getLocalPort()
                    + " --mode hold -c 400 -d 1s";
            List<String> argv = List.of("bash", "-c", cmd, ProcessHandle.current().info().command().orElseThrow(),
                    System.getProperty("switchboard.jar"));
            Process p = new ProcessBuilder(argv).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(err).contains("switchboard: bench: ran short of file descriptors").contains("(limit 128)");
            assertThat(out).contains("no-files");
            assertThat(p.exitValue()).as(err).isZero(); // the connections it could open were held
        }
    }

    @Test
    void theLiveLineIsClearedBeforeTheTableOnATerminal() throws Exception {
        // script(1) runs bench on a pseudo-terminal, as a person would see it: stdout and
        // stderr on one screen, so the clearing of the live line must reach it before the table.
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "script(1) is not installed");
        try (GreetServer server = new GreetServer()) {
            String bench = "'" + ProcessHandle.current().info().command().orElseThrow() + "' -jar '"
                    + System.getProperty("switchboard.jar") + "' bench 127.0.0.1 " + server.port()
                    + " -c 1 -d 1500ms --warmup 0";
            Process p = new ProcessBuilder("/usr/bin/script", "-qec", bench, "/dev/null").redirectErrorStream(true).start();
            p.getOutputStream().close();
            String screen = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(screen).contains("errors 0").contains("\r" + " ".repeat(79) + "\rtarget     127.0.0.1:");
        }
    }

    @Test
    void theLiveLineFollowsStderrNotStdout(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "script(1) is not installed");
        Path log = dir.resolve("err.log");
        Path json = dir.resolve("out.json");
        try (GreetServer server = new GreetServer()) {
            String bench = "'" + ProcessHandle.current().info().command().orElseThrow() + "' -jar '"
                    + System.getProperty("switchboard.jar") + "' bench 127.0.0.1 " + server.port()
                    + " -c 1 -d 1500ms --warmup 0";
            // stderr to a file: no progress lines in it. stdout to a file: progress on the screen.
            String both = bench + " 2>'" + log + "'; " + bench + " --json >'" + json + "'";
            Process p = new ProcessBuilder("/usr/bin/script", "-qec", both, "/dev/null").redirectErrorStream(true).start();
            p.getOutputStream().close();
            String screen = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(log)).isEmpty();
            assertThat(Files.readString(json)).startsWith("{\"mode\": \"greet\"");
            assertThat(screen).contains("target     127.0.0.1:").containsPattern("1\\.[0-9]s +[0-9,]+ conn/s  p99 ");
        }
    }

    @Test
    void stopsOnTimeAndExitsOneWhenNothingSucceeds() throws Exception {
        Done d = run("127.0.0.1", "" + GreetServer.refusingPort(), "-d", "1s", "--warmup", "0");
        assertThat(d.code()).isEqualTo(1);
        assertThat(d.err()).contains("nothing succeeded (refused").doesNotContain("Exception");
        assertThat(d.millis()).isLessThan(10_000); // JVM start included
    }
}
