package dev.switchboard.faults;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The security defaults on the real process: exec passes only the UCSPI-TCP variables, PATH,
 * HOME, LANG and what --env lists (not the server's secrets); no shell is involved unless the
 * user writes one; and bytes a caller gets into a program's stderr reach the server's log
 * escaped and capped, so a caller can't forge a record or drive the operator's terminal.
 * (PROXY garbage in records and PROXY trust: ProxyFaultsTest, in core.)
 */
@Timeout(60)
class SecurityIT {

    @Test
    void execGetsOnlyTheUcspiVariablesAndWhatEnvLists() throws Exception {
        Map<String, String> env = Map.of("SECRET_TOKEN", "hunter2", "FOO", "bar", "LANG", "C.UTF-8", "HOME", "/root");
        try (Server server = Server.startWith(env, "serve", "exec", "--bind", "127.0.0.1",
                "--env", "FOO", "--env", "BAZ=qux", "--", "env")) {
            String text = new String(exchange(server.listening(), new byte[0]), ISO_8859_1);
            Set<String> names = new TreeSet<>();
            for (String line : text.split("\n")) names.add(line.substring(0, line.indexOf('=')));
            assertThat(names).containsExactlyInAnyOrder("PATH", "HOME", "LANG", "FOO", "BAZ", "PROTO", "TCPLOCALIP",
                    "TCPLOCALPORT", "TCPREMOTEIP", "TCPREMOTEPORT");
            assertThat(text).contains("FOO=bar\n", "BAZ=qux\n", "PROTO=TCP\n", "TCPREMOTEIP=127.0.0.1\n")
                    .doesNotContain("hunter2");
        }
    }

    @Test
    void execInvolvesNoShell() throws Exception {
        try (Server server = Server.start("serve", "exec", "--bind", "127.0.0.1", "--", "echo", "$HOME;id", "`id`")) {
            assertThat(new String(exchange(server.listening(), new byte[0]), ISO_8859_1)).isEqualTo("$HOME;id `id`\n");
        }
    }

    @Test
    void callerBytesInAProgramsStderrReachTheLogEscapedAndCapped() throws Exception {
        try (Server server = Server.start("serve", "exec", "--bind", "127.0.0.1", "--", "sh", "-c", "cat >&2")) {
            InetSocketAddress at = server.listening();
            byte[] forged = "hi\revent=close id=999 outcome=ok\u001b[2J\u0007\n".getBytes(ISO_8859_1);
            byte[] flood = new byte[100_000];
            Arrays.fill(flood, (byte) 'A');
            flood[flood.length - 1] = '\n';
            byte[] both = new byte[forged.length + flood.length];
            System.arraycopy(forged, 0, both, 0, forged.length);
            System.arraycopy(flood, 0, both, forged.length, flood.length);
            exchange(at, both);
            String escaped = server.awaitLine(l -> l.contains("] hi"));
            assertThat(escaped).contains("hi\\x0devent=close id=999 outcome=ok\\x1b[2J\\x07");
            String capped = server.awaitLine(l -> l.contains("] AAAA"));
            assertThat(capped.length()).isBetween(4096, 4200);
            server.signal("TERM");
            assertThat(server.exitCode(Duration.ofSeconds(30))).isZero();
            List<String> log = server.allStderr();
            assertThat(log).noneMatch(l -> l.startsWith("event=close id=999"));
            assertThat(log).allMatch(l -> l.chars().noneMatch(c -> c < 0x20 && c != '\t'));
        }
    }

    private static byte[] exchange(InetSocketAddress at, byte[] send) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(at, 5000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write(send);
            s.shutdownOutput();
            return s.getInputStream().readAllBytes();
        }
    }
}
