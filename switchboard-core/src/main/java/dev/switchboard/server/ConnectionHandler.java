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
}
