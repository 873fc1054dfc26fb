package dev.switchboard.model;

import dev.switchboard.relay.Relay;
import dev.switchboard.server.Acceptor;
import dev.switchboard.server.ConnectionHandler;
import dev.switchboard.server.ConnectionTask;
import dev.switchboard.service.ProtocolHandler;
import java.io.IOException;

/**
 * The classic select/poll server: a few {@link java.nio.channels.Selector} threads (one per
 * core by default) serve every connection with non-blocking I/O, driving the built-in
 * services' {@link dev.switchboard.service.Protocol}s ({@link LoopConnection}) and the
 * {@link Relay} ({@link LoopRelay}) directly, without a thread per connection; a PROXY header
 * is read first when the server asks for one ({@link LoopHeader}). Each {@link Loop} also
 * watches the listening socket and, when it is ready, runs the server's accept step
 * ({@link Acceptor}: permits, rules, limits, records, back-off, all in the server) and serves
 * what it accepted itself: no thread hands a caller to another.
 *
 * <p>Only protocols and the relay run here: blocking code ({@code exec}, an embedder's
 * {@link ConnectionHandler}) would stall every connection on its loop, so {@link #adapt}
 * refuses it. The loops start with the first connection and end with {@link #stop()}.
 */
public final class EventLoop implements ConcurrencyModel {

    private final int loopCount;
    private Loop[] loops;
    private int next;

    /** One loop per available processor. */
    public EventLoop() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** This many loops (selector threads). */
    public EventLoop(int loops) {
        if (loops < 1) throw new IllegalArgumentException("an event loop model needs at least one loop");
        this.loopCount = loops;
    }

    @Override
    public String name() {
        return "loop";
    }

    /** How many selector threads serve connections. */
    public int loops() {
        return loopCount;
    }

    /**
     * Keeps a {@link ProtocolHandler} (a built-in service) or a {@link Relay} as it is.
     *
     * @throws IllegalArgumentException for any other handler: blocking code needs a blocking model
     */
    @Override
    public ConnectionHandler adapt(ConnectionHandler handler) {
        if (LoopTask.serves(handler)) {
            return handler;
        }
        throw new IllegalArgumentException("the loop model runs only the built-in services and the relay;"
                + " this handler is blocking code (use --model virtual)");
    }

    /**
     * Every loop watches the server's listening socket and accepts for itself, through the
     * server's accept step, so a caller is accepted and served on the same thread.
     */
    @Override
    public boolean accepts(Acceptor acceptor) throws IOException {
        acceptor.listener().configureBlocking(false);
        for (Loop loop : started()) {
            loop.acceptFrom(acceptor);
        }
        return true;
    }

    /**
     * Hands a connection accepted elsewhere to the next loop (a server's own callers never
     * come this way: the loops accept them). Called from one thread only (so the round-robin
     * needs no lock), with the task the server built.
     *
     * @throws IllegalArgumentException for a task that is not a server's protocol or relay connection
     */
    @Override
    public void execute(Runnable connectionTask) {
        if (!(connectionTask instanceof ConnectionTask task) || !LoopTask.runs(task.handler())) {
            throw new IllegalArgumentException("the loop model serves a TcpServer's protocol and relay connections only");
        }
        Loop[] ls = started();
        Loop loop = ls[next];
        next = (next + 1) % ls.length;
        loop.add(task);
    }

    private synchronized Loop[] started() {
        if (loops == null) {
            Loop[] ls = new Loop[loopCount];
            for (int i = 0; i < ls.length; i++) {
                ls[i] = Loop.start("loop-" + i);
            }
            loops = ls;
        }
        return loops;
    }

    @Override
    public synchronized void stop() {
        if (loops == null) return;
        for (Loop loop : loops) {
            loop.stop();
        }
        loops = null;
    }

    @Override
    public String toString() {
        return "EventLoop[" + loopCount + " loops]";
    }
}
