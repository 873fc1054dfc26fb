package dev.switchboard.server;

import java.io.IOException;
import java.util.concurrent.CompletionStage;

/**
 * What a server does with one connection, as plain blocking code: read, write, return. This is
 * what a Java user embeds, and what {@code exec} is. It runs under the blocking concurrency
 * models (serial, threads, virtual, fork); the server closes the connection when it returns
 * or throws, and a throw never stops the server.
 */
@FunctionalInterface
public interface ConnectionHandler {

    void handle(Connection connection) throws IOException;

    /**
     * How many file descriptors one connection holds at once, its socket included. A handler
     * that opens more after the accept (exec's pipes, relay's upstream socket) says so, and the
     * server then admits no more connections at once than the open-files limit has room for:
     * the rest wait in the backlog instead of being accepted and then dropped for want of a
     * descriptor.
     */
    default int descriptors() {
        return 1;
    }

    /**
     * Starts serving {@code connection} without a thread of its own, if this handler can: then
     * it returns a stage that completes, on a thread of the handler's choosing, when the
     * connection's work is over (exceptionally: with why it failed). Null means it can't, and
     * the model runs {@link #handle} on a thread as usual. The server calls it from its accept
     * thread, and not under the serial model (one connection at a time means waiting for
     * each), so it must return at once. Exec does, when it can start the program with the
     * socket itself: the program needs no thread of ours while it runs.
     */
    default CompletionStage<Void> startDetached(Connection connection) throws IOException {
        return null;
    }
}
