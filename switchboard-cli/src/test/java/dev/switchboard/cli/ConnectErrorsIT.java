package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a user sees when a call fails, and -z: one line on stderr, the documented exit code. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectErrorsIT {

    static final Duration EXIT = Duration.ofSeconds(30);

    record Outcome(int exit, String out, String err) {
    }

    static Outcome run(String... args) throws Exception {
        try (Proc p = Proc.start(new ProcessBuilder(Proc.switchboard(args)).redirectInput(ProcessBuilder.Redirect.from(
                new java.io.File("/dev/null"))))) {
            String out = new String(p.process().getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = p.exit(EXIT);
            return new Outcome(exit, out, p.stderr());
        }
    }

    @Test
    void refused() throws Exception {
        int port = Peers.freePort();
        assertThat(run("connect", "127.0.0.1", "" + port))
                .isEqualTo(new Outcome(1, "", "switchboard: connection refused: 127.0.0.1:" + port + "\n"));
    }

    @Test
    void timedOut() throws Exception {
        List<AutoCloseable> hole = Peers.blackHole();
        try {
            int port = Peers.port(hole);
            assertThat(run("connect", "-w", "0.3", "127.0.0.1", "" + port)).isEqualTo(new Outcome(1, "",
                    "switchboard: connect to 127.0.0.1:" + port + " timed out after 0.3s\n"));
        } finally {
            Peers.closeAll(hole);
        }
    }

    @Test
    void unknownHost() throws Exception {
        assertThat(run("connect", "nonexistent.invalid", "80"))
                .isEqualTo(new Outcome(1, "", "switchboard: unknown host: nonexistent.invalid\n"));
    }

    @Test
    void sourceAddressInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocket target = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int p = taken.getLocalPort();
            assertThat(run("connect", "-s", "127.0.0.1", "-p", "" + p, "127.0.0.1", "" + target.getLocalPort()))
                    .isEqualTo(new Outcome(1, "", "switchboard: source address 127.0.0.1:" + p + " is already in use\n"));
        }
    }

    @Test
    void aPrivilegedSourcePortIsRefusedForAUser() throws Exception {
        boolean privileged;
        try (ServerSocket probe = new ServerSocket(1, 1, InetAddress.getLoopbackAddress())) {
            privileged = true;
        } catch (java.io.IOException e) {
            privileged = false;
        }
        org.junit.jupiter.api.Assumptions.assumeFalse(privileged,
                "this user may bind ports below 1024 (root or CAP_NET_BIND_SERVICE), so there is no refusal to see");
        try (ServerSocket target = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(run("connect", "-p", "1", "127.0.0.1", "" + target.getLocalPort())).isEqualTo(new Outcome(1, "",
                    "switchboard: permission denied binding source port 1 (ports below 1024 need root or CAP_NET_BIND_SERVICE)\n"));
        }
    }

    @Test
    void listenOnAPortInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int p = taken.getLocalPort();
            assertThat(run("listen", "-s", "127.0.0.1", "" + p))
                    .isEqualTo(new Outcome(1, "", "switchboard: 127.0.0.1:" + p + " is already in use\n"));
        }
    }

    @Test
    void badPortsAreUsageErrors() throws Exception {
        Outcome big = run("connect", "localhost", "70000");
        assertThat(big.exit()).isEqualTo(2);
        assertThat(big.err()).startsWith("switchboard connect: PORT: port 70000 is out of range (0-65535)\n");
        Outcome word = run("connect", "localhost", "abc");
        assertThat(word.exit()).isEqualTo(2);
        assertThat(word.err()).startsWith("switchboard connect: PORT: 'abc' is not a port number (0-65535)\n");
    }

    @Test
    void scanPrintsTheOpenPortAndExits0() throws Exception {
        try (ServerSocket open = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            int a = Peers.freePort();
            int b = Peers.freePort();
            int p = open.getLocalPort();
            assertThat(run("connect", "-z", "-w", "2", "127.0.0.1", a + "," + p + "," + b))
                    .isEqualTo(new Outcome(0, p + "\n", ""));
        }
    }

    @Test
    void scanOfClosedPortsPrintsNothingAndExits1() throws Exception {
        int a = Peers.freePort();
        Outcome r = run("connect", "-z", "-v", "127.0.0.1", a + "-" + a);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("switchboard: port " + a + ": connection refused: 127.0.0.1:" + a + "\n");
    }

    @Test
    void aStackTraceOnlyWithDebug() throws Exception {
        int port = Peers.freePort();
        Outcome r = run("connect", "--debug", "127.0.0.1", "" + port);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("switchboard: connection refused: 127.0.0.1:" + port + "\n").contains("\tat ");
    }
}
