package dev.switchboard.model;

import dev.switchboard.server.ConnectionHandler;

/**
 * How a server runs its connections: each model decides only where one connection's task
 * runs. The accept loop (in {@code TcpServer}) builds the task (handle, then clean up and log)
 * and hands it to {@link #execute}; everything else is the same for every model. The event
 * loop takes the task apart instead of running it (see {@code ConnectionTask}).
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
     * Ends whatever threads the model keeps for a server (the event loop's selectors); the
     * server calls it last, once every connection is closed. The thread-per-task models keep
     * none.
     */
    default void stop() {
    }
}
