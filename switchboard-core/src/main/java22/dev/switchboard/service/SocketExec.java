package dev.switchboard.service;

import dev.switchboard.io.Splice;
import dev.switchboard.server.Connection;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.nio.channels.SelectableChannel;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Exec's fast path: the program is started with posix_spawn (through the FFM API) with the
 * accepted socket itself as its stdin and stdout, as tcpserver does, so no helper process,
 * no pipes and no copying stand between the caller and the program. Its stderr is a pipe whose
 * lines are prefixed as always ({@link StderrLines}); nothing else of the server's is open in it.
 *
 * <p>The server keeps its own copy of the socket while the program runs, so shutdown, a reset
 * and the idle timeout still act on it. One watcher thread for all programs ({@link ExecWatcher})
 * waits in epoll on
 * each program's pidfd and on our copy of its socket: when the socket hangs up or fails (the
 * caller reset) the program is stopped, SIGTERM then SIGKILL after the grace, as on the JDK's
 * way; when it exits, the watcher reaps it with {@code waitpid(pid)}, never {@code waitpid(-1)},
 * which would take the JDK's own children. Then the server sends its FIN and lingers for the
 * caller's ({@link Linger#MAX} at most) before it closes: the caller sees EOF when the program
 * exits (a process the program left behind holding the socket loses it then). The watcher
 * also reads the stderr pipes and does the lingering, so no thread of ours waits for a
 * program: {@link #start} returns once it runs (the server calls it from its accept loop, see
 * {@link Exec#startDetached}) and the result comes on the watcher's thread; {@link #run} is
 * the same for a caller that wants to block. The bytes each way and the idle clock come from
 * the kernel ({@code TCP_INFO}), since the bytes never pass through this process.
 *
 * <p>It applies on Linux (glibc 2.36+) with JDK 22+ when the JVM lets this code call native
 * functions ({@code --enable-native-access=ALL-UNNAMED}) and read a channel's descriptor
 * ({@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}); the CLI jar's manifest says both.
 * Otherwise, or with {@code -Dswitchboard.exec.spawn=jdk}, {@link Exec} takes the JDK's way.
 */
final class SocketExec {

    /** {@code -Dswitchboard.exec.spawn=jdk} forces the JDK's way even where the fast path works. */
    static final String PROPERTY = "switchboard.exec.spawn";

    static final System.Logger LOG = System.getLogger(Exec.class.getName());
    private static final Class<?> SEL_CH = selChImpl();
    private static final MethodHandle FD = fdGetter();
    private static final String UNAVAILABLE = PosixSpawn.UNAVAILABLE != null ? PosixSpawn.UNAVAILABLE
            : FD == null ? "sun.nio.ch is not exported to this code" : null;
    /** How often a running program's byte counts and idle clock are read from the kernel. */
    static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    static {
        if (UNAVAILABLE != null) {
            LOG.log(Level.DEBUG, "exec starts programs the JDK's way: " + UNAVAILABLE);
        }
    }

    private SocketExec() {
    }

    static boolean available(Connection connection) {
        return UNAVAILABLE == null && !"jdk".equals(System.getProperty(PROPERTY))
                && SEL_CH.isInstance(connection.channel());
    }

    /** Runs the program for this connection and waits until all is over (see {@link Exec#run}). */
    static Exec.Result run(Exec exec, Connection connection) throws IOException {
        SocketChild child = begin(exec, connection);
        try {
            return result(child, child.done.get());
        } catch (InterruptedException e) {
            child.stop(Splice.Outcome.RESET); // the watcher still reaps it and closes what it had
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running " + exec.command().get(0));
        } catch (ExecutionException e) {
            throw new IOException("waiting for " + exec.command().get(0) + " failed", e.getCause());
        }
    }

    /**
     * Starts the program for this connection and returns at once: the result comes on the
     * watcher's thread when all is over (see {@link Exec#startDetached}).
     */
    static CompletableFuture<Exec.Result> start(Exec exec, Connection connection) throws IOException {
        SocketChild child = begin(exec, connection);
        return child.done.thenApply(status -> result(child, status));
    }

    private static SocketChild begin(Exec exec, Connection connection) throws IOException {
        Map<String, String> env = ExecEnvironment.of(connection.local(), connection.remote(), exec.env(), System.getenv());
        // Not through Spawn: its headroom check (a listing of /proc/self/fd under a lock) is
        // there for the JDK's leak when it runs out of descriptors, and it cost a third of this
        // path's CPU at 32 callers. This start closes what it opened on every failure instead.
        // Shutdown and the server's idle timeout abort the connection: the program must go too,
        // even when the abort comes while it is being started (it may answer the caller first).
        AtomicReference<SocketChild> started = new AtomicReference<>();
        AtomicBoolean aborted = new AtomicBoolean();
        connection.onAbort(() -> {
            aborted.set(true);
            SocketChild c = started.get();
            if (c != null) c.stop(Splice.Outcome.RESET);
        });
        try (Arena arena = Arena.ofConfined()) {
            Libc.Scratch scratch = Libc.Scratch.in(arena);
            SocketChild child = SocketChild.start(scratch, arena, exec, connection, env);
            started.set(child);
            if (aborted.get()) child.stop(Splice.Outcome.RESET);
            ExecWatcher.INSTANCE.add(scratch, child); // from here on the watcher owns the child's descriptors
            return child;
        }
    }

    private static Exec.Result result(SocketChild child, int status) {
        Connection c = child.connection;
        return new Exec.Result(new Splice.Result(c.bytesIn(), c.bytesOut(), child.outcome(), null), status);
    }

    static int fd(SelectableChannel channel) throws IOException {
        try {
            return (int) FD.invoke(channel);
        } catch (Throwable t) {
            throw new IOException("cannot get the descriptor of " + channel, t);
        }
    }

    private static Class<?> selChImpl() {
        try {
            return Class.forName("sun.nio.ch.SelChImpl");
        } catch (ClassNotFoundException e) {
            return Void.class;
        }
    }

    /** The channel implementation's {@code getFDVal()}, or null when sun.nio.ch is not exported to us. */
    private static MethodHandle fdGetter() {
        try {
            return MethodHandles.lookup().unreflect(SEL_CH.getMethod("getFDVal"));
        } catch (ReflectiveOperationException | RuntimeException notExported) {
            return null;
        }
    }
}
