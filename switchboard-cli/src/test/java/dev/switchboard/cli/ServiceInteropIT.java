package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real clients against the real {@code serve} process: OpenBSD netcat ({@code nc -N}: half-close
 * at its stdin's EOF) and socat, against every service, each reply checked as its RFC says.
 * Skips, saying why, when a client is missing (script/test installs them).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ServiceInteropIT {

    static final Duration WAIT = Duration.ofSeconds(20);
    static final long SECONDS_1900_TO_1970 = 2_208_988_800L;

    /** A client program: how to run it against a port. */
    enum Client {
        NC, SOCAT;

        List<String> command(int port) {
            return switch (this) {
                case NC -> List.of("nc", "-N", "127.0.0.1", String.valueOf(port));
                // -t: after our EOF, wait this long for the server's (socat's default is 0.5 s).
                case SOCAT -> List.of("socat", "-t", "10", "-", "TCP:127.0.0.1:" + port);
            };
        }

        void assumeInstalled() {
            if (this == NC) {
                assumeTrue(Peers.openBsdNetcat(), "OpenBSD netcat (nc) is not installed; script/test installs netcat-openbsd");
            } else {
                assumeTrue(Peers.installed("socat"), "socat is not installed; script/test installs it");
            }
        }
    }

    static Stream<Client> clients() {
        return Stream.of(Client.values());
    }

    /** Our server for one service (exec's program after {@code --}): the shipped jar, this JVM's java. */
    static ServerProcess serve(String service, String... program) throws IOException {
        List<String> args = new ArrayList<>(List.of("serve", service, "--bind", "127.0.0.1", "--port", "0"));
        if (program.length > 0) {
            args.add("--");
            args.addAll(List.of(program));
        }
        return ServerProcess.of(new ProcessBuilder(Proc.switchboard(args.toArray(String[]::new))));
    }

    /** Runs the client with {@code input} on its stdin; returns all it printed, after a clean exit. */
    static byte[] exchange(Client client, int port, byte[] input) throws Exception {
        Process p = new ProcessBuilder(client.command(port)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try (OutputStream in = p.getOutputStream()) {
                    in.write(input);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            byte[] out = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("client exited").isTrue();
            assertThat(p.exitValue()).as(client + " exit status").isZero();
            writer.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return out;
        } finally {
            p.destroyForcibly();
        }
    }

    /** Runs the client, reads {@code n} bytes of what it prints, then stops it (chargen never ends). */
    static byte[] firstBytes(Client client, int port, int n) throws Exception {
        Process p = new ProcessBuilder(client.command(port)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (InputStream out = p.getInputStream()) {
            p.getOutputStream().close();
            return out.readNBytes(n);
        } finally {
            p.destroyForcibly();
            p.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @ParameterizedTest
    @MethodSource("clients")
    void greetNamesTheClientsOwnAddress(Client client) throws Exception {
        client.assumeInstalled();
        try (ServerProcess server = serve("greet")) {
            int port = server.listening().getPort();
            String text = new String(exchange(client, port, new byte[0]), StandardCharsets.US_ASCII);
            Matcher m = Pattern.compile("Hello, person from 127\\.0\\.0\\.1:(\\d+)\n").matcher(text);
            assertThat(m.matches()).as(text).isTrue();
            // The port greeted is the client's: the server's record for that caller says so.
            assertThat(server.awaitLine(l -> l.contains(" remote=127.0.0.1:" + m.group(1) + " ")))
                    .contains(" out=" + text.length() + " ").contains("outcome=ok");
        }
    }

    @ParameterizedTest
    @MethodSource("clients")
    void echoReturnsEveryByte(Client client) throws Exception {
        client.assumeInstalled();
        byte[] data = new byte[200_000];
        new Random(862).nextBytes(data);
        try (ServerProcess server = serve("echo")) {
            assertThat(exchange(client, server.listening().getPort(), data)).isEqualTo(data);
        }
    }

    @ParameterizedTest
    @MethodSource("clients")
    void discardSendsNothingAndReadsEverything(Client client) throws Exception {
        client.assumeInstalled();
        try (ServerProcess server = serve("discard")) {
            assertThat(exchange(client, server.listening().getPort(), new byte[100_000])).isEmpty();
            assertThat(server.awaitLine(l -> l.contains("event=close"))).contains(" in=100000 ").contains(" out=0 ");
        }
    }

    @ParameterizedTest
    @MethodSource("clients")
    void chargenSendsTheRfcLines(Client client) throws Exception {
        client.assumeInstalled();
        try (ServerProcess server = serve("chargen")) {
            byte[] got = firstBytes(client, server.listening().getPort(), 10 * 74);
            StringBuilder expected = new StringBuilder();
            for (int line = 0; line < 10; line++) {
                for (int i = 0; i < 72; i++) {
                    expected.append((char) (' ' + (line + i) % 95));
                }
                expected.append("\r\n");
            }
            assertThat(new String(got, StandardCharsets.US_ASCII)).isEqualTo(expected.toString());
            assertThat(expected.substring(0, 74)).isEqualTo(
                    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg\r\n");
        }
    }

    @ParameterizedTest
    @MethodSource("clients")
    void daytimeSendsOneLineWithTheTime(Client client) throws Exception {
        client.assumeInstalled();
        try (ServerProcess server = serve("daytime")) {
            String text = new String(exchange(client, server.listening().getPort(), new byte[0]), StandardCharsets.US_ASCII);
            assertThat(text).endsWith("\r\n");
            assertThat(text.lines()).hasSize(1);
            Instant said = ZonedDateTime.parse(text.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            assertThat(Duration.between(said, Instant.now()).abs()).isLessThan(Duration.ofMinutes(1));
        }
    }

    @ParameterizedTest
    @MethodSource("clients")
    void timeSendsFourBytesOfSecondsSince1900(Client client) throws Exception {
        client.assumeInstalled();
        try (ServerProcess server = serve("time")) {
            byte[] got = exchange(client, server.listening().getPort(), new byte[0]);
            assertThat(got).hasSize(4);
            long seconds = Integer.toUnsignedLong(ByteBuffer.wrap(got).getInt());
            assertThat(Math.abs(seconds - SECONDS_1900_TO_1970 - Instant.now().getEpochSecond())).isLessThan(60);
        }
    }

    @ParameterizedTest
    @MethodSource("clients")
    void execGetsTheClientsBytesAndItsOutputAfterTheClientsEofArrives(Client client) throws Exception {
        client.assumeInstalled();
        try (ServerProcess server = serve("exec", "sh", "-c",
                "cat; printf 'after your EOF, %s %s\\n' \"$PROTO\" \"$TCPREMOTEIP\"")) {
            byte[] input = "line one\nline two\n".getBytes(StandardCharsets.US_ASCII);
            String text = new String(exchange(client, server.listening().getPort(), input), StandardCharsets.US_ASCII);
            assertThat(text).isEqualTo("line one\nline two\nafter your EOF, TCP 127.0.0.1\n");
            assertThat(server.awaitLine(l -> l.contains("event=close"))).contains("outcome=exit=0");
        }
    }
}
