package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BenchCommandTest {

    record Run(int code, String out, String err, long millis) {
    }

    static Run bench(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("bench"));
        all.addAll(List.of(args));
        long t0 = System.nanoTime();
        int code = Main.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString(), (System.nanoTime() - t0) / 1_000_000);
    }

    /** A --server-command that starts {@link StandInServer} with this JVM, for {service} and {model}. */
    private static String standInCommand() {
        String java = ProcessHandle.current().info().command().orElseThrow();
        return java + " -cp " + System.getProperty("java.class.path") + " " + StandInServer.class.getName()
                + " {service} {model}";
    }

    @Test
    void greetPrintsATableAndExitsZero() throws Exception {
        try (GreetServer server = new GreetServer()) {
            Run r = bench("127.0.0.1", "" + server.port(), "-c", "2", "-d", "1s", "--warmup", "0",
                    "--expect", "Hello, person from 127.0.0.1:");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("greet, 2 connections").contains("conn/s").contains("p99.9")
                    .contains("errors     0");
            assertThat(r.err()).isEmpty(); // no live line when stderr is not a terminal
        }
    }

    @Test
    void jsonIsOneObjectOnStdout() throws Exception {
        try (GreetServer server = new GreetServer()) {
            Run r = bench("127.0.0.1", "" + server.port(), "--mode", "greet", "-c", "1", "-d", "500ms",
                    "--warmup", "0", "--json");
            assertThat(r.code()).isZero();
            assertThat(r.out().strip()).startsWith("{").endsWith("}").doesNotContain("\n")
                    .containsPattern("\"completed\": [1-9]").contains("\"errors\": 0");
        }
    }

    @Test
    void nothingSucceedingExitsOneOnTimeAndSaysWhy() throws Exception {
        Run r = bench("127.0.0.1", "" + GreetServer.refusingPort(), "-c", "2", "-d", "1s", "--warmup", "0");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("switchboard: bench: nothing succeeded (refused ");
        assertThat(r.out()).containsPattern("errors +\\d+: refused \\d+");
        assertThat(r.millis()).isLessThan(3000);
    }

    @Test
    void helpListsEveryOption() {
        Run r = bench("--help");
        assertThat(r.code()).isZero();
        for (String option : List.of("--mode", "--connections", "--duration", "--warmup", "--size", "--expect",
                "--rate", "--timeout", "--threads", "--json", "--models", "--service", "--rounds", "--report")) {
            assertThat(r.out()).contains(option);
        }
    }

    @Test
    void usageErrorsExitTwoWithOneLine() {
        assertThat(bench().code()).isEqualTo(2);
        assertThat(bench("127.0.0.1", "1", "--rate", "fast").code()).isEqualTo(2);
        Run r = bench("127.0.0.1", "1", "--mode", "echo", "--expect", "x");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("switchboard: --expect applies to greet only");
        assertThat(bench("127.0.0.1", "1", "-d", "soon").code()).isEqualTo(2);
        assertThat(bench("127.0.0.1", "1", "--mode", "sing").code()).isEqualTo(2);
        assertThat(bench("127.0.0.1", "1", "--models", "serial").code()).isEqualTo(2);
        assertThat(bench("--models", "serial", "--service", "chargen").code()).isEqualTo(2);
        assertThat(bench("127.0.0.1", "1", "--report", "x.html").code()).isEqualTo(2);
        assertThat(bench("127.0.0.1", "1", "--size", "10").code()).isEqualTo(2);
        assertThat(bench("127.0.0.1", "1", "--mode", "hold", "--rate", "10/s").code()).isEqualTo(2);
        assertThat(bench("--models", "serial", "--json").code()).isEqualTo(2);
        assertThat(bench("--models", "serial", "--rounds", "0").code()).isEqualTo(2);
    }

    @Test
    void labOptionsWithoutTheLabAreRefusedRatherThanIgnored() throws Exception {
        // --rounds 3 against one server would otherwise run once, as if it had not been said.
        Run r = bench("127.0.0.1", "" + GreetServer.refusingPort(), "--rounds", "3", "-d", "200ms", "--warmup", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("switchboard: --service, --rounds and --report belong to the model lab (--models)"
                + System.lineSeparator());
        assertThat(r.out()).isEmpty();
    }

    @Test
    void theLabComparesEveryModelAndWritesAReport(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("lab.html");
        String standIn = standInCommand();
        Run r = bench("--models", "serial,threads,virtual,fork", "--service", "greet", "-c", "4", "-d", "1s",
                "--warmup", "0", "--rounds", "1", "--report", report.toString(), "--server-command", standIn);
        assertThat(r.code()).as(r.err()).isZero();
        List<String> rows = r.out().lines().toList();
        assertThat(rows.get(0)).contains("model").contains("rate (conn/s)").contains("p50").contains("p99")
                .contains("errors").contains("served").contains("server CPU").contains("peak mem").contains("vs best");
        for (String model : List.of("serial", "threads", "virtual", "fork")) {
            assertThat(rows).anySatisfy(row -> assertThat(row).startsWith(model).contains("MiB"));
        }
        assertThat(rows).anySatisfy(row -> assertThat(row).endsWith("1.00"));
        String html = Files.readString(report);
        assertThat(html).contains("<svg").contains("fork").contains("--models serial,threads,virtual,fork");
    }

    @Test
    void theReportsCommandCanBePastedBackIntoAShell(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("lab.html");
        String standIn = standInCommand();
        Run r = bench("--models", "serial", "-c", "1", "-d", "300ms", "--warmup", "0", "--rounds", "1",
                "--expect", "Hello, person from", "--report", report.toString(), "--server-command", standIn);
        assertThat(r.code()).as(r.err()).isZero();
        // Each word as the shell needs it: the text with spaces quoted, the plain words as typed.
        assertThat(Files.readString(report)).contains("<pre>switchboard bench --models serial -c 1 -d 300ms --warmup 0"
                + " --rounds 1 --expect 'Hello, person from' --report " + report + " --server-command '" + standIn + "'</pre>");
    }

    @Test
    void theLabRefusesAModeOtherThanItsService() throws Exception {
        String standIn = standInCommand();
        // --mode greet is the default's name, but said out loud against --service echo it is a contradiction.
        Run r = bench("--models", "serial", "--service", "echo", "--mode", "greet", "-c", "1", "-d", "200ms",
                "--warmup", "0", "--rounds", "1", "--server-command", standIn);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("switchboard: the lab's load follows --service; leave out --mode" + System.lineSeparator());
        assertThat(r.out()).isEmpty();
    }

    @Test
    void theLabStartsThisSwitchboardsServePerModel() {
        List<String> cmd = LabCommand.serverCommand(null, "echo").apply("fork");
        assertThat(cmd.get(0)).isEqualTo(ProcessHandle.current().info().command().orElseThrow());
        assertThat(String.join(" ", cmd)).contains(" dev.switchboard.cli.Main serve echo --model fork --port 0");
        assertThat(LabCommand.serverCommand("srv {service} -m {model}", "greet").apply("serial"))
                .containsExactly("srv", "greet", "-m", "serial");
    }

    @Test
    void aModelWhoseServerNeverListensIsReportedNotFatal() throws Exception {
        String standIn = standInCommand();
        Run r = bench("--models", "broken", "--service", "echo", "-c", "1", "-d", "500ms", "--warmup", "0",
                "--rounds", "1", "--server-command", standIn);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("broken     failed: the server exited before listening: serve: unknown model broken");
    }
}
