package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** serve's --idle-timeout and --kill-grace reach exec's program, through the real jar. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExecOptionsIT {

    @Test
    void anIdleProgramThatIgnoresSigtermIsKilledAfterTheKillGrace() throws Exception {
        // The shell ignores SIGTERM; only the SIGKILL after --kill-grace ends it.
        try (ServerProcess server = ServerProcess.of(new ProcessBuilder(Proc.switchboard(
                "serve", "exec", "--bind", "127.0.0.1", "--port", "0", "--idle-timeout", "0.5", "--kill-grace", "0.5",
                "--", "sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.1; done")))) {
            try (Socket s = new Socket("127.0.0.1", server.listening().getPort())) {
                s.setSoTimeout(20_000);
                InputStream in = s.getInputStream();
                assertThat(new String(in.readNBytes(6), StandardCharsets.US_ASCII)).isEqualTo("ready\n");
                // Then silence on both sides, until the server ends it (EOF or reset).
                try {
                    assertThat(in.read()).isEqualTo(-1);
                } catch (java.net.SocketException reset) {
                    // as good as an EOF here
                }
            }
            String record = server.awaitLine(l -> l.contains("event=close"));
            assertThat(record).contains("outcome=idle-timeout");
            Matcher ms = Pattern.compile(" ms=(\\d+) ").matcher(record);
            assertThat(ms.find()).isTrue();
            // Idle 0.5 s, then SIGTERM, ignored, then SIGKILL 0.5 s later: about a second in all,
            // well short of what exec's default grace (2 s) would take.
            assertThat(Long.parseLong(ms.group(1))).isBetween(900L, 2400L);
        }
    }
}
