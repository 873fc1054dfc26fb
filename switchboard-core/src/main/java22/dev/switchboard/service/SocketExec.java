package dev.switchboard.service;

import dev.switchboard.io.Splice;
import dev.switchboard.server.Connection;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
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
 * lines are prefixed as always ({@link StderrLines}); nothing else of the server's is open in it.
 *
 * <p>The server keeps its own copy of the socket while the program runs, so shutdown, a reset
 * and the idle timeout still act on it. One watcher thread for all programs waits in epoll on
 * each program's pidfd and on our copy of its socket: when the socket hangs up or fails (the
 * caller reset) the program is stopped, SIGTERM then SIGKILL after the grace, as on the JDK's
 * way; when it exits, the watcher reaps it with {@code waitpid(pid)}, never {@code waitpid(-1)},
 * which would take the JDK's own children. Then the server sends its FIN and lingers for the
 * caller's ({@link Linger#MAX} at most) before it closes: the caller sees EOF when the program
 * exits (a process the program left behind holding the socket loses it then). The watcher
 * also reads the stderr pipes and does the lingering, so a connection's own (virtual) thread
 * only starts the program and waits once. The bytes each way and the idle clock come from
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
        // Not through Spawn: its headroom check (a listing of /proc/self/fd under a lock) is
        // there for the JDK's leak when it runs out of descriptors, and it cost a third of this
        // path's CPU at 32 callers. This start closes what it opened on every failure instead.
        Child child = Child.start(exec, connection, env);
        // Shutdown and the server's idle timeout abort the connection: the program must go too.
        connection.onAbort(() -> child.stop(Splice.Outcome.RESET));
        Watcher.INSTANCE.add(child); // from here on the watcher owns the child's descriptors
        try {
            int status = child.done.get();
            Splice.Outcome outcome = child.outcome();
            return new Exec.Result(new Splice.Result(connection.bytesIn(), connection.bytesOut(), outcome, null), status);
        } catch (InterruptedException e) {
            child.stop(Splice.Outcome.RESET); // the watcher still reaps it and closes what it had
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running " + exec.command().get(0));
        } catch (ExecutionException e) {
            throw new IOException("waiting for " + exec.command().get(0) + " failed", e.getCause());
        }
    }

    /**
     * One program: its pid and pidfd, our copy of the socket, its stderr pipe, and where it is
     * in its life. After {@link Watcher#add} only the watcher thread touches the descriptors
     * and the fields marked as its.
     */
    private static final class Child {
        final int pid;
        final int pidfd;
        final int socket;
        final int stderr;
        final boolean wasNonBlocking;
        final Connection connection;
        final Duration grace;
        final Duration idleTimeout;
        final StderrLines lines;
        /** Completes when the program has been reaped, with its exit status. */
        final CompletableFuture<Integer> exited = new CompletableFuture<>();
        /** Completes when all is over: reaped, its stderr read to the end, the caller's FIN had. */
        final CompletableFuture<Integer> done = new CompletableFuture<>();
        final AtomicReference<Splice.Outcome> stoppedFor = new AtomicReference<>();
        private final AtomicBoolean terminating = new AtomicBoolean();
        private boolean reaped; // guarded by this: no signal goes to a pid once it may be reused
        final long refreshNanos;

        // The watcher's.
        long token;
        long nextLook;
        int status = -1;
        boolean socketWatched = true;
        boolean stderrOpen = true;
        boolean lingering;
        long lingerUntil;
        long stderrUntil;

        private Child(int pid, int pidfd, int socket, int stderr, boolean wasNonBlocking, Connection connection,
                      Exec exec) {
            this.pid = pid;
            this.pidfd = pidfd;
            this.socket = socket;
            this.stderr = stderr;
            this.wasNonBlocking = wasNonBlocking;
            this.connection = connection;
            this.grace = exec.grace();
            this.idleTimeout = exec.idleTimeout();
            this.lines = exec.stderrLines("[#" + connection.id() + "] ");
            this.refreshNanos = idleTimeout == null ? REFRESH_NANOS
                    : Math.clamp(idleTimeout.toNanos() / 4, TimeUnit.MILLISECONDS.toNanos(10), REFRESH_NANOS);
            this.nextLook = System.nanoTime() + refreshNanos;
        }

        /** Spawns the program; on failure closes whatever it had opened. */
        static Child start(Exec exec, Connection connection, Map<String, String> env) throws IOException {
            int socket = Libc.dup(fd(connection.channel()));
            int[] pipe = null;
            boolean nonBlocking = false;
            try {
                // The channel may have been closed (shutdown) and its number reused by now; it
                // is flagged closed before the number is let go, so open now means ours then.
                if (!connection.channel().isOpen()) throw new ClosedChannelException();
                // A virtual thread that used the channel made it non-blocking, and that flag is
                // the socket's, shared with the program, which expects blocking reads.
                nonBlocking = Libc.clearNonBlocking(socket);
                pipe = Libc.stderrPipe();
                int pid;
                try {
                    pid = Libc.spawn(exec.command(), env, socket, pipe[1]);
                } finally {
                    Libc.close(pipe[1]); // the program has its own copy
                }
                int pidfd;
                try {
                    pidfd = Libc.pidfdOpen(pid);
                } catch (IOException e) {
                    Libc.kill(pid, Libc.SIGKILL);
                    Libc.waitpid(pid);
                    throw e;
                }
                return new Child(pid, pidfd, socket, pipe[0], nonBlocking, connection, exec);
            } catch (IOException | RuntimeException e) {
                if (pipe != null) Libc.close(pipe[0]);
                if (nonBlocking) Libc.setNonBlocking(socket);
                Libc.close(socket);
                throw e;
            }
        }

        Splice.Outcome outcome() {
            Splice.Outcome why = stoppedFor.get();
            return why != null ? why : Splice.Outcome.OK;
        }

        /** The watcher's periodic look at a running program: the kernel's counts, and the idle timeout. */
        void refresh() {
            long idle = observe(false);
            if (idleTimeout != null && idle >= idleTimeout.toNanos()
                    && stoppedFor.compareAndSet(null, Splice.Outcome.IDLE_TIMEOUT)) {
                connection.abort(); // a reset for the caller, and stop() through onAbort
            }
        }

        /** Reaps the exited program (its pidfd is readable); the status, or -1 if it is not there. */
        int reap() throws IOException {
            int s;
            synchronized (this) {
                s = Libc.reap(pid);
                reaped = s >= 0;
            }
            if (s >= 0) exited.complete(s);
            return s;
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
                long idleNanos = TimeUnit.MILLISECONDS.toNanos(Math.min(info.lastDataSentMillis(), info.lastDataRecvMillis()));
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
     * One platform thread for all programs: it waits in epoll on each program's pidfd (readable
     * once it exits: then it is reaped), on our copy of its socket (while it runs: hung up or
     * failed means the caller is gone, so the program is stopped; once it exited: the caller's
     * FIN ends the lingering) and on its stderr pipe (lines for the log), and reads the kernel's
     * figures for each every {@link Child#refreshNanos}. A program costs no thread while it
     * runs, and blocking calls never sit on a virtual thread's carrier.
     */
    private static final class Watcher {
        static final Watcher INSTANCE = new Watcher();
        /** Tags: 4 * token + what (token >= 1), or 0 for the wakeup. */
        private static final long WAKEUP = 0;
        private static final int EXIT = 0;
        private static final int SOCKET = 1;
        private static final int STDERR = 2;

        private final int epoll;
        private final int wakeup;
        private final Map<Long, Child> children = new ConcurrentHashMap<>();
        private final AtomicLong tokens = new AtomicLong();
        /** When the watcher wakes next at the latest; a newcomer due earlier wakes it. */
        private volatile long sleepsUntil = System.nanoTime();
        private final MemorySegment buffer = Arena.ofAuto().allocate(64 * 1024);
        private final byte[] bytes = new byte[64 * 1024];

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

        /** Takes the child over, descriptors and all; on failure it is killed, reaped and closed. */
        void add(Child child) throws IOException {
            child.token = tokens.incrementAndGet();
            children.put(child.token, child);
            try {
                // The pidfd last: the watcher may see the exit at once and then finds the rest watched.
                Libc.epollAdd(epoll, child.socket, 0, tag(child, SOCKET)); // EPOLLHUP, EPOLLERR: always
                Libc.epollAdd(epoll, child.stderr, Libc.EPOLLIN, tag(child, STDERR));
                Libc.epollAdd(epoll, child.pidfd, Libc.EPOLLIN, tag(child, EXIT));
            } catch (IOException e) {
                children.remove(child.token);
                synchronized (child) {
                    Libc.kill(child.pid, Libc.SIGKILL);
                    Libc.waitpid(child.pid); // after SIGKILL: a moment at most
                    child.reaped = true;
                }
                for (int fd : new int[] {child.pidfd, child.socket, child.stderr}) {
                    Libc.epollDelete(epoll, fd);
                    Libc.close(fd);
                }
                throw e;
            }
            if (child.nextLook - sleepsUntil < 0) {
                Libc.signalEventfd(wakeup); // a short idle timeout: its first look is due sooner
            }
        }

        private static long tag(Child child, int what) {
            return child.token * 4 + what;
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
                    Child child = children.get(tags[i] / 4);
                    if (child == null) continue;
                    try {
                        switch ((int) (tags[i] % 4)) {
                            case EXIT -> exited(child);
                            case SOCKET -> socket(child);
                            default -> stderr(child);
                        }
                        finishIfOver(child);
                    } catch (IOException | RuntimeException e) {
                        LOG.log(Level.WARNING, "exec's watcher failed on " + child.connection, e);
                        child.done.completeExceptionally(e);
                    }
                }
            }
        }

        private void exited(Child child) throws IOException {
            if (child.reap() < 0) return;
            child.status = child.exited.join();
            Libc.epollDelete(epoll, child.pidfd);
            Libc.close(child.pidfd);
            long now = System.nanoTime();
            child.stderrUntil = now + child.grace.toNanos(); // a process left behind may hold it
            if (child.outcome() == Splice.Outcome.OK && child.socketWatched) {
                Libc.shutdownOutput(child.socket); // the caller's EOF, now that the program is gone
                child.lingering = true;
                child.lingerUntil = now + Linger.MAX.toNanos();
                Libc.epollModify(epoll, child.socket, Libc.EPOLLIN | Libc.EPOLLRDHUP, tag(child, SOCKET));
                socket(child); // the caller may have closed already
            }
            child.nextLook = child.lingering ? Math.min(child.stderrUntil, child.lingerUntil) : child.stderrUntil;
        }

        /** While it runs: the caller is gone. While lingering: drop what the caller sends until its EOF. */
        private void socket(Child child) {
            if (!child.lingering) {
                unwatchSocket(child);
                child.stop(Splice.Outcome.RESET);
                return;
            }
            int n;
            while ((n = Libc.readNow(child.socket, buffer, true)) > 0) {
                // dropped: the caller's bytes after the program's end
            }
            if (n != -1) { // its EOF, or a reset: either way nothing more to wait for
                child.lingering = false;
                unwatchSocket(child);
            }
        }

        private void stderr(Child child) {
            int n;
            while ((n = Libc.readNow(child.stderr, buffer, false)) > 0) {
                MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, bytes, 0, n);
                child.lines.feed(bytes, 0, n);
            }
            if (n != -1) closeStderr(child);
        }

        private void closeStderr(Child child) {
            child.lines.end();
            child.stderrOpen = false;
            Libc.epollDelete(epoll, child.stderr);
            Libc.close(child.stderr);
        }

        private void unwatchSocket(Child child) {
            if (child.socketWatched) {
                child.socketWatched = false;
                Libc.epollDelete(epoll, child.socket);
            }
        }

        /** Once reaped, read to the end of stderr and lingered: the socket goes, the runner wakes. */
        private void finishIfOver(Child child) {
            if (child.status < 0 || child.stderrOpen || child.lingering || child.done.isDone()) return;
            children.remove(child.token);
            unwatchSocket(child);
            child.restoreMode();
            child.observe(true);
            Libc.close(child.socket);
            child.done.complete(child.status);
        }

        /** Refreshes running children and ends overdue waits; returns when the next look is due (a second at most). */
        private long tick(long now) {
            long next = now + REFRESH_NANOS;
            for (Child child : children.values()) {
                if (now - child.nextLook >= 0) {
                    if (child.status < 0) {
                        child.refresh();
                        child.nextLook = now + child.refreshNanos;
                    } else {
                        if (child.lingering && now - child.lingerUntil >= 0) {
                            child.lingering = false; // the caller keeps its end open: close anyway
                            unwatchSocket(child);
                        }
                        if (child.stderrOpen && now - child.stderrUntil >= 0) {
                            closeStderr(child);
                        }
                        finishIfOver(child);
                        child.nextLook = child.lingering ? Math.min(child.stderrUntil, child.lingerUntil) : child.stderrUntil;
                    }
                }
                if (children.containsKey(child.token) && child.nextLook - next < 0) next = child.nextLook;
            }
            return next;
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
