package dev.switchboard.service;

import dev.switchboard.io.Splice;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One platform thread for all programs: it waits in epoll on each program's pidfd (readable
 * once it exits: then it is reaped), on our copy of its socket (while it runs: hung up or
 * failed means the caller is gone, so the program is stopped; once it exited: the caller's
 * FIN ends the lingering) and on its stderr pipe (lines for the log), and reads the kernel's
 * figures for each every {@link SocketChild#refreshNanos}. A program costs no thread while it
 * runs, and blocking calls never sit on a virtual thread's carrier.
 */
final class ExecWatcher {
    static final ExecWatcher INSTANCE = new ExecWatcher();
    /** Tags: 4 * token + what (token >= 1), or 0 for the wakeup. */
    private static final long WAKEUP = 0;
    private static final int EXIT = 0;
    private static final int SOCKET = 1;
    private static final int STDERR = 2;

    private final int epoll;
    private final int wakeup;
    private final Map<Long, SocketChild> children = new ConcurrentHashMap<>();
    private final AtomicLong tokens = new AtomicLong();
    /** When the watcher wakes next at the latest; a newcomer due earlier wakes it. */
    private volatile long sleepsUntil = System.nanoTime();
    // The watcher thread's native memory, for good.
    private final Arena arena = Arena.ofShared();
    private final Libc.Scratch scratch = Libc.Scratch.in(arena);
    private final MemorySegment buffer = arena.allocate(64 * 1024);
    private final MemorySegment ready = Libc.events(arena, 64);
    private final byte[] bytes = new byte[64 * 1024];

    private ExecWatcher() {
        try {
            epoll = Libc.epollCreate(scratch);
            wakeup = Libc.eventfd(scratch);
            Libc.epollAdd(scratch, epoll, wakeup, Libc.EPOLLIN, WAKEUP);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Thread.ofPlatform().daemon().name("exec-watcher").start(this::run);
    }

    /**
     * Takes the child over, descriptors and all; on failure it is killed, reaped and closed.
     * {@code s} is the calling thread's.
     */
    void add(Libc.Scratch s, SocketChild child) throws IOException {
        child.token = tokens.incrementAndGet();
        children.put(child.token, child);
        try {
            // The pidfd last: the watcher may see the exit at once and then finds the rest watched.
            Libc.epollAdd(s, epoll, child.socket, 0, tag(child, SOCKET)); // EPOLLHUP, EPOLLERR: always
            Libc.epollAdd(s, epoll, child.stderr, Libc.EPOLLIN, tag(child, STDERR));
            Libc.epollAdd(s, epoll, child.pidfd, Libc.EPOLLIN, tag(child, EXIT));
        } catch (IOException e) {
            discard(s, child);
            throw e;
        }
        if (child.nextLook - sleepsUntil < 0) {
            Libc.signalEventfd(s, wakeup); // a short idle timeout: its first look is due sooner
        }
    }

    /**
     * Whatever went wrong with this child would come round again (epoll is level-triggered):
     * its connection ends here, as an error, with nothing of it left behind, and the others
     * are watched on.
     */
    private void fail(SocketChild child, Exception e) {
        SocketExec.LOG.log(Level.WARNING, "exec's watcher failed on " + child.connection, e);
        discard(scratch, child);
        child.done.completeExceptionally(e);
    }

    /**
     * Lets go of a child that can't be watched on: its descriptors out of the set and closed,
     * the program killed unless it was reaped already, and reaped (after SIGKILL, a moment at
     * most). {@code s} is the calling thread's.
     */
    private void discard(Libc.Scratch s, SocketChild child) {
        if (children.remove(child.token) == null) return; // finished: its descriptors are closed
        if (child.status < 0) closeWatched(s, child.pidfd);
        if (child.socketWatched) closeWatched(s, child.socket);
        else Libc.close(child.socket);
        if (child.stderrOpen) closeWatched(s, child.stderr);
        child.socketWatched = false;
        child.stderrOpen = false;
        synchronized (child) {
            if (!child.reaped) {
                Libc.kill(child.pid, Libc.SIGKILL);
                try {
                    child.exited.complete(Libc.waitpid(s, child.pid));
                } catch (IOException e) {
                    SocketExec.LOG.log(Level.WARNING, "cannot reap " + child.pid + ": " + e);
                }
                child.reaped = true;
            }
        }
    }

    /** Out of the set before the close: see {@link #exited}. */
    private void closeWatched(Libc.Scratch s, int fd) {
        Libc.epollDelete(s, epoll, fd);
        Libc.close(fd);
    }

    private static long tag(SocketChild child, int what) {
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
                n = Libc.epollWait(scratch, epoll, ready, tags, events, timeout);
            } catch (IOException | RuntimeException e) {
                SocketExec.LOG.log(Level.WARNING, "exec's watcher cannot wait", e);
                n = 0;
            }
            for (int i = 0; i < n; i++) {
                if (tags[i] == WAKEUP) {
                    Libc.drainEventfd(scratch, wakeup);
                    lookNow = true;
                    continue;
                }
                SocketChild child = children.get(tags[i] / 4);
                if (child == null) continue;
                try {
                    switch ((int) (tags[i] % 4)) {
                        case EXIT -> exited(child);
                        case SOCKET -> socket(child);
                        default -> stderr(child);
                    }
                    finishIfOver(child);
                } catch (IOException | RuntimeException e) {
                    fail(child, e);
                }
            }
        }
    }

    private void exited(SocketChild child) throws IOException {
        if (child.reap(scratch) < 0) return;
        child.status = child.exited.join();
        // Taken out of the set before the close, which alone would not do it: a program being
        // spawned at this moment holds a copy of every descriptor until it execs.
        closeWatched(scratch, child.pidfd);
        long now = System.nanoTime();
        child.stderrUntil = now + child.grace.toNanos(); // a process left behind may hold it
        if (child.outcome() == Splice.Outcome.OK && child.socketWatched) {
            Libc.shutdownOutput(child.socket); // the caller's EOF, now that the program is gone
            child.lingering = true;
            child.lingerUntil = now + Linger.MAX.toNanos();
            Libc.epollModify(scratch, epoll, child.socket, Libc.EPOLLIN | Libc.EPOLLRDHUP, tag(child, SOCKET));
            socket(child); // the caller may have closed already
        }
        child.nextLook = child.lingering ? Math.min(child.stderrUntil, child.lingerUntil) : child.stderrUntil;
    }

    /** While it runs: the caller is gone. While lingering: drop what the caller sends until its EOF. */
    private void socket(SocketChild child) {
        if (!child.lingering) {
            unwatchSocket(child);
            child.stop(Splice.Outcome.RESET);
            return;
        }
        int n;
        while ((n = Libc.readNow(scratch, child.socket, buffer, true)) > 0) {
            // dropped: the caller's bytes after the program's end
        }
        if (n != -1) { // its EOF, or a reset: either way nothing more to wait for
            child.lingering = false;
            unwatchSocket(child);
        }
    }

    /** One read, which doesn't wait: epoll said there is something (level-triggered: the rest is said again). */
    private void stderr(SocketChild child) {
        int n = Libc.readNow(scratch, child.stderr, buffer, false);
        if (n > 0) {
            MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, bytes, 0, n);
            child.lines.feed(bytes, 0, n);
        } else if (n != -1) {
            closeStderr(child);
        }
    }

    private void closeStderr(SocketChild child) {
        child.stderrOpen = false;
        closeWatched(scratch, child.stderr);
        child.lines.end();
    }

    private void unwatchSocket(SocketChild child) {
        if (child.socketWatched) {
            child.socketWatched = false;
            Libc.epollDelete(scratch, epoll, child.socket);
        }
    }

    /** Once reaped, read to the end of stderr and lingered: the socket goes, the runner wakes. */
    private void finishIfOver(SocketChild child) {
        if (child.status < 0 || child.stderrOpen || child.lingering) return;
        if (children.remove(child.token) == null) return; // discarded
        unwatchSocket(child);
        child.restoreMode(scratch);
        child.observe(scratch, true);
        Libc.close(child.socket);
        child.done.complete(child.status);
    }

    /** Refreshes running children and ends overdue waits; returns when the next look is due (a second at most). */
    private long tick(long now) {
        long next = now + SocketExec.REFRESH_NANOS;
        for (SocketChild child : children.values()) {
            try {
                look(child, now);
            } catch (RuntimeException e) {
                fail(child, e);
            }
            if (children.containsKey(child.token) && child.nextLook - next < 0) next = child.nextLook;
        }
        return next;
    }

    /** The periodic look at one child, when it is due. */
    private void look(SocketChild child, long now) {
        if (now - child.nextLook < 0) return;
        if (child.status < 0) {
            child.refresh(scratch);
            child.nextLook = now + child.refreshNanos;
            return;
        }
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
