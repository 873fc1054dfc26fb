package dev.switchboard.model;

import dev.switchboard.server.Acceptor;
import dev.switchboard.server.ConnectionTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One selector thread of the {@link EventLoop}: accepts callers from the server's listening
 * socket through the server's {@link Acceptor} (or takes connections handed over), registers
 * them, and runs each ready one's {@link LoopConnection} until it ends. Everything
 * here but {@link #add} and {@link #stop} runs on the loop's own thread, so the per-connection
 * state needs no locks.
 *
 * <p>Other threads may close a connection's socket (the idle reaper, the server's shutdown).
 * A closed channel's key is cancelled, not reported ready, so every {@link #TICK_MILLIS} the
 * loop looks for connections whose socket is closed and ends them; the same tick ends
 * lingering closes that ran out of time and keeps the deadlines of PROXY headers and relays'
 * connects.
 */
final class Loop implements Runnable {

    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());
    static final long TICK_MILLIS = 100;
    /** One read buffer per loop, lent to the protocol for each read; a direct one, so reads copy nothing. */
    private static final int READ_BUFFER = 64 * 1024;
    /** Callers accepted per readiness of the listening socket, so a flood can't starve the open connections. */
    private static final int ACCEPTS_PER_EVENT = 16;

    private final Selector selector;
    private final Queue<ConnectionTask> incoming = new ConcurrentLinkedQueue<>();
    private final Queue<Acceptor> acceptors = new ConcurrentLinkedQueue<>();
    private final List<SelectionKey> pausedAccepts = new ArrayList<>();
    // Served after this round of ready keys, as a hand-over would be, on this same thread.
    private final Consumer<ConnectionTask> serve = incoming::add;
    private final Consumer<SelectionKey> onReady = this::ready; // made once, not at every select
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);
    private final Set<LoopTask> live = new HashSet<>();
    private final ArrayDeque<LoopConnection> lingering = new ArrayDeque<>();
    // Connections whose key was cancelled since the last select began, and those whose key
    // the current select deregisters: each is finished after that select (see ended).
    private ArrayList<Ending> ending = new ArrayList<>();
    private ArrayList<Ending> deregistering = new ArrayList<>();
    private volatile boolean stopping;
    private Thread thread;
    private long lastTick = System.nanoTime();
    private long now;
    private boolean timed;

    private Loop(Selector selector) {
        this.selector = selector;
    }

    static Loop start(String name) {
        try {
            Loop loop = new Loop(Selector.open());
            loop.thread = Thread.ofPlatform().name(name).daemon().start(loop);
            return loop;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
    }

    /** From another thread: serve this connection. Wakes the selector only if nobody has yet. */
    void add(ConnectionTask task) {
        if (stopping) throw new IllegalStateException("event loop stopped");
        incoming.add(task);
        if (wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /** From the server's start: accept for yourself from this server's listening socket. */
    void acceptFrom(Acceptor acceptor) {
        acceptors.add(acceptor);
        acceptor.onClose(selector::wakeup); // so the listening socket is released at once
        selector.wakeup();
    }

    /** Ends the thread (after the server has closed its connections) and waits for it. */
    void stop() {
        stopping = true;
        selector.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    ByteBuffer readBuffer() {
        return readBuffer;
    }

    /**
     * The time of this round of ready sockets, read once per round (at its first use after the
     * select) rather than at every read and write: two clock reads less per echoed message.
     */
    long now() {
        if (!timed) {
            now = System.nanoTime();
            timed = true;
        }
        return now;
    }

    @Override
    public void run() {
        try {
            while (!stopping) {
                ArrayList<Ending> cancelled = ending; // the select deregisters their keys first
                ending = deregistering; // empty
                deregistering = cancelled;
                timed = false;
                if (cancelled.isEmpty()) {
                    selector.select(onReady, TICK_MILLIS);
                } else {
                    selector.selectNow(onReady); // so they are not kept waiting for the tick
                }
                finish(cancelled);
                wakeupPending.set(false);
                registerIncoming();
                registerAcceptors();
                resumeAccepting();
                if (now() - lastTick >= TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS)) {
                    tick();
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.ERROR, "event loop failed; its connections are closed", e);
        } finally {
            registerIncoming(); // so that nobody handed over is left unaccounted for
            for (LoopTask c : new ArrayList<>(live)) {
                try {
                    c.abort("shutdown");
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "closing a connection of the event loop failed", e); // the others still close
                }
            }
            try {
                selector.close(); // deregisters every key
            } catch (IOException ignored) {
                // the loop is over either way
            }
            finish(deregistering);
            finish(ending);
        }
    }

    private void ready(SelectionKey key) {
        if (key.attachment() instanceof LoopTask c) {
            c.ready(key);
        } else {
            accept(key);
        }
    }

    // The server's accept step decides everything (permits, rules, limits, back-off); the
    // loop only stops watching the listening socket while it says to pause.
    private void accept(SelectionKey key) {
        Acceptor acceptor = (Acceptor) key.attachment();
        for (int i = 0; i < ACCEPTS_PER_EVENT; i++) {
            switch (acceptor.acceptOne(serve)) {
                case MORE -> { }
                case IDLE -> { return; }
                case PAUSE -> {
                    key.interestOps(0);
                    pausedAccepts.add(key);
                    return;
                }
                case STOP -> {
                    key.cancel();
                    return;
                }
            }
        }
    }

    // A permit comes back when a connection ends (on some loop): checked every time round,
    // and at the latest every tick, since select waits no longer.
    private void resumeAccepting() {
        if (pausedAccepts.isEmpty()) return;
        pausedAccepts.removeIf(key -> {
            if (!key.isValid()) return true;
            if (!((Acceptor) key.attachment()).mayResume()) return false;
            key.interestOps(SelectionKey.OP_ACCEPT);
            return true;
        });
    }

    private void registerAcceptors() {
        Acceptor acceptor;
        while ((acceptor = acceptors.poll()) != null) {
            try {
                acceptor.listener().register(selector, SelectionKey.OP_ACCEPT, acceptor);
            } catch (ClosedChannelException e) {
                // the server closed before this loop came round: nothing to accept
            }
        }
    }

    private void registerIncoming() {
        ConnectionTask task;
        while ((task = incoming.poll()) != null) {
            LoopTask c = LoopTask.of(this, task);
            live.add(c);
            c.open(selector);
        }
    }

    /** Ends lingering closes past their time, connections another thread closed, and missed deadlines. */
    private void tick() {
        long now = now();
        lastTick = now;
        LoopConnection head;
        while ((head = lingering.peek()) != null && (head.ended() || now - head.lingerDeadline() >= 0)) {
            lingering.poll();
            head.lingerExpired();
        }
        List<LoopTask> due = new ArrayList<>();
        for (LoopTask c : live) {
            if (c.due(now)) due.add(c);
        }
        for (LoopTask c : due) {
            c.expire(now);
        }
    }

    void lingering(LoopConnection c) {
        lingering.add(c); // one linger time for all, so the queue is in deadline order
    }

    /**
     * A task is over: the loop stops tracking it, cancels {@code key} (its connection's, null if
     * it never registered) and has the server finish the connection (close, record, permit)
     * once the next select has deregistered that key. Closing a channel that is still
     * registered costs the JDK's deferred close: a {@code getsockopt} and a {@code shutdown}
     * more per connection, then the close at the next select anyway.
     */
    void ended(LoopTask c, SelectionKey key, ConnectionTask task, Throwable failure) {
        live.remove(c);
        if (key == null) {
            task.finish(failure);
            return;
        }
        key.cancel();
        ending.add(new Ending(task, failure));
    }

    private static void finish(List<Ending> ended) {
        for (Ending e : ended) {
            e.task().finish(e.failure());
        }
        ended.clear();
    }

    /** A connection to finish once its key is deregistered. */
    private record Ending(ConnectionTask task, Throwable failure) {
    }

    /** A connection's PROXY header is settled: its service's driver takes over. */
    void handOver(LoopTask from, LoopTask to) {
        live.remove(from);
        live.add(to);
        to.open(selector);
    }
}
