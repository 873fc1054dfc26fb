package dev.switchboard.service;

import dev.switchboard.io.Splice;
import dev.switchboard.server.Connection;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Exec's fast path: the program is started with posix_spawn (through the FFM API) with the
 * accepted socket itself as its stdin and stdout, as tcpserver does, so no helper process,
 * no pipes and no copying stand between the caller and the program. Its stderr is a pipe whose
 * lines {@link Exec} prefixes as always; nothing else of the server's is open in it.
 *
 * <p>The server keeps its own copy of the socket while the program runs, so shutdown, a reset
 * and the idle timeout still act on it, and a platform thread per program (pooled) polls the
 * program's pidfd and the socket: when the socket hangs up or fails (the caller reset) the
 * program is stopped, SIGTERM then SIGKILL after the grace, as on the JDK's way; when it exits
 * the thread reaps it with {@code waitpid(pid)}, never {@code waitpid(-1)}, which would take
 * the JDK's own children. Then the server sends its FIN, lingers for the caller's, and closes:
 * the caller sees EOF when the program exits (a process the program left behind holding the
 * socket loses it then). The bytes each way and the idle clock come from the kernel
 * ({@code TCP_INFO}), since the bytes never pass through this process.
 *
 * <p>It applies on Linux (glibc 2.34+) with JDK 22+ when the JVM lets this code call native
 * functions ({@code --enable-native-access=ALL-UNNAMED}) and read a channel's descriptor
 * ({@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}); the CLI jar's manifest says both.
 * Otherwise, or with {@code -Dswitchboard.exec.spawn=jdk}, {@link Exec} takes the JDK's way.
 */
final class SocketExec {

    /** {@code -Dswitchboard.exec.spawn=jdk} forces the JDK's way even where the fast path works. */
    static final String PROPERTY = "switchboard.exec.spawn";

