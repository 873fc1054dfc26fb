package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The plain {@code connect HOST PORT} without picocli: it takes that form only, and does and
 * says what the picocli path does.
 */
@Timeout(20)
class ConnectFastPathTest {

    record Run(int exit, String out, String err) {
    }

    static Run fast(byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        int exit = ConnectCommand.fastPath(args, new Stdio(new ByteArrayInputStream(stdin), out),
                new PrintWriter(err, true));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    static int fast(String... args) {
        return fast(new byte[0], args).exit();
    }

    @Test
    void anythingButThePlainFormGoesToPicocli() {
        assertThat(fast()).isEqualTo(-1);
        assertThat(fast("connect")).isEqualTo(-1);
        assertThat(fast("connect", "127.0.0.1")).isEqualTo(-1);
        assertThat(fast("listen", "127.0.0.1", "80")).isEqualTo(-1);
        assertThat(fast("connect", "-v", "127.0.0.1", "80")).isEqualTo(-1);
        assertThat(fast("connect", "127.0.0.1", "80", "--debug")).isEqualTo(-1);
        assertThat(fast("connect", "--help", "80")).isEqualTo(-1);
        assertThat(fast("connect", "@args", "80")).isEqualTo(-1); // picocli reads an @file
        assertThat(fast("connect", "", "80")).isEqualTo(-1);
        assertThat(fast("connect", "127.0.0.1", "0")).isEqualTo(-1);
        assertThat(fast("connect", "127.0.0.1", "65536")).isEqualTo(-1);
        assertThat(fast("connect", "127.0.0.1", "80,81")).isEqualTo(-1);
        assertThat(fast("connect", "127.0.0.1", "http")).isEqualTo(-1);
        assertThat(fast("connect", "127.0.0.1", "-1")).isEqualTo(-1);
    }

    @Test
    void thePlainFormCopiesBothWays() throws Exception {
        try (LoopbackServer server = new LoopbackServer(s -> {
            byte[] got = s.getInputStream().readAllBytes(); // up to our half-close
            s.getOutputStream().write(("got " + new String(got, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        })) {
            Run r = fast("ping\n".getBytes(StandardCharsets.UTF_8), "connect", "127.0.0.1", "" + server.port());
            assertThat(r).isEqualTo(new Run(0, "got ping\n", ""));
        }
    }

    @Test
    void aPortWithSpacesIsReadAsPicocliReadsIt() throws Exception {
        try (LoopbackServer server = new LoopbackServer(s -> s.getOutputStream().write('x'))) {
            assertThat(fast(new byte[0], "connect", "127.0.0.1", " " + server.port() + " "))
                    .isEqualTo(new Run(0, "x", ""));
        }
    }

    @Test
    void aFailureIsTheSameLineAndExitCodeAsThroughPicocli() throws Exception {
        int port = Peers.freePort();
        Run viaFastPath = fast(new byte[0], "connect", "127.0.0.1", "" + port);
        StringWriter err = new StringWriter();
        int exit = Main.run(new String[] {"connect", "127.0.0.1", "" + port},
                new PrintWriter(new StringWriter()), new PrintWriter(err, true));
        assertThat(viaFastPath).isEqualTo(new Run(exit, "", err.toString()));
        assertThat(viaFastPath.err()).isEqualTo("switchboard: connection refused: 127.0.0.1:" + port + "\n");
    }

    @Test
    void anUnknownHostIsAFailureNotAUsageError() {
        assertThat(fast(new byte[0], "connect", "nonexistent.invalid", "80"))
                .isEqualTo(new Run(1, "", "switchboard: unknown host: nonexistent.invalid\n"));
    }
}
