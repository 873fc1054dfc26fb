package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Out of file descriptors (ulimit -n in a child shell): accept fails; the server says so once,
 * does not spin, keeps serving the connections it has, and serves the queue once descriptors free up.
 */
@Timeout(120)
class ServeDescriptorsIT {

    private static final int CALLERS = 80;

    @Test
    void runningOutOfDescriptorsIsLoggedOnceNotSpunOnAndRecoveredFrom() throws Exception {
        String cmd = ServerProcess.command("serve", "echo", "--bind", "127.0.0.1").stream()
                .map(w -> "'" + w.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
        try (ServerProcess p = ServerProcess.of(new ProcessBuilder("sh", "-c", "ulimit -n 48 && exec " + cmd))) {
            InetSocketAddress at = p.listening();
            List<Socket> callers = new ArrayList<>();
            try {
                for (int i = 0; i < CALLERS; i++) {
                    Socket s = new Socket();
                    s.connect(at, 5000); // completes in the kernel's backlog even when not accepted
                    s.setSoTimeout(30_000);
                    callers.add(s);
                }
                p.awaitLine(l -> l.contains("accept failed"));
                long cpuBefore = cpu(p);
                // Two seconds of starvation: a spinning loop would burn most of them.
                assertThat(p.process.waitFor(2, TimeUnit.SECONDS)).isFalse();
                assertThat(cpu(p) - cpuBefore).isLessThan(Duration.ofMillis(1000).toNanos());
                assertThat(p.stderr.stream().filter(l -> l.contains("accept failed")).count()).isEqualTo(1);

                // The first caller was accepted and is served meanwhile; the last waits in the
                // backlog. Then they all leave, and descriptors free up.
                assertThat(echoes(callers.get(0), 10_000)).isTrue();
                assertThat(echoes(callers.get(CALLERS - 1), 300)).isFalse();
                for (Socket s : callers) s.close();
                // Everyone who calls now is served: the server recovered.
                for (int i = 0; i < 5; i++) {
                    try (Socket s = new Socket()) {
                        s.connect(at, 5000);
                        assertThat(echoes(s, 10_000)).isTrue();
                    }
                }
                p.awaitLine(l -> l.contains("accepting again"));
            } finally {
                for (Socket s : callers) s.close();
            }
            p.terminate();
            assertThat(p.exitCode()).isZero();
        }
    }

    private static boolean echoes(Socket s, int timeoutMillis) {
        try {
            s.setSoTimeout(timeoutMillis);
            s.getOutputStream().write('e');
            return s.getInputStream().read() == 'e';
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static long cpu(ServerProcess p) {
        return p.process.info().totalCpuDuration().orElseThrow().toNanos();
    }
}
