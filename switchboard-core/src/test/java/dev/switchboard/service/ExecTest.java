package dev.switchboard.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A program per connection: environment, half-close, stopping, stderr and exit status. */
@Timeout(30)
class ExecTest {

    final List<String> stderr = new CopyOnWriteArrayList<>();

    Exec exec(String... command) {
        return Exec.of(List.of(command)).withStderr(stderr::add);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void theProgramSeesTheUcspiVariablesAndNothingElseOfTheServers() throws Exception {
        try (Loopback l = new Loopback()) {
            CompletableFuture<Void> served = l.serve(exec("env"));
            Map<String, String> env = text(l.readAll()).lines()
                    .collect(Collectors.toMap(s -> s.substring(0, s.indexOf('=')), s -> s.substring(s.indexOf('=') + 1)));
            served.get(10, TimeUnit.SECONDS);

            var client = l.clientAddress();
            assertThat(env).containsEntry("PROTO", "TCP")
                    .containsEntry("TCPREMOTEIP", "127.0.0.1")
                    .containsEntry("TCPREMOTEPORT", Integer.toString(client.getPort()))
                    .containsEntry("TCPLOCALIP", "127.0.0.1")
                    .containsEntry("TCPLOCALPORT", Integer.toString(l.connection.local().getPort()))
                    .doesNotContainKeys("TCPREMOTEHOST", "TCPLOCALHOST"); // no reverse DNS
            Set<String> expected = new HashSet<>(Set.of("PROTO", "TCPLOCALIP", "TCPLOCALPORT", "TCPREMOTEIP", "TCPREMOTEPORT"));
            ExecEnvironment.PASSED.stream().filter(System.getenv()::containsKey).forEach(expected::add);
            assertThat(env.keySet()).containsExactlyInAnyOrderElementsOf(expected);
            // The test JVM's own environment (JAVA_HOME, MAVEN_*, ...) stays behind.
            assertThat(System.getenv().keySet().stream().filter(k -> !expected.contains(k)).filter(env::containsKey)).isEmpty();
            assertThat(l.connection.outcome()).isEqualTo("exit=0");
        }
    }

    @Test
    void envEntriesCopyOrSetVariables() throws Exception {
        String someServerVariable = System.getenv().keySet().stream()
                .filter(k -> k.matches("[A-Za-z_][A-Za-z0-9_]*") && !ExecEnvironment.PASSED.contains(k))
                .findFirst().orElseThrow();
        try (Loopback l = new Loopback()) {
            l.serve(exec("env").withEnv(List.of(someServerVariable, "GREETING=hi there", "PROTO=UDP",
                    "TCPREMOTEHOST=spoofed.example")));
            String out = text(l.readAll());
            assertThat(out.lines()).contains(someServerVariable + "=" + System.getenv(someServerVariable),
                    "GREETING=hi there", "PROTO=TCP") // the UCSPI variables can't be overridden
                    .noneMatch(line -> line.startsWith("TCPREMOTEHOST=")); // nor made up
        }
        assertThatThrownBy(() -> exec("env").withEnv(List.of("BAD-NAME")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BAD-NAME");
    }

    @Test
    void aStderrConsumerThatThrowsLosesItsLinesNotTheConnection() throws Exception {
        try (Loopback l = new Loopback()) {
            CompletableFuture<Void> served = l.serve(exec("sh", "-c", "echo one >&2; echo hi; echo two >&2")
                    .withStderr(line -> {
                        throw new IllegalStateException("a log that fails");
                    }));
            assertThat(text(l.readAll())).isEqualTo("hi\n"); // and the end: nothing holds the socket
            served.get(10, TimeUnit.SECONDS);
            assertThat(l.connection.outcome()).isEqualTo("exit=0");
        }
    }

    @Test
    void outputWrittenAfterTheCallersHalfCloseArrivesWhole() throws Exception {
        try (Loopback l = new Loopback()) {
            CompletableFuture<Void> served = l.serve(exec("sh", "-c", "cat >/dev/null; echo late; head -c 300000 /dev/zero"));
            l.write("some input\n".getBytes(StandardCharsets.US_ASCII));
            l.client.shutdownOutput();
            byte[] back = l.readAll();
            assertThat(text(back)).startsWith("late\n");
            assertThat(back).hasSize(5 + 300_000);
            served.get(10, TimeUnit.SECONDS);
            assertThat(l.connection.outcome()).isEqualTo("exit=0");
        }
    }

    @Test
    void theProgramAndWhatItStartedAreTerminatedWhenTheCallerResets() throws Exception {
        try (Loopback l = new Loopback()) {
            // The shell's child (sleep) holds stdout too: it must go with the shell, or it
            // would outlive the connection. The shell tells us its pid.
            CompletableFuture<Void> served = l.serve(exec("sh", "-c", "sleep 100 & echo $!; wait; echo never"));
            String line = "";
            while (!line.endsWith("\n")) {
                line += text(l.read(1));
            }
            long sleepPid = Long.parseLong(line.strip());
            assertThat(ProcessHandle.of(sleepPid)).isPresent();
            l.client.setOption(StandardSocketOptions.SO_LINGER, 0);
            l.client.close(); // a reset
            served.get(10, TimeUnit.SECONDS);
            assertThat(l.connection.outcome()).isEqualTo("reset");
            ProcessHandle.of(sleepPid).ifPresent(p -> assertThat(p.onExit()).succeedsWithin(Duration.ofSeconds(5)));
        }
    }

    @Test
    void aProgramIgnoringSigtermIsKilledAfterTheGrace() throws Exception {
        try (Loopback l = new Loopback()) {
            // Both the shell and its sleep ignore SIGTERM (an ignored signal is inherited).
            Exec stubborn = exec("sh", "-c", "trap '' TERM; sleep 100 & echo $!; wait").withGrace(Duration.ofMillis(500));
            CompletableFuture<Exec.Result> run = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> {
                try {
                    run.complete(stubborn.run(l.connection));
                } catch (Throwable t) {
                    run.completeExceptionally(t);
                }
            });
            String line = "";
            while (!line.endsWith("\n")) {
                line += text(l.read(1));
            }
            long sleepPid = Long.parseLong(line.strip());
            long reset = System.nanoTime();
            l.client.setOption(StandardSocketOptions.SO_LINGER, 0);
            l.client.close();
            Exec.Result result = run.get(10, TimeUnit.SECONDS);
            assertThat(result.exitStatus()).isEqualTo(128 + 9); // SIGKILL, not SIGTERM
            assertThat(System.nanoTime() - reset).isGreaterThanOrEqualTo(Duration.ofMillis(500).toNanos());
            ProcessHandle.of(sleepPid).ifPresent(p -> assertThat(p.onExit()).succeedsWithin(Duration.ofSeconds(5)));
        }
    }

    @Test
    void aTerminatedProgramReportsSigterm() throws Exception {
        try (Loopback l = new Loopback()) {
            CompletableFuture<Exec.Result> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return exec("sh", "-c", "echo started; exec sleep 100").run(l.connection);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(text(l.read(8))).isEqualTo("started\n");
            l.client.setOption(StandardSocketOptions.SO_LINGER, 0);
            l.client.close();
            Exec.Result result = run.get(10, TimeUnit.SECONDS);
            assertThat(result.exitStatus()).isEqualTo(128 + 15);
            assertThat(result.outcome()).isEqualTo("reset");
        }
    }

    @Test
    void theIdleTimeoutStopsASilentProgram() throws Exception {
        try (Loopback l = new Loopback()) {
            CompletableFuture<Void> served = l.serve(exec("sleep", "100").withIdleTimeout(Duration.ofMillis(300)));
            served.get(10, TimeUnit.SECONDS);
            assertThat(l.connection.outcome()).isEqualTo("idle-timeout");
            // The caller is told it was not a clean end.
            assertThatThrownBy(() -> l.client.read(java.nio.ByteBuffer.allocate(1)))
                    .isInstanceOf(java.net.SocketException.class).hasMessageContaining("reset");
        }
    }

    @Test
    void stderrLinesArePrefixedWithTheConnectionId() throws Exception {
        try (Loopback l = new Loopback()) {
            CompletableFuture<Void> served = l.serve(exec("sh", "-c", "echo oops >&2; echo out; echo 'second line' >&2"));
            assertThat(text(l.readAll())).isEqualTo("out\n");
            served.get(10, TimeUnit.SECONDS);
            String prefix = "[#" + l.connection.id() + "] ";
            assertThat(stderr).containsExactly(prefix + "oops", prefix + "second line");
        }
    }

    @Test
    void stderrControlCharactersAreEscapedAndLongLinesCut() throws Exception {
        try (Loopback l = new Loopback()) {
            CompletableFuture<Void> served = l.serve(exec("sh", "-c", "printf 'red \\033[31m bell \\007\\n' >&2; head -c 10000 /dev/zero | tr '\\0' x >&2"));
            l.readAll();
            served.get(10, TimeUnit.SECONDS);
            String prefix = "[#" + l.connection.id() + "] ";
            assertThat(stderr).hasSize(2);
            assertThat(stderr.get(0)).isEqualTo(prefix + "red \\x1b[31m bell \\x07");
            assertThat(stderr.get(1)).hasSize(prefix.length() + Exec.MAX_LINE + 3).endsWith("xxx...");
        }
    }

    @Test
    void theExitStatusIsTheOutcome() throws Exception {
        try (Loopback l = new Loopback()) {
            CompletableFuture<Void> served = l.serve(exec("sh", "-c", "echo bye; exit 3"));
            assertThat(text(l.readAll())).isEqualTo("bye\n");
            served.get(10, TimeUnit.SECONDS);
            assertThat(l.connection.outcome()).isEqualTo("exit=3");
        }
    }

    @Test
    void aProgramThatExitsWithoutReadingItsInputStillGetsItsOutputOut() throws Exception {
        try (Loopback l = new Loopback()) {
            CompletableFuture<Void> served = l.serve(exec("sh", "-c", "echo answer"));
            l.write(new byte[200_000]); // more than the pipe holds, never read
            // The whole answer and a clean end: no reset for the bytes nobody read.
            assertThat(text(l.readAll())).isEqualTo("answer\n");
            served.get(10, TimeUnit.SECONDS);
            assertThat(l.connection.outcome()).isEqualTo("exit=0");
        }
    }

    @Test
    void theProgramInheritsOnlyStdinStdoutAndStderr() throws Exception {
        try (Loopback l = new Loopback()) {
            // The shell lists its own descriptors (but the one its glob had open while it read the
            // directory): the server's listener, its other callers' sockets and the JVM's files
            // must not be among them.
            CompletableFuture<Void> served = l.serve(exec("sh", "-c", "for f in /proc/$$/fd/*; do [ -e $f ] && echo ${f##*/}; done"));
            assertThat(text(l.readAll()).lines()).containsExactly("0", "1", "2");
            served.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void catEchoesEveryByteWhenTheCallerShutsDownItsOutputAndTheRecordCountsThem() throws Exception {
        byte[] data = new byte[1 << 20];
        new java.util.Random(7).nextBytes(data);
        try (Loopback l = new Loopback()) {
            CompletableFuture<Void> served = l.serve(exec("cat"));
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    l.write(data);
                    l.client.shutdownOutput(); // cat sees EOF, exits; its output so far still comes back
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            byte[] back = l.readAll();
            sent.get(10, TimeUnit.SECONDS);
            served.get(10, TimeUnit.SECONDS);
            assertThat(back).isEqualTo(data);
            assertThat(l.connection.outcome()).isEqualTo("exit=0");
            assertThat(l.connection.bytesIn()).isEqualTo(data.length);
            assertThat(l.connection.bytesOut()).isEqualTo(data.length);
        }
    }

    @Test
    void aSocketAVirtualThreadReadFirstIsStillBlockingForTheProgram() throws Exception {
        try (Loopback l = new Loopback()) {
            // A PROXY header read on a virtual thread leaves the socket non-blocking (the JDK's
            // doing); the program must get it blocking, or cat fails with EAGAIN.
            CompletableFuture<Void> served = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    java.nio.ByteBuffer first = java.nio.ByteBuffer.allocate(1);
                    l.connection.read(first);
                    // cat reads when nothing is there yet: on a non-blocking socket, EAGAIN
                    exec("sh", "-c", "echo ready; exec cat").handle(l.connection);
                    served.complete(null);
                } catch (Throwable t) {
                    served.completeExceptionally(t);
                }
            });
            l.write("h".getBytes(StandardCharsets.US_ASCII)); // the handler's byte
            assertThat(text(l.read(6))).isEqualTo("ready\n");
            l.write("ello\n".getBytes(StandardCharsets.US_ASCII));
            l.client.shutdownOutput();
            assertThat(text(l.readAll())).isEqualTo("ello\n");
            served.get(10, TimeUnit.SECONDS);
            assertThat(l.connection.outcome()).isEqualTo("exit=0");
            assertThat(stderr).isEmpty();
        }
    }

    @Test
    void anAbortedConnectionSendsTheProgramSigterm() throws Exception {
        try (Loopback l = new Loopback()) {
            // What the server's shutdown (after its grace) and its idle timeout do: abort.
            CompletableFuture<Void> served = l.serve(exec("sh", "-c",
                    "trap 'echo got TERM >&2; exit 7' TERM; echo ready; while :; do sleep 0.05; done"));
            assertThat(text(l.read(6))).isEqualTo("ready\n");
            l.connection.abort();
            served.get(10, TimeUnit.SECONDS);
            assertThat(stderr).contains("[#" + l.connection.id() + "] got TERM");
        }
    }

    @Test
    void noProgramIsLeftAZombie() throws Exception {
        for (int i = 0; i < 200; i++) {
            try (Loopback l = new Loopback()) {
                CompletableFuture<Void> served = l.serve(exec("true"));
                l.readAll();
                served.get(10, TimeUnit.SECONDS);
                assertThat(l.connection.outcome()).isEqualTo("exit=0");
            }
        }
        assertThat(zombieChildren()).isEmpty();
    }

    /** This JVM's children that have exited and not been waited for. */
    static List<String> zombieChildren() throws IOException {
        String me = Long.toString(ProcessHandle.current().pid());
        List<String> zombies = new java.util.ArrayList<>();
        try (var procs = java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc"), "[0-9]*")) {
            for (var proc : procs) {
                String stat;
                try {
                    stat = java.nio.file.Files.readString(proc.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                // pid (comm) state ppid ...: comm may hold spaces, so split after its ')'
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (fields[0].equals("Z") && fields[1].equals(me)) zombies.add(stat);
            }
        }
        return zombies;
    }

    @Test
    void aMissingProgramFailsTheConnectionWithItsName() throws Exception {
        try (Loopback l = new Loopback()) {
            CompletableFuture<Void> served = l.serve(exec("/nonexistent/program"));
            assertThat(served).failsWithin(5, TimeUnit.SECONDS).withThrowableThat()
                    .withMessageContaining("/nonexistent/program");
        }
    }
}
