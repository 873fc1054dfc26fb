package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** Every wrong serve option answers one clear line and exit 2, before anything is bound. */
@Timeout(30)
class ServeOptionsTest {

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        Logging.configure();
        CommandLine cli = Main.commandLine();
        ((ServeCommand) cli.getSubcommands().get("serve").getCommand()).catalog(TestServices.CATALOG);
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    static Stream<Arguments> badCommandLines() {
        return Stream.of(
                Arguments.of("port above 65535", "--port 65536", "port 65536 is out of range (0-65535)"),
                Arguments.of("negative port", "--port -1", "'-1' is not a port number (0-65535)"),
                Arguments.of("port not a number", "--port http", "'http' is not a port number"),
                Arguments.of("zero max connections", "--max-connections 0", "--max-connections must be at least 1"),
                Arguments.of("negative max connections", "--max-connections -5", "--max-connections must be at least 1"),
                Arguments.of("max connections not a number", "--max-connections lots", "'lots' is not an int"),
                Arguments.of("negative max per ip", "--max-per-ip -1", "--max-per-ip must not be negative"),
                Arguments.of("negative backlog", "--backlog -1", "--backlog must not be negative"),
                Arguments.of("prefix too long", "--allow 10.0.0.0/33", "bad prefix length in '10.0.0.0/33'"),
                Arguments.of("host name as block", "--deny example.com", "not an address block: 'example.com'"),
                Arguments.of("v6 prefix too long", "--deny ::/129", "bad prefix length in '::/129'"),
                Arguments.of("idle timeout not a duration", "--idle-timeout soon", "'soon' is not a number of seconds"),
                Arguments.of("zero idle timeout", "--idle-timeout 0", "'0' seconds is out of range"),
                Arguments.of("negative idle timeout", "--idle-timeout -1", "'-1' seconds is out of range"),
                Arguments.of("negative grace", "--grace -3", "'-3' seconds is out of range"),
                Arguments.of("zero kill grace", "--kill-grace 0", "'0' seconds is out of range"),
                Arguments.of("unknown model", "--model forks", "expected one of [serial, threads, virtual, fork, loop]"),
                Arguments.of("loop with blocking code", "--model loop", "--model loop serves the built-in services only"),
                Arguments.of("unknown log format", "--log xml", "expected one of [KV, JSON]"),
                Arguments.of("verbose and quiet", "-v -q", "-v and -q contradict each other"),
                Arguments.of("IPv4 and IPv6 only", "-4 -6", "-4 and -6 cannot be used together"),
                Arguments.of("inherit with a port", "--inherit --port 80", "--inherit serves the socket on stdin; --port does not apply"),
                Arguments.of("inherit with reuse-port", "--inherit --reuse-port", "--reuse-port does not apply"),
                Arguments.of("IPv6 address with -4", "-4 --bind ::1", "--bind ::1 is not an IPv4 address"),
                Arguments.of("IPv4 address with -6", "-6 --bind 127.0.0.1", "--bind 127.0.0.1 is not an IPv6 address"),
                Arguments.of("unknown option", "--frobnicate", "Unknown option: '--frobnicate'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCommandLines")
    void aBadOptionIsOneClearLineAndExitTwo(String name, String options, String message) {
        String[] args = ("serve greet " + options).split(" ");
        assertThat(run(args)).as(name).isEqualTo(2);
        assertThat(firstLine()).startsWith("switchboard").contains(message);
        assertNoTrace();
    }

    @Test
    void anUnknownServiceIsAUsageError() {
        assertThat(run("serve", "frobnicate")).isEqualTo(2);
        assertThat(firstLine()).isEqualTo("switchboard: unknown service: 'frobnicate'");
        assertNoTrace();
    }

    @Test
    void aMissingServiceIsAUsageError() {
        assertThat(run("serve", "--port", "0")).isEqualTo(2);
        assertThat(firstLine()).contains("Missing required parameter: 'SERVICE'");
    }

    @Test
    void anUnresolvableBindAddressIsAUsageError() {
        assertThat(run("serve", "greet", "--bind", "no-such-host.invalid")).isEqualTo(2);
        assertThat(firstLine()).isEqualTo("switchboard: --bind no-such-host.invalid: no such address");
    }

    @Test
    void aPortInUseIsExitOneNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            assertThat(run("serve", "greet", "--bind", "127.0.0.1", "--port", Integer.toString(taken.getLocalPort())))
                    .isEqualTo(1);
            assertThat(firstLine()).isEqualTo(
                    "switchboard: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": address already in use");
            assertNoTrace();
        }
    }

    @Test
    void theBuiltInCatalogueRejectsAnUnknownServiceAsAUsageError() {
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        assertThat(cli.execute("serve", "nosuchservice")).isEqualTo(2);
        assertThat(firstLine()).startsWith("switchboard: unknown service").contains("'nosuchservice'");
        assertNoTrace();
    }

    @Test
    void execOnTheLoopModelIsAUsageError() {
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        assertThat(cli.execute("serve", "exec", "--model", "loop", "--", "cat")).isEqualTo(2);
        assertThat(firstLine()).isEqualTo("switchboard: --model loop serves the built-in services only;"
                + " exec is blocking code: use --model virtual (or fork)");
        assertNoTrace();
    }

    private String firstLine() {
        return err.toString().lines().findFirst().orElse("");
    }

    private void assertNoTrace() {
        assertThat(err.toString()).doesNotContain("\tat ", "Exception");
        assertThat(err.toString().lines().count()).isLessThanOrEqualTo(2); // the line, and picocli's "(try --help)"
    }
}
