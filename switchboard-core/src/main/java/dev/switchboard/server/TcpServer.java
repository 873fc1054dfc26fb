package dev.switchboard.server;

import dev.switchboard.client.Dialer;
import dev.switchboard.proxy.ProxyProtocolHandler;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP server: one accept step ({@link Acceptor}) that takes each caller in, and a
 * {@link dev.switchboard.model.ConcurrencyModel} that runs the {@link ConnectionHandler}. For
 * the blocking models the accept step runs as a loop on a platform thread, handing each
 * connection to the model; the event loop runs it on its own selector threads whenever the
 * listening socket is ready, and serves what it accepted on the same thread.
 *
 * <p>The life of a connection, the one place it is told:
 * <ol>
 *   <li><b>Permit.</b> Before accepting, the accept step takes one of {@code maxConnections}
 *       permits. With none left it stops accepting (callers wait in the kernel's backlog, as
 *       with tcpserver's {@code -c}) and says so once per such episode. A handler that needs
 *       more than the socket ({@link ConnectionHandler#descriptors()}) gets fewer permits when
 *       the open-files limit has no room for that many, said once at start.</li>
 *   <li><b>Accepted.</b> It accepts, numbers the connection, and checks the caller: a
 *       caller the {@link AccessRules} deny is closed before any byte ({@code denied}); one
 *       address holding {@code maxPerIp} connections already is closed at once
 *       ({@code over-limit}). Either way the permit goes back and the record is logged.</li>
 *   <li><b>Handled.</b> The connection is tracked (for the idle reaper and for shutdown) and
 *       handed to the model as one {@link ConnectionTask}: run the handler, then clean up. A
 *       blocking model runs that task on some thread. A model without a thread per connection
 *       (the event loop) takes it over instead: it serves {@link ConnectionTask#connection()}
 *       with {@link ConnectionTask#handler()}'s protocol on its selector and calls
 *       {@link ConnectionTask#finish(Throwable)} once when the connection ends, which cleans up
 *       exactly as the task's own end does; that is the whole seam between server and models.
 *       If the model cannot start the task, the accept step cleans up itself. A handler's
 *       exception ends only its own connection: a reset is logged at debug, other I/O errors at info, bugs as warnings
 *       with their stack trace.</li>
 *   <li><b>Introduced</b> (only with a {@link dev.switchboard.proxy.ProxyPolicy}). First thing
 *       in the task, on the connection's own thread (on the event loop: without blocking, by its
 *       selector), the PROXY header is read; its caller becomes {@link Connection#remote()},
 *       and the access rules and per-address limit are checked again for that caller
 *       ({@code ProxiedAdmission}). A refused header ends the
 *       connection with the reason as outcome; a balancer's health check ends as {@code check}.</li>
 *   <li><b>Half-closed.</b> The handler decides: after the caller's EOF it may keep writing,
 *       and it may shut down its own side and keep reading.</li>
 *   <li><b>Closed.</b> When the handler returns or throws, the task closes the socket, stops
 *       tracking it, releases the permit in its {@code finally}, and hands the listener one
 *       {@link ConnectionRecord} with the outcome. The idle reaper and shutdown end a
 *       connection by resetting its socket after setting the outcome, which then stands (the
 *       event loop finds such sockets closed under it within one of its ticks, 100 ms).</li>
 * </ol>
 *
 * <p>{@link #close()} stops gracefully: close the listening socket, let open connections
 * finish for the grace period, reset the rest ({@code shutdown}), join, and stop the model's
 * own threads ({@link dev.switchboard.model.ConcurrencyModel#stop()}).
 * {@link #closeNow()} skips the wait. A failed accept never ends or spins the server: it is
 * logged once per episode (failures less than ten seconds apart are one) and retried after a
 * second (running out of file descriptors is the usual cause).
 */
public final class TcpServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TcpServer.class.getName());
    private static final Duration JOIN_LIMIT = Duration.ofSeconds(5);

    private final ServerConfig config;
    private final ConnectionHandler handler;
    private final ConnectionHandler served;
    private final OpenConnections open;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final CountDownLatch force = new CountDownLatch(1);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private Acceptor acceptor;
    private volatile InetSocketAddress bound;
    private Thread acceptThread;

    public TcpServer(ServerConfig config) {
        this.config = config;
        this.served = config.model().adapt(config.handler());
        this.open = new OpenConnections(config.maxPerIp());
        // The header is read on the connection's own thread (it may take the whole deadline),
        // and in this process even under the fork model, so the child sees the real caller.
        this.handler = config.proxy() == null ? served
                : new ProxyProtocolHandler(config.proxy(), new ProxiedAdmission(config, open, served));
    }

    /** A builder with the defaults: any address, port 0, virtual threads, 1000 connections, 10 s grace. */
    public static TcpServerBuilder builder() {
        return new TcpServerBuilder();
    }

    /**
     * Binds (or takes the inherited socket) and starts accepting; returns once listening.
     *
     * @throws java.net.BindException naming the address when it cannot be bound
     */
    public TcpServer start() throws IOException {
        if (!started.compareAndSet(false, true)) throw new IllegalStateException("already started");
        VirtualThreadPoller.start(); // before any caller can use up the descriptors it needs
        ServerSocketChannel listener = Listeners.open(config);
        bound = (InetSocketAddress) listener.getLocalAddress();
        // Counted now that the listener and the poller hold theirs.
        int maxConnections = DescriptorBudget.connections(config.maxConnections(), served.descriptors());
        acceptor = new Acceptor(config, handler, maxConnections, open, listener);
        if (config.idleTimeout() != null) open.startReaper(config.idleTimeout());
        try {
            if (!config.model().accepts(acceptor)) {
                acceptThread = Thread.ofPlatform().name("accept-" + bound.getPort()).start(acceptor::run);
            }
        } catch (IOException | RuntimeException e) {
            open.stopReaper();
            listener.close();
            throw e;
        }
        return this;
    }

    /** Where the server listens (the real port when bound to port 0); still known after close. */
    public InetSocketAddress localAddress() {
        if (bound == null) throw new IllegalStateException("not started");
        return bound;
    }

    /** How many connections are open right now. */
    public int openConnections() {
        return open.size();
    }

    /** Stops gracefully with the configured grace period; returns when everything is closed. */
    @Override
    public void close() {
        close(config.grace());
    }

    /** Stops now: open connections are reset without waiting. */
    public void closeNow() {
        force.countDown();
        close(Duration.ZERO);
    }

    /**
     * Stops gracefully, waiting at most {@code grace} for open connections to finish. Called
     * from one of this server's own handlers, it starts the stop on a thread of its own and
     * returns at once: waiting here would wait for the calling handler itself.
     */
    public void close(Duration grace) {
        if (open.handledOn(Thread.currentThread())) {
            Thread.ofPlatform().name("switchboard-close").start(() -> close(grace));
            return;
        }
        if (!closeStarted.compareAndSet(false, true)) {
            awaitTerminated();
            return;
        }
        try {
            if (acceptor != null) acceptor.close();
            open.awaitEmpty(System.nanoTime() + grace.toNanos(), force);
            open.abortAll("shutdown");
            if (acceptThread != null) acceptThread.join(JOIN_LIMIT);
            // A caller accepted just as the listener closed may have been dispatched since (and
            // on the event loop, any such stragglers end with the loops, in the model's stop).
            open.abortAll("shutdown");
            open.awaitEmpty(System.nanoTime() + JOIN_LIMIT.toNanos(), new CountDownLatch(1));
        } catch (InterruptedException e) {
            open.abortAll("shutdown");
            Thread.currentThread().interrupt();
        } finally {
            open.stopReaper();
            config.model().stop();
            terminated.countDown();
        }
    }

    /** Waits until a close started elsewhere has finished. */
    public void awaitTerminated() {
        try {
            terminated.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Hands the listener the connection's open record, built only when someone hears it (the
     * accept step's hot path); a failing listener is only logged.
     */
    static void opened(ServerConfig config, Connection c) {
        ConnectionListener listener = config.listener();
        if (listener == ConnectionListener.NONE || !listener.hearsOpenings()) {
            return;
        }
        try {
            listener.opened(ConnectionRecord.opened(c, config.service(), config.model().name()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "connection listener failed", e); // never the accepting's end
        }
    }

    @Override
    public String toString() {
        return "TcpServer[" + (bound == null ? "not started" : Dialer.hostPort(bound)) + "]";
    }
}
