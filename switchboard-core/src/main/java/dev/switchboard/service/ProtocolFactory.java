package dev.switchboard.service;

import dev.switchboard.server.Connection;

/** Makes a fresh {@link Protocol} for each connection (services may hold per-connection state). */
@FunctionalInterface
public interface ProtocolFactory {

    Protocol create(Connection connection);
}
