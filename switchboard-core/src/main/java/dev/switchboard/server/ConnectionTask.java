package dev.switchboard.server;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;

/**
 * One accepted connection's work, as the accept loop hands it to the concurrency model: run
 * the handler, name how it ended, then close, log the record, stop tracking and give the
 * permit back, whatever happened. See {@link TcpServer} for the whole life of a connection.
 *
 * <p>A blocking model just runs it. A model that drives connections without a thread of their
 * own (the event loop) takes it apart instead: it serves {@link #connection()} with
 * {@link #handler()}'s protocol and calls {@link #finish(Throwable)} exactly once at the end.
 */
public final class ConnectionTask implements Runnable {

    private static final System.Logger LOG = System.getLogger(TcpServer.class.getName());

    private final Connection connection;
    private final ConnectionHandler handler;
    private final ServerConfig config;
    private final OpenConnections open;
    private final Semaphore permits;

    ConnectionTask(Connection connection, ConnectionHandler handler, ServerConfig config, OpenConnections open,
                   Semaphore permits) {
        this.connection = connection;
        this.handler = handler;
        this.config = config;
        this.open = open;
        this.permits = permits;
    }

    /** The accepted connection. */
    public Connection connection() {
        return connection;
    }

    /** What the server serves each connection with (after the model's {@code adapt}). */
    public ConnectionHandler handler() {
        return handler;
    }

    @Override
    public void run() {
        Throwable failure = null;
        connection.handlerThread = Thread.currentThread();
        try {
            handler.handle(connection);
        } catch (Throwable t) {
            failure = t;
        } finally {
            finish(failure);
        }
    }

    /**
     * Starts the handler without a thread of its own when it can
     * ({@link ConnectionHandler#startDetached}); the task then finishes itself when the
     * handler says the work is over. True when it was started so (or failed to start, and is
     * finished already); false when it needs a thread to {@link #run} on after all.
     */
    boolean startDetached() {
        CompletionStage<Void> over;
        try {
            over = handler.startDetached(connection);
        } catch (Throwable t) {
            finish(t);
            return true;
        }
        if (over == null) {
            return false;
        }
        over.whenComplete((ignored, failure) ->
                finish(failure instanceof CompletionException e && e.getCause() != null ? e.getCause() : failure));
        return true;
    }

    /**
     * Ends the connection: names the outcome from {@code failure} (null: it ended well), then
     * closes, logs the record, stops tracking and releases the permit. Call it once.
     */
    public void finish(Throwable failure) {
        Connection c = connection;
        if (failure instanceof IOException e) {
            failed(c, e);
        } else if (failure != null) {
            if (c.outcome("error=" + failure.getClass().getSimpleName())) {
                c.field("cause", String.valueOf(failure.getMessage()));
            }
            LOG.log(Level.WARNING, "handler failed on connection " + c, failure);
        }
        finish();
    }

    /** The model could not start this task: clean up here instead. */
    void abandon(Throwable why) {
        LOG.log(Level.WARNING, "cannot start connection " + connection, why);
        connection.outcome("error=" + why.getClass().getSimpleName());
        finish();
    }

    private static void failed(Connection c, IOException e) {
        if (c.outcome() != null) {
            // The server cut it (idle timeout, shutdown): this error is the echo of that.
            LOG.log(Level.DEBUG, "{0}: {1} after {2}", c, String.valueOf(e), c.outcome());
        } else if (isReset(e)) {
            c.outcome("reset");
            LOG.log(Level.DEBUG, "{0}: {1}", c, String.valueOf(e));
        } else {
            c.outcome("error=" + e.getClass().getSimpleName());
            c.field("cause", firstLine(e.getMessage()));
            LOG.log(Level.INFO, "{0}: {1}: {2}", c, e.getClass().getName(), firstLine(e.getMessage()));
        }
    }

    // Some JDK messages run to many lines (a failed spawn lists "possible reasons"); one line
    // per event keeps the log readable when it happens a hundred times a second.
    private static String firstLine(String message) {
        String m = String.valueOf(message);
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).strip();
    }

    // The JDK reports a peer's reset as a SocketException and a write to a reset peer as an
    // IOException "Broken pipe"; neither has its own type, so the message is all there is.
    private static boolean isReset(IOException e) {
        String m = String.valueOf(e.getMessage());
        return e instanceof SocketException || m.contains("Broken pipe") || m.contains("reset by peer");
    }

    // The record goes out before the connection stops counting as open, so a server that
    // closes (and a process that exits) once nothing is open has logged every connection.
    private void finish() {
        try {
            connection.close();
            emit(config, connection);
        } finally {
            open.remove(connection);
            permits.release();
        }
    }

    /** Hands the listener the connection's close record; a failing listener is only logged. */
    static void emit(ServerConfig config, Connection c) {
        if (config.listener() == ConnectionListener.NONE) {
            return;
        }
        try {
            config.listener().ended(ConnectionRecord.closed(c, config.service(), config.model().name()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "connection listener failed", e);
        }
    }
}
