package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.model.ProcessPerConnection;
import dev.switchboard.server.ConnectionHandler;
import dev.switchboard.service.Exec;
import dev.switchboard.service.ProtocolHandler;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** serve's catalogue: which handler and fork model each request gets, and what it refuses. */
@Timeout(10)
class BuiltInServicesTest {

    static final ServiceCatalog CATALOG = ServiceCatalog.BUILT_IN;

    static ServiceRequest request(String name, String message, String... command) {
        return new ServiceRequest(name, message, List.of(command));
    }

    @Test
    void everyBuiltInServiceRunsThroughTheProtocolAdapter() {
        for (String name : List.of("greet", "echo", "discard", "chargen", "daytime", "time")) {
            assertThat(CATALOG.handlerFor(request(name, null))).as(name).isInstanceOf(ProtocolHandler.class);
        }
        assertThat(CATALOG.handlerFor(request("greet", "hi {remote}"))).isInstanceOf(ProtocolHandler.class);
    }

    @Test
    void execRunsItsProgram() {
        ConnectionHandler handler = CATALOG.handlerFor(request("exec", null, "cat", "-u"));
        assertThat(handler).isInstanceOfSatisfying(Exec.class, e -> assertThat(e.command()).containsExactly("cat", "-u"));
    }

    @Test
    void theForkModelRunsHandleForBuiltInsAndTheProgramForExec() {
        ServiceRequest greet = request("greet", "hi {remote}");
        ConnectionHandler child = CATALOG.forkModel(greet).adapt(CATALOG.handlerFor(greet));
        assertThat(child).isInstanceOfSatisfying(Exec.class, e -> assertThat(e.command())
                .endsWith(Main.class.getName(), "handle", "greet", "--message", "hi {remote}"));

        ServiceRequest exec = request("exec", null, "cat");
        ConnectionHandler program = CATALOG.handlerFor(exec);
        assertThat(CATALOG.forkModel(exec)).isInstanceOf(ProcessPerConnection.class);
        assertThat(CATALOG.forkModel(exec).adapt(program)).isSameAs(program);
    }

    @Test
    void serveHandsItsIdleTimeoutAndKillGraceToExecAndForkChildren() {
        Exec plain = execOf(serve("exec", "--", "cat"));
        assertThat(plain.idleTimeout()).isNull();
        assertThat(plain.grace()).isEqualTo(Exec.DEFAULT_GRACE);

        ServeCommand tuned = serve("exec", "--idle-timeout", "1.5", "--kill-grace", "0.25", "--", "cat");
        Exec exec = execOf(tuned);
        assertThat(exec.idleTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(exec.grace()).isEqualTo(Duration.ofMillis(250));

        ServiceRequest greet = request("greet", null);
        ConnectionHandler child = tuned.services().forkModel(greet).adapt(tuned.services().handlerFor(greet));
        assertThat(child).isInstanceOfSatisfying(Exec.class, e -> {
            assertThat(e.idleTimeout()).isEqualTo(Duration.ofMillis(1500));
            assertThat(e.grace()).isEqualTo(Duration.ofMillis(250));
        });
    }

    private static ServeCommand serve(String... args) {
        CommandLine root = Main.commandLine();
        String[] line = new String[args.length + 1];
        line[0] = "serve";
        System.arraycopy(args, 0, line, 1, args.length);
        root.parseArgs(line);
        return root.getSubcommands().get("serve").getCommand();
    }

    private static Exec execOf(ServeCommand serve) {
        return (Exec) serve.services().handlerFor(request("exec", null, "cat"));
    }

    @Test
    void mistakesAreUsageErrorsWithOneClearLine() {
        assertUsage(request("gopher", null), "unknown service 'gopher' (known: greet, echo, discard, chargen, daytime, time, exec)");
        assertUsage(request("exec", null), "exec needs a program");
        assertUsage(request("echo", null, "cat"), "echo runs no program");
        assertUsage(request("echo", "hi"), "--message is greet's option");
        assertUsage(request("exec", "hi", "cat"), "--message is greet's option");
        assertUsage(request("greet", "hi {nope}"), "{nope}");
    }

    static void assertUsage(ServiceRequest request, String message) {
        assertThatThrownBy(() -> CATALOG.handlerFor(request)).isInstanceOfSatisfying(Failure.class,
                f -> assertThat(f.exitCode()).isEqualTo(ExitCode.USAGE)).hasMessageContaining(message);
        assertThatThrownBy(() -> CATALOG.forkModel(request)).isInstanceOf(Failure.class).hasMessageContaining(message);
    }
}
