package dev.switchboard.cli;

import static dev.switchboard.cli.UsageErrorsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code relay}'s and the shared server options' command lines that make no sense: one line, exit 2. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RelayOptionsTest {

    @Test
    void helpListsTheRelaysOptionsAndServesOnes() {
        UsageErrorsTest.Run r = run("relay", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("Usage: switchboard relay")
                .contains("--listen", "--to", "--send-proxy", "--connect-timeout", "--backoff",
                        "--max-connections", "--allow", "--idle-timeout", "--proxy-protocol", "--proxy-from", "--model");
        assertThat(run("serve", "--help").out()).contains("--proxy-protocol", "--proxy-from", "--proxy-timeout");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "relay --listen 0                              | switchboard: name an upstream: --to HOST:PORT",
        "relay --to 127.0.0.1:9                        | switchboard: name where to listen: --listen [ADDR:]PORT",
        "relay --listen 0 --to nowhere                 | switchboard relay: Invalid value for option '--to' (HOST:PORT): expected HOST:PORT, got \"nowhere\"",
        "relay --listen 0 --to ::1:80                  | switchboard relay: Invalid value for option '--to' (HOST:PORT): write an IPv6 upstream in brackets: [::1]:PORT",
        "relay --listen 70000 --to 127.0.0.1:9         | switchboard: --listen 70000: port 70000 is out of range (0-65535)",
        "relay --listen ::1:80 --to 127.0.0.1:9        | switchboard: --listen: write an IPv6 address in brackets: [::1]:PORT",
        "relay --listen 0 --to 127.0.0.1:9 --model fork | switchboard: relay runs in-process: --model fork is not available (use threads or virtual)",
        "relay --listen 0 --to 127.0.0.1:9 --send-proxy v3 | switchboard relay: Invalid value for option '--send-proxy'",
        "relay --listen 0 --to 127.0.0.1:9 --proxy-from 10.0.0.0/8 | switchboard: --proxy-from needs --proxy-protocol",
        "serve greet --proxy-timeout 1                 | switchboard: --proxy-timeout needs --proxy-protocol",
        "serve greet --proxy-protocol --proxy-from x   | switchboard serve: Invalid value for option '--proxy-from'",
        "relay --inherit --listen 0 --to 127.0.0.1:9   | switchboard: --inherit serves the socket on stdin; --listen does not apply",
        "connect -z --send-proxy v1 localhost 80       | switchboard connect: -z sends nothing: it cannot be used with --send-proxy",
    })
    void oneLineAndExit2(String commandLine, String message) {
        UsageErrorsTest.Run r = run(commandLine.strip().split(" +"));
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err().lines().findFirst()).hasValueSatisfying(l -> assertThat(l).startsWith(message));
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }
}
