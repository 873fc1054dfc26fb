package dev.switchboard.server;

import dev.switchboard.io.Endpoint;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A {@link Connection} as a splice endpoint, so spliced bytes are counted and keep it alive. */
record ConnectionEndpoint(Connection connection) implements Endpoint {

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return connection.read(dst);
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
        connection.write(src);
    }

    @Override
    public void shutdownOutput() throws IOException {
        connection.shutdownOutput();
    }

    @Override
    public void abort() {
        connection.abort();
    }

    @Override
    public void close() {
        connection.close();
    }
}
