package dev.switchboard.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code switchboard} process for tests: the built jar (plus the test classes, for the
 * stand-in services) run by this JVM's own java, with its stderr collected line by line.
 */
final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+)$");

    final Process process;
    private final StderrLines err;
    final List<String> stderr;

    private ServerProcess(Process process) {
        this.process = process;
        this.err = new StderrLines(process.getErrorStream());
        this.stderr = err.lines();
    }

    /** The java -cp command line that runs {@link TestServeMain} with these arguments. */
    static List<String> command(String... args) {
        Path jar = Path.of(System.getProperty("switchboard.jar"));
        Path testClasses = jar.getParent().resolve("test-classes");
        // -cp ignores the jar's manifest: these are the two lines of it that exec's fast path needs.
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(Proc.execSpawn());
        cmd.addAll(List.of("-cp", jar + java.io.File.pathSeparator + testClasses, TestServeMain.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static ServerProcess start(String... args) throws IOException {
        return of(new ProcessBuilder(command(args)).redirectInput(ProcessBuilder.Redirect.PIPE));
    }

    static ServerProcess of(ProcessBuilder pb) throws IOException {
        return new ServerProcess(pb.start());
    }

    /** Waits (up to 30 s) for a stderr line matching, and returns it. */
    String awaitLine(Predicate<String> match) throws InterruptedException {
        return err.await(match, java.time.Duration.ofSeconds(30));
    }

    /** Every stderr line, once the process has closed it (waits up to 30 s). */
    List<String> allStderr() throws InterruptedException {
        if (!err.awaitEnd(java.time.Duration.ofSeconds(30))) throw new AssertionError("stderr still open: " + stderr);
        return stderr;
    }

    /** The port from the {@code listening on} line. */
    InetSocketAddress listening() throws InterruptedException {
        Matcher m = LISTENING.matcher(awaitLine(l -> LISTENING.matcher(l).find()));
        if (!m.find()) throw new AssertionError("unreachable");
        return new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(2)));
    }

    /** Sends SIGTERM. (Not Process.destroy: it also closes our end of the stderr pipe.) */
    void terminate() throws IOException, InterruptedException {
        signal("TERM");
    }

    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
        if (kill.waitFor() != 0) throw new AssertionError("kill -" + name + " failed");
    }

    int exitCode() throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("did not exit; stderr " + stderr);
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
