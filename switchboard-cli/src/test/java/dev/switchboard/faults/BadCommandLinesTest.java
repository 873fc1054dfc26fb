package dev.switchboard.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Case 8: every option of connect, listen, serve and bench given a wrong value, each case
 * named: one line naming the problem (picocli may add its "try --help" hint), exit 2, no
 * stack trace, nothing on stdout. Complements UsageErrorsTest (connect/listen) and
 * ServeOptionsTest (serve's 24 cases), which are not repeated here.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BadCommandLinesTest {

    record Run(int exit, String out, String err) {
    }

    static Run run(String commandLine) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(commandLine.strip().split(" +"), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    static Stream<Arguments> badCommandLines() {
        return Stream.of(
                // connect
                Arguments.of("connect: negative connect timeout", "connect -w -1 localhost 80", "'-1' seconds is out of range"),
                Arguments.of("connect: connect timeout not a number", "connect -w abc localhost 80", "'abc' is not a number of seconds"),
                Arguments.of("connect: zero idle timeout", "connect -i 0 localhost 80", "'0' seconds is out of range"),
                Arguments.of("connect: negative idle timeout", "connect -i -5 localhost 80", "'-5' seconds is out of range"),
                Arguments.of("connect: malformed source address", "connect -s 999.1.1.1 localhost 80", "-s 999.1.1.1: no such address"),
                Arguments.of("connect: unknown source host", "connect -s nosuch.invalid localhost 80", "-s nosuch.invalid: no such address"),
                Arguments.of("connect: IPv4 source with -6", "connect -6 -s 127.0.0.1 localhost 80", "-s 127.0.0.1 is not an IPv6 address"),
                Arguments.of("connect: IPv6 source with -4", "connect -4 -s ::1 localhost 80", "-s ::1 is not an IPv4 address"),
                Arguments.of("connect: negative source port", "connect -p -1 localhost 80", "'-1' is not a port number"),
                Arguments.of("connect: source port not a number", "connect -p abc localhost 80", "'abc' is not a port number"),
                Arguments.of("connect: --send without text", "connect --send", "Missing required parameter for option '--send'"),
                Arguments.of("connect: unknown option", "connect --frobnicate localhost 80", "Unknown option: '--frobnicate'"),
                Arguments.of("connect: no host and port", "connect", "Missing required parameters: 'HOST', 'PORT'"),
                Arguments.of("connect: scan with --crlf", "connect -z --crlf localhost 80", "-z sends nothing"),
                Arguments.of("connect: scan with --no-shutdown", "connect -z --no-shutdown localhost 80", "-z sends nothing"),
                Arguments.of("connect: scan range out of range", "connect -z localhost 65536-65537", "port 65536 is out of range"),
                Arguments.of("connect: scan range from port 0", "connect -z localhost 0-10", "port 0 cannot be connected to"),
                Arguments.of("connect: two ports", "connect localhost 80 81", "Unmatched argument at index 3: '81'"),
                Arguments.of("connect: -v twice", "connect -v -v localhost 80", "should be specified only once"),
                // listen
                Arguments.of("listen: port not a number", "listen abc", "'abc' is not a port number"),
                Arguments.of("listen: negative port", "listen -1", "'-1' is not a port number"),
                Arguments.of("listen: zero idle timeout", "listen -i 0 0", "'0' seconds is out of range"),
                Arguments.of("listen: negative idle timeout", "listen -i -5 0", "'-5' seconds is out of range"),
                Arguments.of("listen: idle timeout not a number", "listen -i abc 0", "'abc' is not a number of seconds"),
                Arguments.of("listen: unknown address", "listen -s nosuch.invalid 0", "-s nosuch.invalid: no such address"),
                Arguments.of("listen: IPv4 address with -6", "listen -6 -s 127.0.0.1 0", "127.0.0.1 is not an IPv6 address"),
                Arguments.of("listen: unknown --send escape", "listen --send \\q 0", "unknown escape '\\q'"),
                Arguments.of("listen: no port", "listen", "Missing required parameter: 'PORT'"),
                Arguments.of("listen: unknown option", "listen --frobnicate 0", "Unknown option: '--frobnicate'"),
                Arguments.of("listen: two ports", "listen 1 2", "Unmatched argument at index 2: '2'"),
                // serve (beyond ServeOptionsTest)
                Arguments.of("serve: bad --env name", "serve exec --env 1BAD -- cat", "bad environment variable name '1BAD'"),
                Arguments.of("serve: --env for a built-in", "serve greet --env FOO", "--env is exec's option, not greet's"),
                Arguments.of("serve: --message for echo", "serve echo --message hi", "--message is greet's option, not echo's"),
                Arguments.of("serve: --message for exec", "serve exec --message x -- cat", "--message is greet's option, not exec's"),
                Arguments.of("serve: exec without a program", "serve exec", "exec needs a program"),
                Arguments.of("serve: a program for greet", "serve greet -- cat", "greet runs no program"),
                Arguments.of("serve: unknown placeholder", "serve greet --message {nope}", "unknown placeholder {nope}"),
                Arguments.of("serve: grace not a number", "serve greet --grace abc", "'abc' is not a number of seconds"),
                Arguments.of("serve: backlog not a number", "serve greet --backlog x", "'x' is not an int"),
                Arguments.of("serve: max per ip not a number", "serve greet --max-per-ip x", "'x' is not an int"),
                Arguments.of("serve: max connections too big", "serve greet --max-connections 99999999999", "is not an int"),
                Arguments.of("serve: idle timeout beyond a year", "serve greet --idle-timeout 99999999999", "seconds is out of range"),
                Arguments.of("serve: two prefixes", "serve greet --allow 10.0.0.0/8/8", "bad prefix length in '10.0.0.0/8/8'"),
                Arguments.of("serve: octet over 255", "serve greet --allow 300.0.0.0/8", "not an address block: '300.0.0.0/8'"),
                Arguments.of("serve: negative prefix", "serve greet --deny 10.0.0.0/-1", "bad prefix length in '10.0.0.0/-1'"),
                Arguments.of("serve: inherit with bind", "serve greet --inherit --bind 127.0.0.1", "--bind does not apply"),
                Arguments.of("serve: inherit with -6", "serve greet --inherit -6", "-6 does not apply"),
                Arguments.of("serve: inherit with backlog", "serve greet --inherit --backlog 5", "--backlog does not apply"),
                // bench
                Arguments.of("bench: zero connections", "bench -c 0 localhost 80", "connections must be at least 1"),
                Arguments.of("bench: negative connections", "bench -c -1 localhost 80", "connections must be at least 1"),
                Arguments.of("bench: connections not a number", "bench -c x localhost 80", "'x' is not an int"),
                Arguments.of("bench: zero duration", "bench -d 0 localhost 80", "the duration must be positive"),
                Arguments.of("bench: negative duration", "bench -d -5s localhost 80", "'-5s' is not a duration"),
                Arguments.of("bench: duration not a duration", "bench -d soon localhost 80", "'soon' is not a duration"),
                Arguments.of("bench: warmup not a duration", "bench --warmup x localhost 80", "'x' is not a duration"),
                Arguments.of("bench: zero echo size", "bench -m echo --size 0 localhost 80", "at least 1 byte"),
                Arguments.of("bench: negative size", "bench -m echo --size -1 localhost 80", "the size must be between 0 and 16 MiB"),
                Arguments.of("bench: size with greet", "bench --size 10 localhost 80", "--size applies to echo"),
                Arguments.of("bench: zero rate", "bench --rate 0/s localhost 80", "'0/s' is not a rate"),
                Arguments.of("bench: rate not a rate", "bench --rate x localhost 80", "'x' is not a rate"),
                Arguments.of("bench: zero timeout", "bench --timeout 0 localhost 80", "the timeout must be positive"),
                Arguments.of("bench: zero threads", "bench --threads 0 localhost 80", "threads must be between 1 and 64"),
                Arguments.of("bench: unknown mode", "bench -m nosuch localhost 80", "expected one of [GREET, ECHO, STREAM, HOLD]"),
                Arguments.of("bench: unknown lab service", "bench --service nosuch --models virtual", "greet or echo, not 'nosuch'"),
                Arguments.of("bench: zero rounds", "bench --rounds 0 --models virtual", "--rounds must be between 1 and 20"),
                Arguments.of("bench: unknown model", "bench --models nosuch", "'nosuch' is not a model name (serial, threads, virtual, fork"),
                Arguments.of("bench: json with the lab", "bench --json --models virtual", "--json is for one run"),
                Arguments.of("bench: lab with a target", "bench --models virtual localhost 80", "drop HOST PORT, or drop --models"),
                Arguments.of("bench: lab option without the lab", "bench --service echo localhost 80", "belong to the model lab"),
                Arguments.of("bench: lab with --mode", "bench --models virtual -m echo", "leave out --mode"),
                Arguments.of("bench: no target", "bench", "name the server"),
                Arguments.of("bench: port out of range", "bench localhost 70000", "between 1 and 65535, not 70000"),
                Arguments.of("bench: port 0", "bench localhost 0", "between 1 and 65535, not 0"),
                Arguments.of("bench: port not a number", "bench localhost x", "'x' is not an int"),
                // the top level
                Arguments.of("unknown command", "nosuchcommand", "unknown command 'nosuchcommand' (commands: connect, listen, serve, relay, bench)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCommandLines")
    void oneClearLineAndExit2(String name, String commandLine, String message) {
        Run r = run(commandLine);
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err().lines().findFirst().orElse("")).startsWith("switchboard").contains(message);
        assertThat(r.err().lines().skip(1)).allMatch(l -> l.startsWith("(try 'switchboard"));
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void listenOnAPortInUseIsExit1NamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Run r = run("listen -s 127.0.0.1 " + taken.getLocalPort());
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err().lines().toList()).hasSize(1);
            assertThat(r.err()).contains("127.0.0.1:" + taken.getLocalPort()).doesNotContain("\tat ");
        }
    }

    @Test
    void serveOnAPortInUseIsExit1NamingTheAddressForEveryService() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            for (String service : new String[] {"echo", "exec -- cat"}) {
                Run r = run("serve " + service.split(" ")[0] + " --bind 127.0.0.1 --port " + taken.getLocalPort()
                        + (service.contains("--") ? " -- cat" : ""));
                assertThat(r.exit()).as(r.err()).isEqualTo(1);
                assertThat(r.err()).contains("127.0.0.1:" + taken.getLocalPort() + ": address already in use");
            }
        }
    }
}
