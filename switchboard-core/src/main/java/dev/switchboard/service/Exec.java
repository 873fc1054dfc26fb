package dev.switchboard.service;

import dev.switchboard.io.Splice;
import dev.switchboard.server.Connection;
import dev.switchboard.server.ConnectionHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs a program per connection, as tcpserver does: the connection is the program's stdin and
 * stdout (the socket itself on {@link SocketExec}'s fast path, else pipes and a {@link Splice}),
 * its environment is UCSPI-TCP's (see {@link ExecEnvironment}), and no shell is involved unless
 * the command is one.
 *
 * <p>Half-close both ways: the caller's EOF closes the program's stdin, and everything the
 * program writes afterwards still reaches the caller; the connection ends when the program
 * closes its stdout (normally: when it exits), after a lingering close ({@link Linger}: the
 * caller gets a moment to close first, so its unread bytes don't turn into a reset that would
 * destroy the program's last output). When the caller resets or the idle timeout
 * fires, the program gets SIGTERM, then SIGKILL after the grace. Each line of its stderr goes
 * to {@code stderr} prefixed with the connection id ({@code [#12] ...}). The process is always
 * waited for, so none is left a zombie, and its exit status becomes the connection's outcome
 * ({@code exit=N}; {@code reset} or {@code idle-timeout} when it was stopped for that).
 *
 * @param command     the program and its arguments
 * @param env         extra environment: {@code NAME} copies the server's, {@code NAME=VALUE} sets
 * @param grace       how long a program has to exit after its output ended or after SIGTERM
 * @param idleTimeout stop the program when no byte moves either way for this long (null: never)
 * @param stderr      where the program's prefixed stderr lines go
 */
public record Exec(List<String> command, List<String> env, Duration grace, Duration idleTimeout,
                   Consumer<String> stderr) implements ConnectionHandler {

    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(2);

    private static final System.Logger LOG = System.getLogger(Exec.class.getName());

    public Exec {
        command = List.copyOf(command);
        if (command.isEmpty()) throw new IllegalArgumentException("exec needs a program to run");
        env = ExecEnvironment.checked(env);
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) throw new IllegalArgumentException("grace must not be negative");
        Objects.requireNonNull(stderr, "stderr");
        Spawn.prepare(); // before the server accepts: see Spawn
    }

    /** Runs {@code command} with the defaults: no extra environment, 2 s grace, server's stderr. */
    public static Exec of(List<String> command) {
        return new Exec(command, List.of(), DEFAULT_GRACE, null, System.err::println);
    }

    public Exec withEnv(List<String> entries) {
        return new Exec(command, entries, grace, idleTimeout, stderr);
    }

    public Exec withGrace(Duration value) {
        return new Exec(command, env, value, idleTimeout, stderr);
    }

    public Exec withIdleTimeout(Duration value) {
        return new Exec(command, env, grace, value, stderr);
    }

    public Exec withStderr(Consumer<String> lines) {
        return new Exec(command, env, grace, idleTimeout, lines);
    }

    /**
     * What one run did.
     *
     * @param splice     the bytes each way and how the copying ended
     * @param exitStatus the program's exit status (128 + signal when a signal ended it)
     */
    public record Result(Splice.Result splice, int exitStatus) {
        /** The outcome for the connection's log record. */
        public String outcome() {
            return switch (splice.outcome()) {
                case OK -> "exit=" + exitStatus;
                case RESET -> "reset";
                case IDLE_TIMEOUT -> "idle-timeout";
            };
        }
    }

    /** The socket and the program's three pipes. */
    @Override
    public int descriptors() {
        return 4;
    }

    @Override
    public void handle(Connection connection) throws IOException {
        ended(connection, run(connection));
    }

    /**
     * Starts the program with the socket itself as its stdin and stdout, when {@link SocketExec}
     * can, and leaves it to run with no thread of ours: the stage completes when it is over.
     * Null (run {@link #handle} on a thread) when the fast path is not available.
     */
    @Override
    public CompletionStage<Void> startDetached(Connection connection) throws IOException {
        if (!SocketExec.available(connection)) {
            return null;
        }
        return SocketExec.start(this, connection).thenAccept(result -> ended(connection, result));
    }

    /** The connection's outcome from the program's end. */
    private static void ended(Connection connection, Result result) {
        connection.outcome(result.outcome());
        if (result.splice().outcome() != Splice.Outcome.OK) {
            // Stopped for the caller's sake: how the program took it (137: it needed SIGKILL) is still news.
            connection.field("exit", Integer.toString(result.exitStatus()));
        }
        LOG.log(Level.DEBUG, () -> connection + ": program exited with status " + result.exitStatus());
    }

    /**
     * Runs the program for this connection until it is over and the process is gone: with the
     * socket itself as its stdin and stdout when {@link SocketExec} can (Linux, JDK 22+, the
     * JVM options README names), otherwise through the JDK's pipes and a {@link Splice}.
     */
    public Result run(Connection connection) throws IOException {
        if (SocketExec.available(connection)) {
            return SocketExec.run(this, connection);
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(ExecEnvironment.of(connection.local(), connection.remote(), env, System.getenv()));
        Process process = Spawn.start(builder);
        Thread errors = forwardStderr(process.getErrorStream(), "[#" + connection.id() + "] ");
        ProcessEndpoint program = new ProcessEndpoint(process, grace);
        // The server's idle timeout or shutdown aborts the socket; the program must hear of it
        // even when both copiers are stuck on its pipes (it never reads and never writes).
        connection.onAbort(program::terminate);
        Splice splice = Splice.between(Linger.afterCallersEof(connection.endpoint()), program)
                .untilBEnds().idleTimeout(idleTimeout);
        CompletableFuture<Splice.Result> splicing = new CompletableFuture<>();
        Thread.ofVirtual().name("exec-splice-" + connection.id()).start(() -> {
            try {
                splicing.complete(splice.run());
            } catch (Throwable t) {
                splicing.completeExceptionally(t);
            }
        });
        try {
            Splice.Result spliced = awaitSplice(splicing, program, connection);
            if (spliced.outcome() == Splice.Outcome.OK) {
                // Its output is over; a program that lingers past the grace is stopped.
                if (!process.waitFor(grace.toNanos(), TimeUnit.NANOSECONDS)) {
                    ProcessEndpoint.stop(process, grace);
                }
            } else {
                program.terminate(); // already begun by the splice's abort; this is a no-op then
            }
            int status = process.waitFor();
            errors.join(grace); // a grandchild may hold stderr open; don't wait on it forever
            return new Result(spliced, status);
        } catch (InterruptedException e) {
            program.abort();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running " + command.get(0));
        }
    }

    /**
     * The splice's result; or, when the program was stopped but the copy still waits on its
     * output pipe (a process it started outlived it and holds the pipe: no signal reaches
     * that one through us), a result made up after one more grace, so the connection ends.
     */
    private Splice.Result awaitSplice(CompletableFuture<Splice.Result> splicing, ProcessEndpoint program,
                                      Connection connection) throws InterruptedException, IOException {
        try {
            CompletableFuture.anyOf(splicing, program.stopped()).get();
            if (!splicing.isDone()) {
                return splicing.get(grace.toNanos(), TimeUnit.NANOSECONDS);
            }
            return splicing.get();
        } catch (TimeoutException stuck) {
            LOG.log(Level.INFO, () -> connection + ": a process left behind by " + command.get(0)
                    + " holds its output open; the connection ends without it");
            boolean idle = idleTimeout != null
                    && System.nanoTime() - connection.lastActivity() >= idleTimeout.toNanos();
            return new Splice.Result(connection.bytesIn(), connection.bytesOut(),
                    idle ? Splice.Outcome.IDLE_TIMEOUT : Splice.Outcome.RESET, null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof InterruptedException ie) throw ie;
            throw new IOException("copying for " + command.get(0) + " failed", e.getCause());
        }
    }

    /** Passes the program's stderr on a line at a time (see {@link StderrLines}), on a virtual thread. */
    private Thread forwardStderr(InputStream errorStream, String prefix) {
        return Thread.ofVirtual().name("exec-stderr").start(() -> {
            StderrLines lines = stderrLines(prefix);
            byte[] buffer = new byte[8192];
            try (InputStream in = errorStream) {
                for (int n; (n = in.read(buffer)) != -1; ) {
                    lines.feed(buffer, 0, n);
                }
            } catch (IOException | UncheckedIOException closed) {
                // the process is gone and its pipe with it
            }
            lines.end();
        });
    }

    /**
     * A line cutter for one program's stderr, each line prefixed ({@code [#12] }) and made
     * printable. A {@code stderr} consumer that throws loses that line, not the connection:
     * the lines are read where the program's end is watched for.
     */
    StderrLines stderrLines(String prefix) {
        return new StderrLines(line -> {
            try {
                stderr.accept(prefix + printable(line));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "exec's stderr consumer failed, a line of the program's was lost: " + e);
            }
        });
    }

    /** Longest stderr line passed on; the rest is cut, so one line can't flood the log. */
    static final int MAX_LINE = 4096;

    /**
     * A program may repeat what its caller sent on stderr: control characters are shown as
     * escapes (no terminal tricks, no forged records after a carriage return) and the length
     * is capped.
     */
    static String printable(String line) {
        StringBuilder out = new StringBuilder(Math.min(line.length(), MAX_LINE) + 8);
        for (int i = 0; i < line.length(); i++) {
            if (out.length() >= MAX_LINE) {
                return out.append("...").toString();
            }
            char c = line.charAt(i);
            if (c == '\t' || (c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0))) {
                out.append(c);
            } else {
                out.append(String.format("\\x%02x", (int) c));
            }
        }
        return out.toString();
    }
}
