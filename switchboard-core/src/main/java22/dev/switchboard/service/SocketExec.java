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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Exec's fast path: the program is started with posix_spawn (through the FFM API) with the
 * accepted socket itself as its stdin and stdout, as tcpserver does, so no helper process,
 * no pipes and no copying stand between the caller and the program. Its stderr is a pipe whose
 * lines {@link Exec} prefixes as always; nothing else of the server's is open in it.
 *
 * <p>The server keeps its own copy of the socket while the program runs, so shutdown, a reset
 * and the idle timeout still act on it. One watcher thread for all programs waits in epoll on
 * each program's pidfd and on our copy of its socket: when the socket hangs up or fails (the
 * caller reset) the program is stopped, SIGTERM then SIGKILL after the grace, as on the JDK's
 * way; when it exits, the watcher reaps it with {@code waitpid(pid)}, never {@code waitpid(-1)},
 * which would take the JDK's own children. Then the server sends its FIN, lingers for the
 * caller's, and closes: the caller sees EOF when the program exits (a process the program left
 * behind holding the socket loses it then). The bytes each way and the idle clock come from
 * the kernel ({@code TCP_INFO}), since the bytes never pass through this process.
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
    /** How often a running program's byte counts and idle clock are read from the kernel. */
    private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

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
        boolean socketClosedHere = true;
        try {
            Watcher.INSTANCE.add(child);
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
            // The watcher still reaps it, and only then may our copy of the socket go (its
            // number must not be reused while the watcher still has it registered).
            socketClosedHere = false;
            child.exited.whenComplete((status, failure) -> Libc.close(child.socket));
            child.stop(Splice.Outcome.RESET);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running " + exec.command().get(0));
        } catch (ExecutionException e) {
            throw new IOException("waiting for " + exec.command().get(0) + " failed", e.getCause());
        } finally {
            if (socketClosedHere) Libc.close(child.socket);
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
        /** The watcher's: its tag for this child, and when it next reads the kernel's figures. */
        long token;
        long nextRefresh;
        final long refreshNanos;
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
            this.refreshNanos = idleTimeout == null ? REFRESH_NANOS
                    : Math.clamp(idleTimeout.toNanos() / 4, TimeUnit.MILLISECONDS.toNanos(10), REFRESH_NANOS);
            this.nextRefresh = System.nanoTime() + refreshNanos;
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

        /** The watcher's periodic look: the kernel's counts, and the idle timeout. */
        void refresh() {
            long idle = observe(false);
            if (idleTimeout != null && idle >= idleTimeout.toNanos()
                    && stoppedFor.compareAndSet(null, Splice.Outcome.IDLE_TIMEOUT)) {
                connection.abort(); // a reset for the caller, and stop() through onAbort
            }
        }

        /** Reaps the exited program (the watcher saw its pidfd readable). */
        void reap() {
            try {
                int status;
                synchronized (this) {
                    status = Libc.reap(pid);
                    reaped = status >= 0;
                }
                if (status >= 0) {
                    exited.complete(status);
                } else {
                    exited.completeExceptionally(new IOException("pidfd says " + pid + " exited, waitpid does not"));
                }
            } catch (Throwable t) {
                exited.completeExceptionally(t);
            }
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

    /**
     * One platform thread for all running programs: it waits in epoll on each program's pidfd
     * (readable once it exits: then it is reaped) and on our copy of its socket (hung up or
     * failed: the caller is gone, so the program is stopped), and reads the kernel's figures
     * for each every {@link Child#refreshNanos}. A program costs no thread while it runs, and
     * blocking calls never sit on a virtual thread's carrier.
     */
    private static final class Watcher {
        static final Watcher INSTANCE = new Watcher();
        private static final long WAKEUP = 0; // children's tags are 2 * token (+1 for the socket), token >= 1

        private final int epoll;
        private final int wakeup;
        private final Map<Long, Child> children = new ConcurrentHashMap<>();
        private final AtomicLong tokens = new AtomicLong();
        /** When the watcher wakes next at the latest; a newcomer due earlier wakes it. */
        private volatile long sleepsUntil = System.nanoTime();

        private Watcher() {
            try {
                epoll = Libc.epollCreate();
                wakeup = Libc.eventfd();
                Libc.epollAdd(epoll, wakeup, Libc.EPOLLIN, WAKEUP);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            Thread.ofPlatform().daemon().name("exec-watcher").start(this::run);
        }

        void add(Child child) throws IOException {
            child.token = tokens.incrementAndGet();
            children.put(child.token, child);
            try {
                Libc.epollAdd(epoll, child.pidfd, Libc.EPOLLIN, child.token * 2);
                Libc.epollAdd(epoll, child.socket, 0, child.token * 2 + 1); // EPOLLHUP, EPOLLERR: always
            } catch (IOException e) {
                forget(child);
                Libc.kill(child.pid, Libc.SIGKILL);
                child.exited.complete(Libc.waitpid(child.pid)); // after SIGKILL: a moment at most
                throw e;
            }
            if (child.nextRefresh - sleepsUntil < 0) {
                Libc.signalEventfd(wakeup); // a short idle timeout: its first look is due sooner
            }
        }

        private void run() {
            long[] tags = new long[64];
            int[] events = new int[64];
            long nextTick = System.nanoTime();
            boolean lookNow = true;
            while (true) {
                long now = System.nanoTime();
                if (lookNow || now - nextTick >= 0) {
                    nextTick = tick(now);
                    lookNow = false;
                }
                sleepsUntil = nextTick;
                int timeout = (int) Math.clamp(TimeUnit.NANOSECONDS.toMillis(nextTick - now) + 1, 0, 1000);
                int n;
                try {
                    n = Libc.epollWait(epoll, tags, events, timeout);
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, "exec's watcher cannot wait", e);
                    n = 0;
                }
                for (int i = 0; i < n; i++) {
                    if (tags[i] == WAKEUP) {
                        Libc.drainEventfd(wakeup);
                        lookNow = true;
                        continue;
                    }
                    Child child = children.get(tags[i] / 2);
                    if (child == null) continue;
                    if (tags[i] % 2 == 0) {
                        forget(child); // before the future completes: then the socket is the runner's to close
                        child.reap();
                    } else {
                        Libc.epollDelete(epoll, child.socket); // it stays hung up: once is enough
                        child.stop(Splice.Outcome.RESET);
                    }
                }
            }
        }

        /** Refreshes the children that are due; returns when the next one is (a second at most). */
        private long tick(long now) {
            long next = now + REFRESH_NANOS;
            for (Child child : children.values()) {
                if (now - child.nextRefresh >= 0) {
                    child.refresh();
                    child.nextRefresh = now + child.refreshNanos;
                }
                if (child.nextRefresh - next < 0) next = child.nextRefresh;
            }
            return next;
        }

        private void forget(Child child) {
            children.remove(child.token);
            Libc.epollDelete(epoll, child.socket);
            Libc.epollDelete(epoll, child.pidfd);
            Libc.close(child.pidfd);
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
