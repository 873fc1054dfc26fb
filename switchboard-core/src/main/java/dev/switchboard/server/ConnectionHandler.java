package dev.switchboard.server;

import java.io.IOException;

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
}
