package dev.switchboard.model;

import dev.switchboard.server.Acceptor;
import dev.switchboard.server.ConnectionHandler;
import java.io.IOException;

/**
 * How a server runs its connections: each model decides only where one connection's task
 * runs. The accept step (the server's {@link Acceptor}) builds the task (handle, then clean up
 * and log); the server's accept thread hands it to {@link #execute}; everything else is the
 * same for every model. The event loop accepts on its own selector threads instead
 * ({@link #accepts}) and takes the task apart rather than running it (see
 * {@code ConnectionTask}).
 */
public sealed interface ConcurrencyModel
        permits Serial, ThreadPerConnection, VirtualThreadPerConnection, ProcessPerConnection, EventLoop {

    /** The name users type after {@code --model}. */
    String name();

    /**
     * Runs one connection's task. Serial runs it on the caller (the accept loop) and returns
     * when it is done; the others start it elsewhere (the event loop: register it with a
     * selector) and return at once.
     *
     * @throws RuntimeException or Error if the task could not be started (no thread could be
     *                          made, say); the accept loop then closes that connection itself
     */
    void execute(Runnable connectionTask);

    /**
     * The handler this model really runs for the server's handler. Every in-process model
     * runs it as it is; the fork model runs a child process instead.
     */
    default ConnectionHandler adapt(ConnectionHandler handler) {
        return handler;
    }

    /**
     * Whether this model accepts on its own threads, calling the server's {@code acceptor}
     * itself; then the server starts no accept thread and {@link #execute} is not called. The
     * event loop does (a caller is then accepted and served on one thread); the others don't,
     * and the server's accept thread hands them each task.
     *
     * @throws IOException if the listening socket cannot be watched (the server does not start)
     */
    default boolean accepts(Acceptor acceptor) throws IOException {
        return false;
    }

    /**
     * Ends whatever threads the model keeps for a server (the event loop's selectors); the
     * server calls it last, once every connection is closed. The thread-per-task models keep
     * none.
     */
    default void stop() {
    }
}
