package dev.switchboard.cli;

import static dev.switchboard.cli.HaproxyIT.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HaproxyIT} across network namespaces, so the addresses really differ: a client host
 * (10.99.0.2), a balancer host running HAProxy (10.99.0.1 towards the client, 10.99.1.1 towards
 * the backends, on a bridge), and two backend hosts (10.99.1.2, 10.99.1.3) running
 * {@code serve greet --proxy-protocol --proxy-from 10.99.1.1/32}, all on veth links. The client
 * must be greeted as 10.99.0.2 (not as the balancer's 10.99.1.1). Needs root and {@code ip netns};
 * skips, saying why, elsewhere.
 */
@Timeout(120)
class HaproxyNetnsIT {

    private static final Pattern CONNECTED = Pattern.compile("connected to \\S+ from (\\S+)");

    @TempDir
    Path dir;

    private final String prefix = "sb" + ProcessHandle.current().pid() % 1_000_000;
    private final List<String> namespaces = new ArrayList<>();

    private String ns(String role) {
        return prefix + role;
    }

    /** The four hosts and their links, made with one shell script; returns its output when it fails. */
    private String setUp() throws Exception {
        String c = ns("c"), l = ns("l"), a = ns("a"), b = ns("b");
        for (String n : List.of(c, l, a, b)) namespaces.add(n);
        String script = String.join("\n",
                "set -e",
                "for n in " + c + " " + l + " " + a + " " + b + "; do ip netns add $n; ip -n $n link set lo up; done",
                "ip -n " + l + " link add lc type veth peer name cl netns " + c,
                "ip -n " + c + " addr add 10.99.0.2/24 dev cl; ip -n " + c + " link set cl up",
                "ip -n " + l + " addr add 10.99.0.1/24 dev lc; ip -n " + l + " link set lc up",
                "ip -n " + l + " link add br0 type bridge",
                "ip -n " + l + " addr add 10.99.1.1/24 dev br0; ip -n " + l + " link set br0 up",
                "ip -n " + l + " link add la type veth peer name e0 netns " + a,
                "ip -n " + l + " link add lb type veth peer name e0 netns " + b,
                "ip -n " + l + " link set la master br0 up; ip -n " + l + " link set lb master br0 up",
                "ip -n " + a + " addr add 10.99.1.2/24 dev e0; ip -n " + a + " link set e0 up",
                "ip -n " + b + " addr add 10.99.1.3/24 dev e0; ip -n " + b + " link set e0 up");
        Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? null : out;
    }

    @AfterEach
    void tearDown() throws Exception {
        for (String n : namespaces) {
            new ProcessBuilder("ip", "netns", "del", n).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static List<String> in(String namespace, List<String> command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        all.addAll(command);
        return all;
    }

    /** One call from the client host: what it was greeted with, and its own address. */
    private String[] call() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(in(ns("c"), Proc.switchboard("connect", "-v", "-w", "5", "10.99.0.1", "7000")))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        Matcher m = CONNECTED.matcher(err);
        assertThat(m.find()).as(err).isTrue();
        return new String[] {out, m.group(1)};
    }

    @Test
    void acrossNamespacesTheCallerIsGreetedAsItselfAndAStoppedBackendIsRoutedAround() throws Exception {
        assumeTrue(Peers.installed("haproxy"), "haproxy is not installed; script/test installs it");
        assumeTrue(Peers.installed("ip"), "no ip command (iproute2)");
        String failed = setUp();
        assumeTrue(failed == null, "cannot build network namespaces here (needs root and ip netns): " + failed);
        try (ServerProcess a = ServerProcess.of(new ProcessBuilder(in(ns("a"), Proc.switchboard("serve", "greet",
                     "--bind", "10.99.1.2", "--proxy-protocol", "--proxy-from", "10.99.1.1/32", "--message", "A {remote}"))));
             ServerProcess b = ServerProcess.of(new ProcessBuilder(in(ns("b"), Proc.switchboard("serve", "greet",
                     "--bind", "10.99.1.3", "--proxy-protocol", "--proxy-from", "10.99.1.1/32", "--message", "B {remote}"))))) {
            Path stats = dir.resolve("stats.sock");
            Path cfg = Files.writeString(dir.resolve("haproxy.cfg"), HaproxyIT.config(stats, "10.99.0.1:7000",
                    "10.99.1.2:" + a.listening().getPort(), "10.99.1.3:" + b.listening().getPort()));
            try (Proc haproxy = Proc.start(new ProcessBuilder(in(ns("l"), List.of("haproxy", "-f", cfg.toString(), "-db"))))) {
                awaitStatus(stats, "a", "UP", haproxy);
                awaitStatus(stats, "b", "UP", haproxy);
                for (int i = 0; i < 2; i++) {
                    String[] r = call();
                    assertThat(r[1]).startsWith("10.99.0.2:");
                    assertThat(r[0]).matches("[AB] " + Pattern.quote(r[1]) + "\n"); // the client host, not 10.99.1.1
                }
                a.terminate();
                assertThat(a.exitCode()).isZero();
                awaitStatus(stats, "a", "DOWN", haproxy);
                for (int i = 0; i < 3; i++) {
                    String[] r = call();
                    assertThat(r[0]).isEqualTo("B " + r[1] + "\n");
                }
            }
            b.terminate();
            assertThat(b.exitCode()).isZero();
            for (ServerProcess backend : List.of(a, b)) {
                assertThat(backend.allStderr()).as("callers' records name the client host, via the balancer")
                        .allMatch(l -> l.startsWith("listening on ")
                                || l.startsWith("event=close") && l.contains(" remote=10.99.0.2:") && l.contains(" outcome=ok")
                                        && l.contains(" via=10.99.1.1:"));
            }
        }
    }
}
