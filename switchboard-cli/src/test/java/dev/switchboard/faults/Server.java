package dev.switchboard.faults;

import dev.switchboard.cli.StderrLines;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real {@code switchboard} process for the fault suite: the built jar run by the test's own
 * java (optionally under a shell line such as {@code ulimit -n 64}), its stderr kept line by
 * line, and what /proc says about it (CPU time, children, zombies).
 */
final class Server implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on \\S+:(\\d+)$");

    final Process process;
    private final StderrLines err;
    final List<String> stderr;

    private Server(Process process) {
        this.process = process;
        this.err = new StderrLines(process.getErrorStream());
        this.stderr = err.lines();
    }

    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        String way = System.getProperty("switchboard.exec.spawn"); // -Dswitchboard.exec.spawn=jdk: exec the JDK's way
        if (way != null) cmd.add("-Dswitchboard.exec.spawn=" + way);
        cmd.addAll(List.of("-jar", System.getProperty("switchboard.jar")));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Server start(String... args) throws IOException {
        return new Server(new ProcessBuilder(command(args)).start());
    }

    /** Starts with these variables added to the environment the server inherits. */
    static Server startWith(java.util.Map<String, String> env, String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(args));
        pb.environment().putAll(env);
        return new Server(pb.start());
    }

    /** Runs {@code shellPrefix && exec switchboard ARGS} in sh, so the server is sh's pid. */
    static Server underShell(String shellPrefix, String... args) throws IOException {
        StringBuilder line = new StringBuilder(shellPrefix).append(" && exec");
        for (String w : command(args)) line.append(" '").append(w.replace("'", "'\\''")).append('\'');
        return new Server(new ProcessBuilder("sh", "-c", line.toString()).start());
    }

    String awaitLine(Predicate<String> match) throws InterruptedException {
        return awaitLine(match, Duration.ofSeconds(30));
    }

    String awaitLine(Predicate<String> match, Duration wait) throws InterruptedException {
        return err.await(match, wait);
    }

    /** The close record of the caller at this local port (waits for it). */
    String closeRecord(int callerPort) throws InterruptedException {
        return awaitLine(l -> l.contains("event=close") && l.contains(":" + callerPort + " "));
    }

    InetSocketAddress listening() throws InterruptedException {
        Matcher m = LISTENING.matcher(awaitLine(l -> LISTENING.matcher(l).find()));
        if (!m.find()) throw new AssertionError("unreachable");
        return new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
    }

    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
        if (kill.waitFor() != 0) throw new AssertionError("kill -" + name + " failed");
    }

    int exitCode(Duration wait) throws InterruptedException {
        if (!process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) throw new AssertionError("still running; " + stderr);
        return process.exitValue();
    }

    List<String> allStderr() throws InterruptedException {
        err.awaitEnd(Duration.ofSeconds(30));
        return stderr;
    }

    /** User plus system CPU time from /proc/PID/stat, in clock ticks (1/100 s). */
    long cpuTicks() throws IOException {
        String[] f = afterName(Files.readString(Path.of("/proc/" + process.pid() + "/stat")));
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** The process's peak resident memory (VmHWM) so far, in KiB. */
    long peakRssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", ""));
        }
        return -1;
    }

    /** The server's children as (pid, state) from /proc, e.g. {@code 1234 Z}. */
    List<String> children() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                if (!p.getFileName().toString().matches("\\d+")) continue;
                try {
                    String[] f = afterName(Files.readString(p.resolve("stat")));
                    if (Long.parseLong(f[1]) == process.pid()) out.add(p.getFileName() + " " + f[0]);
                } catch (IOException gone) {
                    // exited while we looked
                }
            }
        }
        return out;
    }

    /** The stat fields after "(comm)": state is [0], ppid [1], utime [11], stime [12]. */
    private static String[] afterName(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
