package dev.switchboard.cli;

import static dev.switchboard.cli.RelayIT.connect;
import static dev.switchboard.cli.RelayIT.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code serve --proxy-protocol} and {@code --reuse-port} as real processes: the greeting names
 * the header's caller, {@code --proxy-from} keeps others out, {@code connect --send-proxy}
 * and {@code relay --send-proxy} announce the real caller, and two processes share a port.
 */
@Timeout(90)
class ServeProxyIT {

    static ServerProcess real(String... args) throws IOException {
        return ServerProcess.of(new ProcessBuilder(Proc.switchboard(args)));
    }

    private static String greeting(InetSocketAddress at, String header) throws IOException {
        try (Socket s = connect(at)) {
            s.getOutputStream().write(header.getBytes(StandardCharsets.US_ASCII));
            try {
                return new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII);
            } catch (IOException reset) {
                return "";
            }
        }
    }

    @Test
    void greetNamesTheHeadersCallerAndTheRecordKeepsTheProxyAsVia() throws Exception {
        try (ServerProcess p = real("serve", "greet", "--bind", "127.0.0.1", "--proxy-protocol")) {
            InetSocketAddress at = p.listening();
            assertThat(greeting(at, "PROXY TCP4 203.0.113.7 127.0.0.1 40001 " + at.getPort() + "\r\n"))
                    .isEqualTo("Hello, person from 203.0.113.7:40001\n");
            assertThat(p.awaitLine(l -> l.startsWith("event=close")))
                    .contains("remote=203.0.113.7:40001 ", " model=loop ", " outcome=ok", " via=127.0.0.1:");
            assertThat(greeting(at, "GET / HTTP/1.0\r\n\r\n")).isEmpty();
            assertThat(p.awaitLine(l -> l.contains("outcome=proxy-missing"))).contains("remote=127.0.0.1:");
        }
    }

    @Test
    void execsEnvironmentAndTheForkModelsChildSeeTheHeadersCaller() throws Exception {
        try (ServerProcess exec = real("serve", "exec", "--bind", "127.0.0.1", "--proxy-protocol", "--",
                "sh", "-c", "echo $TCPREMOTEIP $TCPREMOTEPORT");
             ServerProcess fork = real("serve", "greet", "--bind", "127.0.0.1", "--proxy-protocol", "--model", "fork")) {
            assertThat(greeting(exec.listening(), "PROXY TCP6 2001:db8::7 ::1 40001 80\r\n"))
                    .isEqualTo("2001:db8::7 40001\n");
            assertThat(greeting(fork.listening(), "PROXY TCP4 203.0.113.9 127.0.0.1 40002 80\r\n"))
                    .isEqualTo("Hello, person from 203.0.113.9:40002\n");
        }
    }

    @Test
    void proxyFromRefusesOtherPeersAndDenyAppliesToTheProxiedCaller() throws Exception {
        try (ServerProcess strict = real("serve", "greet", "--bind", "127.0.0.1", "--proxy-protocol",
                "--proxy-from", "192.0.2.0/24");
             ServerProcess denying = real("serve", "greet", "--bind", "127.0.0.1", "--proxy-protocol",
                "--deny", "203.0.113.0/24")) {
            InetSocketAddress at = strict.listening();
            assertThat(greeting(at, "PROXY TCP4 203.0.113.7 127.0.0.1 40001 80\r\n")).isEmpty();
            assertThat(strict.awaitLine(l -> l.startsWith("event=close"))).contains(" outcome=proxy-untrusted");
            InetSocketAddress at2 = denying.listening();
            assertThat(greeting(at2, "PROXY TCP4 203.0.113.7 127.0.0.1 40001 80\r\n")).isEmpty();
            assertThat(denying.awaitLine(l -> l.startsWith("event=close")))
                    .contains("remote=203.0.113.7:40001 ", " outcome=denied");
        }
    }

    @Test
    void connectAndRelaySendTheHeaderThatServeReads() throws Exception {
        try (ServerProcess backend = real("serve", "greet", "--bind", "127.0.0.1", "--proxy-protocol", "-v");
             ServerProcess relayV2 = real("relay", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:" + backend.listening().getPort(),
                     "--send-proxy", "v2")) {
            int backendPort = backend.listening().getPort();
            try (Socket s = connect(relayV2.listening())) {
                assertThat(new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII))
                        .isEqualTo("Hello, person from 127.0.0.1:" + s.getLocalPort() + "\n");
            }
            Process connect = new ProcessBuilder(Proc.switchboard("connect", "-v", "--send-proxy", "v1", "127.0.0.1", "" + backendPort))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String out = new String(connect.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            String err = new String(connect.getErrorStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(connect.waitFor()).as(err).isZero();
            // connect's own address is the header's source: the greeting names it, not 0.0.0.0
            String from = err.replaceAll("(?s).*connected to \\S+ from (\\S+).*", "$1").strip();
            assertThat(out).isEqualTo("Hello, person from " + from + "\n");
        }
    }

    @Test
    void aRelayOnTheLoopReadsTheCallersHeaderAndPassesThatCallerOn() throws Exception {
        try (ServerProcess backend = real("serve", "greet", "--bind", "127.0.0.1", "--proxy-protocol");
             ServerProcess relay = real("relay", "--model", "loop", "--listen", "127.0.0.1:0", "--proxy-protocol",
                     "--send-proxy", "v1", "--to", "127.0.0.1:" + backend.listening().getPort())) {
            InetSocketAddress at = relay.listening();
            assertThat(greeting(at, "PROXY TCP4 203.0.113.5 127.0.0.1 1234 " + at.getPort() + "\r\n"))
                    .isEqualTo("Hello, person from 203.0.113.5:1234\n");
            assertThat(relay.awaitLine(l -> l.startsWith("event=close")))
                    .contains("remote=203.0.113.5:1234 ", " model=loop ", " outcome=ok", " via=127.0.0.1:");
            assertThat(greeting(at, "no header\n")).isEmpty();
            assertThat(relay.awaitLine(l -> l.contains("outcome=proxy-missing"))).contains(" model=loop ");
        }
    }

    @Test
    void twoServersOnOnePortWithReusePortBothAnswer() throws Exception {
        try (ServerProcess a = real("serve", "greet", "--bind", "127.0.0.1", "--reuse-port", "--message", "A")) {
            int port = a.listening().getPort();
            try (ServerProcess b = real("serve", "greet", "--bind", "127.0.0.1", "--port", "" + port, "--reuse-port",
                    "--message", "B")) {
                assertThat(b.listening().getPort()).isEqualTo(port);
                Set<String> answered = new HashSet<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                // The kernel spreads callers over both sockets by a hash of the addresses: a
                // few dozen callers all landing on one would be a one-in-a-billion draw.
                while (answered.size() < 2 && System.nanoTime() < deadline) {
                    try (Socket s = connect(new InetSocketAddress("127.0.0.1", port))) {
                        answered.add(new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII));
                    }
                }
                assertThat(answered).containsExactlyInAnyOrder("A\n", "B\n");
            }
        }
    }
}
