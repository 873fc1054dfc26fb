package dev.switchboard.server;

import dev.switchboard.client.Dialer;
import dev.switchboard.proxy.ProxyProtocolHandler;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP server: one accept loop on a platform thread, handing each connection to a
 * {@link dev.switchboard.model.ConcurrencyModel} that runs the {@link ConnectionHandler}.
 *
 * <p>The life of a connection, the one place it is told:
 * <ol>
 *   <li><b>Permit.</b> Before accepting, the loop takes one of {@code maxConnections}
 *       permits. With none left it stops accepting (callers wait in the kernel's backlog, as
 *       with tcpserver's {@code -c}) and says so once per such episode. A handler that needs
 *       more than the socket ({@link ConnectionHandler#descriptors()}) gets fewer permits when
 *       the open-files limit has no room for that many, said once at start.</li>
 *   <li><b>Accepted.</b> The loop accepts, numbers the connection, and checks the caller: a
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
 *       If the model cannot start the task, the loop cleans up itself. A handler's exception ends only its own
 *       connection: a reset is logged at debug, other I/O errors at info, bugs as warnings
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
 * {@link #closeNow()} skips the wait. A failed accept never ends or spins the loop: it is
 * logged once per episode (failures less than ten seconds apart are one) and retried after a
 * second (running out of file descriptors is the usual cause).
 */
public final class TcpServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TcpServer.class.getName());
    private static final Duration BACKOFF = Duration.ofSeconds(1);
    private static final Duration JOIN_LIMIT = Duration.ofSeconds(5);
    // How long the server must not be full before a saturation episode counts as over.
    private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);
    // How long accepts must not fail before a new failure is news again.
    private static final long ACCEPT_QUIET_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ServerConfig config;
    private final ConnectionHandler handler;
    private final ConnectionHandler served;
    private final Semaphore permits = new Semaphore(0); // handed out in start()
    private int maxConnections;
    private final OpenConnections open;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final CountDownLatch closingLatch = new CountDownLatch(1);
    private final CountDownLatch force = new CountDownLatch(1);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile boolean closing;
    private ServerSocketChannel listener;
    private volatile InetSocketAddress bound;
    private Thread acceptThread;
    private boolean saturated;
    private long lastFull;
    private boolean acceptFailing;
    private boolean saidFailing;
    private long lastAcceptFailure;

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
        listener = Listeners.open(config);
        bound = (InetSocketAddress) listener.getLocalAddress();
        // Counted now that the listener and the poller hold theirs.
        maxConnections = DescriptorBudget.connections(config.maxConnections(), served.descriptors());
        permits.release(maxConnections);
        if (config.idleTimeout() != null) open.startReaper(config.idleTimeout());
        acceptThread = Thread.ofPlatform().name("accept-" + localAddress().getPort()).start(this::acceptLoop);
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

    /** Stops gracefully, waiting at most {@code grace} for open connections to finish. */
    public void close(Duration grace) {
        if (!closeStarted.compareAndSet(false, true)) {
            awaitTerminated();
            return;
        }
        closing = true;
        closingLatch.countDown();
        try {
            closeListener();
            open.awaitEmpty(System.nanoTime() + grace.toNanos(), force);
            open.abortAll("shutdown");
            if (acceptThread != null) acceptThread.join(JOIN_LIMIT);
            // A caller accepted just as the listener closed may have been dispatched since.
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

    private void closeListener() {
        if (listener == null) return;
        try {
            listener.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing the listening socket failed", e);
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

    private void acceptLoop() {
        while (!closing) {
            if (!takePermit()) return;
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException | RuntimeException e) {
                permits.release();
                if (closing) return;
                backOff(e);
                continue;
            }
            if (acceptFailing) {
                acceptFailing = false;
                LOG.log(saidFailing ? Level.INFO : Level.DEBUG, "accepting again");
                saidFailing = false;
            }
            dispatch(channel);
        }
    }

    // A saturation episode lasts until the server has not been full for a while: under a
    // flood each ending connection lets one caller in, and that is not a new episode.
    private boolean takePermit() {
        if (permits.tryAcquire()) {
            if (saturated && System.nanoTime() - lastFull > QUIET_NANOS) {
                saturated = false;
                LOG.log(Level.INFO, "below the connection limit ({0}) again", String.valueOf(maxConnections));
            }
            return true;
        }
        if (!saturated) {
            saturated = true;
            LOG.log(Level.INFO, "connection limit ({0}) reached: not accepting until one ends",
                    String.valueOf(maxConnections)); // MessageFormat would print "1,000"
        }
        try {
            while (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                if (closing) return false;
            }
        } catch (InterruptedException e) {
            return false;
        }
        lastFull = System.nanoTime();
        return true;
    }

    // Out of descriptors, accepts flap: each connection that ends (or each child that fails to
    // start) frees one for a moment. Failures within ACCEPT_QUIET of the last are one episode,
    // told once ("accept failed", then "accepting again"); the flaps in between go to debug.
    private void backOff(Exception e) {
        long now = System.nanoTime();
        if (!acceptFailing) {
            acceptFailing = true;
            boolean newEpisode = lastAcceptFailure == 0 || now - lastAcceptFailure > ACCEPT_QUIET_NANOS;
            saidFailing = newEpisode;
            LOG.log(newEpisode ? Level.WARNING : Level.DEBUG,
                    "accept failed: {0}; retrying every second until it works", String.valueOf(e));
        }
        lastAcceptFailure = now;
        try {
            closingLatch.await(BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException ignored) {
            // the loop re-checks "closing" anyway
        }
    }

    private void dispatch(SocketChannel channel) {
        Connection c;
        try {
            c = new Connection(ids.incrementAndGet(), channel);
        } catch (IOException e) {
            // The caller left between accept and here: nothing to serve, nothing to log but this.
            LOG.log(Level.DEBUG, "caller gone before it was served: {0}", String.valueOf(e));
            closeQuietly(channel);
            permits.release();
            return;
        }
        // The family check is for -6 on the wildcard: the JDK can't set IPV6_V6ONLY, so an
        // IPv4 caller still reaches accept() and is turned away here.
        InetAddress caller = c.peer().getAddress();
        if (!config.family().admits(caller) || !config.rules().admits(caller)) {
            refuse(c, "denied");
            return;
        }
        if (!open.add(c, config.proxy() == null)) { // behind a proxy, the limit is for the header's caller
            refuse(c, "over-limit");
            return;
        }
        if (config.proxy() == null) opened(config, c); // else once the header has named the caller
        ConnectionTask task = new ConnectionTask(c, handler, config, open, permits);
        try {
            config.model().execute(task);
        } catch (RuntimeException | Error e) {
            task.abandon(e);
        }
    }

    /**
     * Hands the listener the connection's open record, built only when someone hears it (the
     * accept loop's hot path); a failing listener is only logged.
     */
    static void opened(ServerConfig config, Connection c) {
        ConnectionListener listener = config.listener();
        if (listener == ConnectionListener.NONE || !listener.hearsOpenings()) {
            return;
        }
        try {
            listener.opened(ConnectionRecord.opened(c, config.service(), config.model().name()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "connection listener failed", e); // never the accept loop's end
        }
    }

    private void refuse(Connection c, String outcome) {
        c.outcome(outcome);
        c.close();
        permits.release();
        LOG.log(Level.DEBUG, "{0}: {1}", c, outcome);
        ConnectionTask.emit(config, c);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the caller is gone either way
        }
    }

    @Override
    public String toString() {
        return "TcpServer[" + (bound == null ? "not started" : Dialer.hostPort(bound)) + "]";
    }
}
