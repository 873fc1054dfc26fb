package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Command lines that make no sense: one line naming the problem, exit 2, nothing attempted. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class UsageErrorsTest {

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @org.junit.jupiter.api.Test
    void helpIsUsageOnStdoutAndExit0() {
        for (String command : new String[] {"connect", "listen"}) {
            Run r = run(command, "--help");
            assertThat(r.exit()).isZero();
            assertThat(r.out()).startsWith("Usage: switchboard " + command).contains("--idle-timeout");
            assertThat(r.err()).isEmpty();
        }
    }

    /**
     * switchboard --help lists each command with the first line of its description: that line
     * is a whole sentence (relay's and bench's used to stop mid-sentence at a comma), and the
     * summary on top names every command.
     */
    @org.junit.jupiter.api.Test
    void helpListsEveryCommandWithAWholeSentence() {
        Run r = run("--help");
        assertThat(r.exit()).isZero();
        String commands = r.out().substring(r.out().indexOf("Commands:\n") + "Commands:\n".length());
        java.util.Map<String, String> summaries = new java.util.LinkedHashMap<>();
        String last = null;
        for (String line : commands.lines().toList()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^  (\\w+)\\s+(.*)$").matcher(line);
            if (m.matches()) {
                summaries.put(last = m.group(1), m.group(2));
            } else {
                summaries.merge(last, " " + line.strip(), String::concat);
            }
        }
        assertThat(summaries).containsOnlyKeys("help", "connect", "listen", "serve", "relay", "bench");
        assertThat(summaries.values()).allSatisfy(s -> assertThat(s).endsWith("."));
        String summary = r.out().substring(r.out().indexOf('\n') + 1, r.out().indexOf("\n      --debug"));
        for (String command : Main.COMMANDS) {
            if (!command.equals("handle")) assertThat(summary).containsPattern("\\(([a-z]+, )*" + command + "(, [a-z]+)*\\)");
        }
    }

    /**
     * A word that is no command is called one, with the list of commands:
     * it used to be "Unmatched argument at index 0: 'frob'".
     */
    @org.junit.jupiter.api.Test
    void anUnknownCommandIsCalledOne() {
        assertOneLineAndExit2(run("frob"), "switchboard: unknown command 'frob' (commands: connect, listen, serve, relay, bench)");
        assertOneLineAndExit2(run("--debug", "frob", "x"), "switchboard: unknown command 'frob' (commands: connect, listen, serve, relay, bench)");
        assertOneLineAndExit2(run("conect", "localhost", "80"), "switchboard: unknown command 'conect' (commands: connect, listen, serve, relay, bench)");
        assertOneLineAndExit2(run("--frob"), "switchboard: Unknown option: '--frob'");
    }

    /** Each command's --version (its help lists it) prints the tool's: it used to print nothing. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"connect", "listen", "serve", "relay", "bench"})
    void everyCommandsVersionIsTheTools(String command) {
        Run tool = run("--version");
        assertThat(tool.out()).startsWith("switchboard ");
        assertThat(run(command, "--help").out()).contains("-V, --version");
        assertThat(run(command, "--version")).isEqualTo(tool);
        assertThat(run(command, "-V")).isEqualTo(tool);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "connect localhost 70000            | switchboard connect: PORT: port 70000 is out of range (0-65535)",
        "connect localhost abc              | switchboard connect: PORT: 'abc' is not a port number (0-65535)",
        "connect localhost 0                | switchboard connect: PORT: port 0 cannot be connected to",
        "connect localhost 22,80            | switchboard connect: PORT: '22,80' is not a port number (0-65535) (lists and ranges need -z)",
        "connect -4 -6 localhost 80         | switchboard connect: -4 and -6 cannot be used together",
        "connect --send x --crlf localhost 80 | switchboard connect: --send and --crlf cannot be used together (write \\r\\n in the --send text)",
        "connect --send \\q localhost 80    | switchboard connect: --send: unknown escape '\\q' (known: \\r \\n \\t \\0 \\\\ \\xHH)",
        "connect -z --send x localhost 80   | switchboard connect: -z sends nothing: it cannot be used with --send, --crlf, --no-shutdown, -i or -p",
        "connect -z -p 5000 localhost 80    | switchboard connect: -z sends nothing: it cannot be used with --send, --crlf, --no-shutdown, -i or -p",
        "connect -z localhost 10-5          | switchboard connect: PORT: range '10-5' runs backwards",
        "connect -w 0 localhost 80          | switchboard connect: Invalid value for option '--connect-timeout': '0' seconds is out of range (more than 0, at most a year)",
        "connect -i abc localhost 80        | switchboard connect: Invalid value for option '--idle-timeout': 'abc' is not a number of seconds",
        "connect -p 70000 localhost 80      | switchboard connect: Invalid value for option '--source-port': port 70000 is out of range (0-65535)",
        "connect localhost                  | switchboard connect: Missing required parameter: 'PORT'",
        "listen 70000                       | switchboard listen: Invalid value for positional parameter at index 0 (PORT): port 70000 is out of range (0-65535)",
        "listen -4 -6 0                     | switchboard listen: -4 and -6 cannot be used together",
        "listen -4 -s ::1 0                 | switchboard listen: ::1 is not an IPv4 address",
        "listen --send a --crlf 0           | switchboard listen: --send and --crlf cannot be used together (write \\r\\n in the --send text)",
    })
    void oneLineAndExit2(String commandLine, String message) {
        assertOneLineAndExit2(run(commandLine.strip().split(" +")), message);
    }

    /**
     * An empty HOST or -s (an unset shell variable, say) is a mistake, not this machine: Java
     * reads "" as the loopback address, so we used to call or listen on 127.0.0.1 instead.
     */
    @org.junit.jupiter.api.Test
    void anEmptyHostOrAddressIsNotLoopback() {
        assertOneLineAndExit2(run("connect", "", "80"), "switchboard connect: HOST is empty");
        assertOneLineAndExit2(run("connect", "-z", "", "80"), "switchboard connect: HOST is empty");
        assertOneLineAndExit2(run("connect", "-s", "", "localhost", "80"), "switchboard connect: -s is empty");
        assertOneLineAndExit2(run("listen", "-s", "", "0"), "switchboard listen: -s is empty");
    }

    /** The "-z" hint only where -z would have taken the PORT: "-1" is no list or range. */
    @org.junit.jupiter.api.Test
    void theScanHintOnlyForARealListOrRange() {
        assertThat(run("connect", "localhost", "-1").err().lines().findFirst())
                .contains("switchboard connect: PORT: '-1' is not a port number (0-65535)");
        assertThat(run("connect", "localhost", "80-").err().lines().findFirst())
                .contains("switchboard connect: PORT: '80-' is not a port number (0-65535)");
        assertThat(run("connect", "localhost", "80-90").err().lines().findFirst())
                .contains("switchboard connect: PORT: '80-90' is not a port number (0-65535) (lists and ranges need -z)");
    }

    private static void assertOneLineAndExit2(Run r, String message) {
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines().findFirst()).contains(message);
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }
}
