package dev.switchboard.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;

/** Lets stream views of a {@link Connection} count bytes like its own read and write do. */
record CountingChannel(Connection connection) implements ByteChannel {

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return connection.read(dst);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int n = src.remaining();
        connection.write(src);
        return n;
    }

    @Override
    public boolean isOpen() {
        return connection.isOpen();
    }

    @Override
    public void close() {
        connection.close();
    }
}
