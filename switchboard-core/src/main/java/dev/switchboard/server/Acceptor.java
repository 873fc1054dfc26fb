package dev.switchboard.server;

import dev.switchboard.model.Serial;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A server's accept step, the one place that calls {@code accept()}: take a permit, accept,
 * check the caller, track it and build its {@link ConnectionTask} (the steps are told on
 * {@link TcpServer}). A blocking model gets it from the server's accept thread, which runs
 * {@link #run} and hands each task to the model. The event loop calls {@link #acceptOne} on
 * its own selector threads whenever the listening socket is ready, so a caller is accepted and
 * served on one thread with no hand-over between them.
 *
 * <p>Both ways share the limits (a caller waits in the backlog while no permit is free, and
 * that is logged once per episode) and the back-off after a failed accept (one log line per
 * episode, then a second's pause: running out of descriptors is the usual cause).
 */
public final class Acceptor {

    /** What the caller of {@link #acceptOne} should do next. */
    public enum Next {
        /** Call again: more callers may be waiting. */
        MORE,
        /** Nobody is waiting: call again when the listening socket is ready. */
        IDLE,
        /** No permit is free, or accepting failed: call again once {@link #mayResume()} says so. */
        PAUSE,
        /** The server is closing: accept no more. */
        STOP
    }

    private static final System.Logger LOG = System.getLogger(TcpServer.class.getName());
    private static final long BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    // How long the server must not be full before a saturation episode counts as over.
    private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);
    // How long accepts must not fail before a new failure is news again.
    private static final long ACCEPT_QUIET_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ServerConfig config;
    private final ConnectionHandler handler;
    private final Semaphore permits;
    private final int maxConnections;
    private final OpenConnections open;
    private final ServerSocketChannel listener;
    private final AtomicLong ids = new AtomicLong();
    private final CountDownLatch closingLatch = new CountDownLatch(1);
    private final List<Runnable> onClose = new CopyOnWriteArrayList<>();
    private volatile boolean closing;
    private volatile long retryAt = System.nanoTime();
    // The episodes' state, written under this (several selector threads may accept at once);
    // the two flags are also read without the lock on the hot path, hence volatile.
    private volatile boolean saturated;
    private long lastFull;
    private volatile boolean acceptFailing;
    private boolean saidFailing;
    private long lastAcceptFailure;

    Acceptor(ServerConfig config, ConnectionHandler handler, int maxConnections,
             OpenConnections open, ServerSocketChannel listener) {
        this.config = config;
        this.handler = handler;
        this.permits = new Semaphore(maxConnections);
        this.maxConnections = maxConnections;
        this.open = open;
        this.listener = listener;
    }

    /** The listening socket, for a selector to watch (the caller makes it non-blocking). */
    public ServerSocketChannel listener() {
        return listener;
    }

    /** Runs {@code action} (a selector's wakeup, say) when the server stops accepting. */
    public void onClose(Runnable action) {
        onClose.add(action);
        if (closing) action.run();
    }

    /** The blocking accept loop of the server's accept thread: each caller's task goes to the model. */
    void run() {
        while (!closing) {
            if (!awaitPermit()) return;
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException | RuntimeException e) {
                permits.release();
                if (closing) return;
                failed(e);
                awaitRetry();
                continue;
            }
            admit(channel, this::execute);
        }
    }

    /**
     * Accepts one caller if one is waiting, a permit is free and accepting works (on a
     * non-blocking listener), and gives its task to {@code serve}; a caller refused by the
     * rules or the per-address limit is closed and logged here.
     */
    public Next acceptOne(Consumer<ConnectionTask> serve) {
        if (closing) return Next.STOP;
        if (!tryPermit()) return Next.PAUSE;
        SocketChannel channel;
        try {
            channel = listener.accept();
        } catch (IOException | RuntimeException e) {
            permits.release();
            if (closing) return Next.STOP;
            failed(e);
            return Next.PAUSE;
        }
        if (channel == null) {
            permits.release();
            return Next.IDLE;
        }
        admit(channel, serve);
        return Next.MORE;
    }

    /** Whether a caller paused by {@link #acceptOne} may try again: a permit is free and no back-off runs. */
    public boolean mayResume() {
        return closing || (permits.availablePermits() > 0 && System.nanoTime() - retryAt >= 0);
    }

    /** Stops accepting: closes the listening socket and tells whoever asked ({@link #onClose}). */
    void close() {
        closing = true;
        closingLatch.countDown();
        try {
            listener.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing the listening socket failed", e);
        }
        onClose.forEach(Runnable::run);
    }

    private boolean awaitPermit() {
        if (tryPermit()) return true;
        try {
            while (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                if (closing) return false;
            }
        } catch (InterruptedException e) {
            return false;
        }
        synchronized (this) {
            lastFull = System.nanoTime();
        }
        return true;
    }

    // A saturation episode lasts until the server has not been full for a while: under a
    // flood each ending connection lets one caller in, and that is not a new episode.
    private boolean tryPermit() {
        if (permits.tryAcquire()) {
            if (saturated) overLimitEnds();
            return true;
        }
        synchronized (this) {
            lastFull = System.nanoTime();
            if (!saturated) {
                saturated = true;
                LOG.log(Level.INFO, "connection limit ({0}) reached: not accepting until one ends",
                        String.valueOf(maxConnections)); // MessageFormat would print "1,000"
            }
        }
        return false;
    }

    private synchronized void overLimitEnds() {
        if (saturated && System.nanoTime() - lastFull > QUIET_NANOS) {
            saturated = false;
            LOG.log(Level.INFO, "below the connection limit ({0}) again", String.valueOf(maxConnections));
        }
    }

    // Out of descriptors, accepts flap: each connection that ends (or each child that fails to
    // start) frees one for a moment. Failures within ACCEPT_QUIET of the last are one episode,
    // told once ("accept failed", then "accepting again"); the flaps in between go to debug.
    private synchronized void failed(Exception e) {
        long now = System.nanoTime();
        if (!acceptFailing) {
            acceptFailing = true;
            boolean newEpisode = lastAcceptFailure == 0 || now - lastAcceptFailure > ACCEPT_QUIET_NANOS;
            saidFailing = newEpisode;
            LOG.log(newEpisode ? Level.WARNING : Level.DEBUG,
                    "accept failed: {0}; retrying every second until it works", String.valueOf(e));
        }
        lastAcceptFailure = now;
        retryAt = now + BACKOFF_NANOS;
    }

    private synchronized void accepting() {
        if (acceptFailing) {
            acceptFailing = false;
            LOG.log(saidFailing ? Level.INFO : Level.DEBUG, "accepting again");
            saidFailing = false;
        }
    }

    private void awaitRetry() {
        try {
            closingLatch.await(BACKOFF_NANOS, TimeUnit.NANOSECONDS);
        } catch (InterruptedException ignored) {
            // the loop re-checks "closing" anyway
        }
    }

    private void admit(SocketChannel channel, Consumer<ConnectionTask> serve) {
        if (acceptFailing) accepting();
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
        if (config.proxy() == null) TcpServer.opened(config, c); // else once the header has named the caller
        serve.accept(new ConnectionTask(c, handler, config, open, permits));
    }

    private void execute(ConnectionTask task) {
        // A handler that needs no thread (exec's fast path) is started right here, as
        // tcpserver forks from its accept loop; serial still waits for each connection.
        if (!(config.model() instanceof Serial) && task.startDetached()) {
            return;
        }
        try {
            config.model().execute(task);
        } catch (RuntimeException | Error e) {
            task.abandon(e);
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
}
