package dev.switchboard.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Case 5 at the size: {@code ulimit -n 64} in a child shell, 200 callers at once.
 * Extends ServeDescriptorsIT (48 descriptors, 80 callers, echo): CPU time is read from
 * /proc/PID/stat, and exec under the fork model is covered too, where each connection also
 * needs three pipes for its child. Must hold: the condition logged once (echo: "accept
 * failed"; exec: the server says at start how many connections the limit has room for, and
 * admits no more, so nobody is accepted only to be dropped for want of pipes), under a tenth
 * of a core burnt while starved, the connections already accepted still served, every stderr
 * line one of ours (no many-line JDK messages), and everyone served again once callers leave.
 */
@Timeout(180)
class DescriptorsIT {

    static final int CALLERS = 200;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"echo --model virtual", "echo --model loop", "exec --model fork -- cat"})
    void outOfDescriptorsIsLoggedOnceNotSpunOnAndRecoveredFrom(String service) throws Exception {
        List<String> args = new ArrayList<>(List.of("serve"));
        args.addAll(List.of(service.split(" ")));
        args.addAll(args.contains("--") ? args.indexOf("--") : args.size(), List.of("--bind", "127.0.0.1"));
        try (Server server = Server.underShell("ulimit -n 64", args.toArray(String[]::new))) {
            InetSocketAddress at = server.listening();
            List<Socket> callers = new ArrayList<>();
            try {
                for (int i = 0; i < CALLERS; i++) {
                    Socket s = new Socket();
                    callers.add(s);
                    s.connect(at, 5000); // completes in the backlog even when not accepted
                }
                boolean exec = service.startsWith("exec");
                String condition = exec ? "has room for" : "accept failed";
                server.awaitLine(l -> l.contains(condition));
                long before = server.cpuTicks();
                long start = System.nanoTime();
                // Three seconds starved: a spinning accept loop would burn nearly all of them.
                assertThat(server.process.waitFor(3, java.util.concurrent.TimeUnit.SECONDS)).isFalse();
                long ticks = server.cpuTicks() - before;
                long wallTicks = Duration.ofNanos(System.nanoTime() - start).toMillis() / 10;
                assertThat(ticks).as("CPU ticks while starved, of %d", wallTicks).isLessThan(wallTicks / 10);
                assertThat(server.stderr.stream().filter(l -> l.contains(condition))).hasSize(1);
                assertThat(echoes(callers.get(0), 10_000)).as("%s", server.stderr).isTrue();
                for (Socket s : callers) s.close();
                for (int i = 0; i < 5; i++) {
                    try (Socket s = new Socket()) {
                        s.connect(at, 5000);
                        assertThat(echoes(s, 10_000)).as("%s", server.stderr).isTrue();
                    }
                }
                if (exec) {
                    assertThat(server.stderr).noneMatch(l -> l.contains("accept failed") || l.contains("too few"));
                } else {
                    server.awaitLine(l -> l.contains("accepting again"));
                }
                System.out.printf("descriptors (%s): %d callers vs ulimit -n 64: \"%s\" logged once,"
                        + " %d CPU ticks in %d while starved, serving again; peak RSS %d MiB%n", service, CALLERS, condition, ticks,
                        wallTicks, server.peakRssKib() >> 10);
            } finally {
                for (Socket s : callers) s.close();
            }
            server.signal("TERM");
            assertThat(server.exitCode(Duration.ofSeconds(30))).isZero();
            // One line per event, each ours: no stack traces, no many-line JDK messages.
            assertThat(server.allStderr()).allMatch(l -> l.startsWith("switchboard: ") || l.startsWith("event=")
                    || l.startsWith("listening on "));
        }
    }

    private static boolean echoes(Socket s, int timeoutMillis) {
        try {
            s.setSoTimeout(timeoutMillis);
            s.getOutputStream().write('e');
            return s.getInputStream().read() == 'e';
        } catch (IOException e) {
            return false;
        }
    }
}
