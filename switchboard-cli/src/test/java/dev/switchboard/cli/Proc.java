package dev.switchboard.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child process for the process-level tests (switchboard's jar, or a real peer such as nc):
 * its stderr is collected line by line so a test can wait for a line ("listening on …")
 * without sleeping, and every process is killed when the test ends.
 */
final class Proc implements AutoCloseable {

    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer stderr = new StringBuffer();
    private final Thread drain;

    private Proc(Process process) {
        this.process = process;
        this.drain = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    stderr.append(line).append('\n');
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process is gone; what we have is what it said
            }
        }, "stderr");
        drain.setDaemon(true);
        drain.start();
    }

    /** The command line that runs our jar with the test's own JDK. */
    static List<String> switchboard(String... args) {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String jar = System.getProperty("switchboard.jar");
        if (jar == null || !new File(jar).isFile()) {
            throw new IllegalStateException("system property switchboard.jar does not name the built jar: " + jar);
        }
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        cmd.addAll(execSpawn());
        cmd.addAll(List.of("-jar", jar));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Passes {@code -Dswitchboard.exec.spawn} on to a server under test when the tests were given
     * it: {@code -Dswitchboard.exec.spawn=jdk} runs every exec case the JDK's way (README, "exec").
     */
    static List<String> execSpawn() {
        String way = System.getProperty("switchboard.exec.spawn");
        return way == null ? List.of() : List.of("-Dswitchboard.exec.spawn=" + way);
    }

    /** Starts {@code command}; stdin and stdout as the builder says (default: pipes). */
    static Proc start(ProcessBuilder pb) throws IOException {
        return new Proc(pb.start());
    }

    static Proc start(List<String> command, Path stdin, Path stdout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (stdin != null) pb.redirectInput(stdin.toFile());
        if (stdout != null) pb.redirectOutput(stdout.toFile());
        return start(pb);
    }

    Process process() {
        return process;
    }

    /** Waits for a stderr line matching {@code regex} and returns its first group. */
    String awaitLine(String regex, Duration timeout) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no line matching " + regex + " within " + timeout + "; stderr so far:\n" + stderr
                        + (process.isAlive() ? "" : "(exited " + process.exitValue() + ")"));
            }
            Matcher m = p.matcher(line);
            if (m.find()) return m.groupCount() > 0 ? m.group(1) : line;
        }
    }

    /** The port from our "listening on ADDRESS:PORT" line. */
    int awaitListening() throws InterruptedException {
        return Integer.parseInt(awaitLine("^switchboard: listening on .*:(\\d+)$", Duration.ofSeconds(30)));
    }

    /** Waits for the exit and returns its code; fails the test if it takes longer. */
    int exit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + timeout + "; stderr:\n" + stderr);
        }
        return process.exitValue();
    }

    /** Everything it wrote on stderr, once it has exited (the drain is joined first). */
    String stderr() throws InterruptedException {
        if (!process.isAlive()) drain.join(5000);
        return stderr.toString();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