    private static final System.Logger LOG = System.getLogger(Exec.class.getName());
    private static final Class<?> SEL_CH = selChImpl();
    private static final MethodHandle FD = fdGetter();
    private static final String UNAVAILABLE = Libc.UNAVAILABLE != null ? Libc.UNAVAILABLE
            : FD == null ? "sun.nio.ch is not exported to this code" : null;
    /** Small stacks: a watcher only polls and waits. */
    private static final Executor WATCHERS = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("exec-watch-", 0).daemon().stackSize(256 * 1024).factory());
    /** How often a running program's byte counts and idle clock are read from the kernel. */
    private static final long REFRESH_MILLIS = 1000;

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

    static Exec.Result run(Exec exec, Connection connection) throws IOException {
        Map<String, String> env = ExecEnvironment.of(connection.local(), connection.remote(), exec.env(), System.getenv());
        Child child = Spawn.start(() -> Child.start(exec, connection, env));
        Thread errors = exec.forwardStderr(Channels.newInputStream(child.errors), "[#" + connection.id() + "] ");
        // Shutdown and the server's idle timeout abort the connection: the program must go too.
        connection.onAbort(() -> child.stop(Splice.Outcome.RESET));
        WATCHERS.execute(child::watch);
        try {
            int status = child.exited.get();
            child.restoreMode();
            Splice.Outcome outcome = child.stoppedFor.get() != null ? child.stoppedFor.get() : Splice.Outcome.OK;
            if (outcome == Splice.Outcome.OK) {
                try {
                    connection.channel().shutdownOutput(); // the caller's EOF, now that the program is gone
                } catch (IOException closedMeanwhile) {
                    // the server closed it (shutdown): nothing to say goodbye on
                }
                Linger.drain(connection);
            }
            child.observe(true);
            errors.join(exec.grace()); // a process left behind may hold stderr; the close below ends that
            return new Exec.Result(new Splice.Result(connection.bytesIn(), connection.bytesOut(), outcome, null), status);
        } catch (InterruptedException e) {
            child.stop(Splice.Outcome.RESET);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running " + exec.command().get(0));
        } catch (ExecutionException e) {
            throw new IOException("waiting for " + exec.command().get(0) + " failed", e.getCause());
        } finally {
            Libc.close(child.socket);
            child.errors.close();
        }
    }

    /** One running program: its pid and pidfd, our copy of the socket, its stderr pipe. */
    private static final class Child {
        final int pid;
        final int pidfd;
        final int socket;
        final boolean wasNonBlocking;
        final Pipe.SourceChannel errors;
        final Connection connection;
        final Duration grace;
        final Duration idleTimeout;
        final CompletableFuture<Integer> exited = new CompletableFuture<>();
        final AtomicReference<Splice.Outcome> stoppedFor = new AtomicReference<>();
        private final AtomicBoolean terminating = new AtomicBoolean();
        private boolean reaped; // guarded by this: no signal goes to a pid once it may be reused

        private Child(int pid, int pidfd, int socket, boolean wasNonBlocking, Pipe.SourceChannel errors,
                      Connection connection, Exec exec) {
            this.pid = pid;
            this.pidfd = pidfd;
            this.socket = socket;
            this.wasNonBlocking = wasNonBlocking;
            this.errors = errors;
            this.connection = connection;
            this.grace = exec.grace();
            this.idleTimeout = exec.idleTimeout();
        }

        /** Spawns the program; on failure closes whatever it had opened. */
        static Child start(Exec exec, Connection connection, Map<String, String> env) throws IOException {
            int socket = Libc.dup(fd(connection.channel()));
            Pipe pipe = null;
            int pid = -1;
            boolean nonBlocking = false;
            try {
                // The channel may have been closed (shutdown) and its number reused by now; it
                // is flagged closed before the number is let go, so open now means ours then.
                if (!connection.channel().isOpen()) throw new ClosedChannelException();
                // A virtual thread that used the channel made it non-blocking, and that flag is
                // the socket's, shared with the program, which expects blocking reads.
                nonBlocking = Libc.clearNonBlocking(socket);
                pipe = Pipe.open();
                try {
                    pid = Libc.spawn(exec.command(), env, socket, fd(pipe.sink()));
                } finally {
                    pipe.sink().close(); // the program has its own copy
                }
                int pidfd;
                try {
                    pidfd = Libc.pidfdOpen(pid);
                } catch (IOException e) {
                    Libc.kill(pid, Libc.SIGKILL);
                    Libc.waitpid(pid);
                    throw e;
                }
                return new Child(pid, pidfd, socket, nonBlocking, pipe.source(), connection, exec);
            } catch (IOException | RuntimeException e) {
                if (pipe != null) pipe.source().close();
                if (nonBlocking && pid < 0) Libc.setNonBlocking(socket);
                Libc.close(socket);
                throw e;
            }
        }

        /**
         * Runs on a watcher thread until the program is reaped: stops it when the socket hangs
         * up or the idle timeout passes, and keeps the connection's counts and idle clock.
         */
        void watch() {
            boolean watchSocket = true;
            try {
                while (true) {
                    int events = Libc.poll(pidfd, socket, watchSocket, watchSocket ? refreshMillis() : -1);
                    if ((events & Libc.EXITED) != 0) {
                        break;
                    }
                    if ((events & Libc.HUNG_UP) != 0) {
                        watchSocket = false; // it stays hung up: poll only for the exit from now on
                        stop(Splice.Outcome.RESET);
                    } else if (watchSocket) {
                        long idle = observe(false);
                        if (idleTimeout != null && idle >= idleTimeout.toNanos()
                                && stoppedFor.compareAndSet(null, Splice.Outcome.IDLE_TIMEOUT)) {
                            connection.abort(); // a reset for the caller, and stop() through onAbort
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "watching " + connection + "'s program failed; waiting for it to exit", e);
            }
            try {
                int status;
                synchronized (this) {
                    status = Libc.waitpid(pid);
                    reaped = true;
                }
                exited.complete(status);
            } catch (Throwable t) {
                exited.completeExceptionally(t);
            } finally {
                Libc.close(pidfd);
            }
        }

        private int refreshMillis() {
            return (int) (idleTimeout == null ? REFRESH_MILLIS
                    : Math.clamp(idleTimeout.toMillis() / 4, 10, REFRESH_MILLIS));
        }

        /**
         * Gives the connection the kernel's counts and last-data time; returns how long no data
         * moved, in nanoseconds. The FIN takes one from tcpi_bytes_received once it has
         * arrived; a reset after both closed leaves that uncertain, and the count may be one over.
         */
        long observe(boolean atEnd) {
            try {
                Libc.TcpInfo info = Libc.tcpInfo(socket);
                boolean finReceived = switch (info.state()) {
                    case 6, 8, 9, 11 -> true; // TIME_WAIT, CLOSE_WAIT, LAST_ACK, CLOSING
                    case 7 -> atEnd && stoppedFor.get() == null; // CLOSE: after our FIN and the caller's
                    default -> false;
                };
                long idleMillis = Math.min(info.lastDataSentMillis(), info.lastDataRecvMillis());
                long idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
                connection.observed(Math.max(0, info.bytesReceived() - (finReceived ? 1 : 0)),
                        info.bytesSent() - info.bytesRetrans(), System.nanoTime() - idleNanos);
                return idleNanos;
            } catch (IOException e) {
                LOG.log(Level.DEBUG, () -> connection + ": no TCP_INFO: " + e);
                return 0; // no figures: the connection's own stay
            }
        }

        /** Gives the socket back its non-blocking mode for the server's channel, if it had it. */
        void restoreMode() {
            if (wasNonBlocking) {
                try {
                    Libc.setNonBlocking(socket);
                } catch (IOException e) {
                    LOG.log(Level.DEBUG, () -> connection + ": cannot restore non-blocking mode: " + e);
                }
            }
        }

        /** Starts SIGTERM-then-SIGKILL once (for {@code why}, unless another cause came first). */
        void stop(Splice.Outcome why) {
            stoppedFor.compareAndSet(null, why);
            if (terminating.compareAndSet(false, true)) {
                Thread.ofVirtual().name("exec-kill-" + pid).start(this::terminate);
            }
        }

        /**
         * SIGTERM to the program and its descendants, a grace to exit, then SIGKILL to whatever
         * is left. Descendants are listed before each signal: once their parent dies they are no
         * longer its, and {@code sh -c '...; sleep 60'} leaves sleep behind.
         */
        private void terminate() {
            Set<ProcessHandle> family = descendants(new LinkedHashSet<>());
            signal(Libc.SIGTERM);
            family.forEach(ProcessHandle::destroy);
            long deadline = System.nanoTime() + grace.toNanos();
            try {
                exited.get(grace.toNanos(), TimeUnit.NANOSECONDS);
                for (ProcessHandle member : family) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) break;
                    member.onExit().get(left, TimeUnit.NANOSECONDS);
                }
            } catch (TimeoutException | ExecutionException stillAlive) {
                // SIGKILL below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                // The program first: a shell whose child died first would exit 0 and hide that it
                // had to be killed.
                descendants(family);
                signal(Libc.SIGKILL);
                family.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            }
        }

        private synchronized void signal(int signal) {
            if (!reaped) {
                Libc.kill(pid, signal);
            }
        }

        private Set<ProcessHandle> descendants(Set<ProcessHandle> into) {
            ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(into::add));
            return into;
        }
    }

    private static int fd(SelectableChannel channel) throws IOException {
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
