package dev.switchboard.model;

import dev.switchboard.proxy.ProxyProtocolHandler;
import dev.switchboard.relay.Relay;
import dev.switchboard.server.ConnectionHandler;
import dev.switchboard.server.ConnectionTask;
import dev.switchboard.server.ProxiedAdmission;
import dev.switchboard.service.ProtocolHandler;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * What a {@link Loop} drives for one connection, on the loop's thread only: a built-in
 * service's protocol ({@link LoopConnection}), a relay ({@link LoopRelay}), or first the
 * connection's PROXY header ({@link LoopHeader}), which then hands the connection to one of
 * the other two. Each ends its connection exactly once, through
 * {@link ConnectionTask#finish(Throwable)}, and tells the loop with {@link Loop#ended}.
 */
sealed interface LoopTask permits LoopConnection, LoopHeader, LoopRelay {

    /** Registers the connection with the loop's selector (again, after a header) and starts. */
    void open(Selector selector);

    /** One of its keys is ready. */
    void ready(SelectionKey key);

    /**
     * Whether the loop's tick must {@link #expire} it: its socket was closed under it (the idle
     * reaper, the server's shutdown), or a deadline of its own has passed.
     */
    boolean due(long nowNanos);

    /** Acts on {@link #due}: ends it, or gives up on what ran out of time. */
    void expire(long nowNanos);

    /** Ends it now with this outcome and a reset (the loop is stopping). */
    void abort(String outcome);

    /** Whether the loop can serve a server's (model-adapted, maybe PROXY-wrapped) handler. */
    static boolean runs(ConnectionHandler handler) {
        return serves(unwrapped(handler));
    }

    /** The driver for a connection the server accepted (on this loop, or handed over). */
    static LoopTask of(Loop loop, ConnectionTask task) {
        if (task.handler() instanceof ProxyProtocolHandler p && p.next() instanceof ProxiedAdmission a) {
            return new LoopHeader(loop, task, p.policy(), a);
        }
        return serving(loop, task, task.handler());
    }

    /** The driver of the service itself, once any header is settled. */
    static LoopTask serving(Loop loop, ConnectionTask task, ConnectionHandler handler) {
        return switch (handler) {
            case ProtocolHandler p -> new LoopConnection(loop, task, p.factory());
            case Relay r -> new LoopRelay(loop, task, r);
            default -> throw new IllegalArgumentException("the loop model cannot serve " + handler);
        };
    }

    /** Whether the loop has a driver for this service. */
    static boolean serves(ConnectionHandler handler) {
        return handler instanceof ProtocolHandler || handler instanceof Relay;
    }

    private static ConnectionHandler unwrapped(ConnectionHandler handler) {
        return handler instanceof ProxyProtocolHandler p && p.next() instanceof ProxiedAdmission a ? a.next() : handler;
    }
}
