package dev.switchboard.service;

import dev.switchboard.io.Splice;
import dev.switchboard.server.Connection;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One program: its pid and pidfd, our copy of the socket, its stderr pipe, and where it is
 * in its life. After {@link ExecWatcher#add} only the watcher thread touches the descriptors
 * and the fields marked as its.
 */
final class SocketChild {
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
    boolean reaped; // guarded by this: no signal goes to a pid once it may be reused
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

    private SocketChild(int pid, int pidfd, int socket, int stderr, boolean wasNonBlocking, Connection connection,
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
        this.refreshNanos = idleTimeout == null ? SocketExec.REFRESH_NANOS
                : Math.clamp(idleTimeout.toNanos() / 4, TimeUnit.MILLISECONDS.toNanos(10), SocketExec.REFRESH_NANOS);
        this.nextLook = System.nanoTime() + refreshNanos;
    }

    /**
     * Spawns the program; on failure closes whatever it had opened. {@code s} is the calling
     * thread's, and so is {@code arena}, which must outlive the call only.
     */
    static SocketChild start(Libc.Scratch s, Arena arena, Exec exec, Connection connection, Map<String, String> env)
            throws IOException {
        int socket = Libc.dup(s, SocketExec.fd(connection.channel()));
        int[] pipe = null;
        boolean nonBlocking = false;
        try {
            // The channel may have been closed (shutdown) and its number reused by now; it
            // is flagged closed before the number is let go, so open now means ours then.
            if (!connection.channel().isOpen()) throw new ClosedChannelException();
            // A virtual thread that used the channel made it non-blocking, and that flag is
            // the socket's, shared with the program, which expects blocking reads.
            nonBlocking = Libc.clearNonBlocking(s, socket);
            pipe = Libc.stderrPipe(s);
            int pid;
            try {
                pid = PosixSpawn.start(arena, exec.command(), env, socket, pipe[1]);
            } finally {
                Libc.close(pipe[1]); // the program has its own copy
            }
            int pidfd;
            try {
                pidfd = Libc.pidfdOpen(s, pid);
            } catch (IOException e) {
                Libc.kill(pid, Libc.SIGKILL);
                Libc.waitpid(s, pid);
                throw e;
            }
            return new SocketChild(pid, pidfd, socket, pipe[0], nonBlocking, connection, exec);
        } catch (IOException | RuntimeException e) {
            if (pipe != null) Libc.close(pipe[0]);
            if (nonBlocking) Libc.setNonBlocking(s, socket);
            Libc.close(socket);
            throw e;
        }
    }

    Splice.Outcome outcome() {
        Splice.Outcome why = stoppedFor.get();
        return why != null ? why : Splice.Outcome.OK;
    }

    /** The watcher's periodic look at a running program: the kernel's counts, and the idle timeout. */
    void refresh(Libc.Scratch s) {
        long idle = observe(s, false);
        if (idleTimeout != null && idle >= idleTimeout.toNanos()
                && stoppedFor.compareAndSet(null, Splice.Outcome.IDLE_TIMEOUT)) {
            connection.abort(); // a reset for the caller, and stop() through onAbort
        }
    }

    /** Reaps the exited program (its pidfd is readable); the status, or -1 if it is not there. */
    int reap(Libc.Scratch s) throws IOException {
        int status;
        synchronized (this) {
            status = Libc.reap(s, pid);
            reaped = status >= 0;
        }
        if (status >= 0) exited.complete(status);
        return status;
    }

    /**
     * Gives the connection the kernel's counts and last-data time; returns how long no data
     * moved, in nanoseconds. In: what arrived. Out: what the program wrote, acknowledged or
     * still queued (when the caller half-closed first, the program's last output may still be
     * on its way as we close, which the kernel then sends). Each FIN takes one from its count
     * once it is known to be there; a reset after both closed leaves the caller's uncertain,
     * and that count may be one over.
     */
    long observe(Libc.Scratch s, boolean atEnd) {
        try {
            Libc.TcpInfo info = Libc.tcpInfo(s, socket);
            boolean cleanEnd = atEnd && stoppedFor.get() == null;
            boolean finReceived = switch (info.state()) {
                case 6, 8, 9, 11 -> true; // TIME_WAIT, CLOSE_WAIT, LAST_ACK, CLOSING
                case 7 -> cleanEnd; // CLOSE: after our FIN and the caller's
                default -> false;
            };
            boolean finSent = switch (info.state()) {
                case 4, 5, 6, 9, 11 -> true; // FIN_WAIT1, FIN_WAIT2, TIME_WAIT, LAST_ACK, CLOSING
                case 7 -> cleanEnd;
                default -> false;
            };
            long idleNanos = TimeUnit.MILLISECONDS.toNanos(Math.min(info.lastDataSentMillis(), info.lastDataRecvMillis()));
            connection.observed(Math.max(0, info.bytesReceived() - (finReceived ? 1 : 0)),
                    Math.max(0, info.bytesAcked() + info.sendQueue() - (finSent ? 1 : 0)),
                    System.nanoTime() - idleNanos);
            return idleNanos;
        } catch (IOException e) {
            SocketExec.LOG.log(Level.DEBUG, () -> connection + ": no TCP_INFO: " + e);
            return 0; // no figures: the connection's own stay
        }
    }

    /** Gives the socket back its non-blocking mode for the server's channel, if it had it. */
    void restoreMode(Libc.Scratch s) {
        if (wasNonBlocking) {
            try {
                Libc.setNonBlocking(s, socket);
            } catch (IOException e) {
                SocketExec.LOG.log(Level.DEBUG, () -> connection + ": cannot restore non-blocking mode: " + e);
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
