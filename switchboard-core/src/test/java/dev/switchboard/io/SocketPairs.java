package dev.switchboard.io;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** Connected loopback socket pairs for splice tests: {@code near} goes to the splice, {@code far} to the test. */
record SocketPairs(SocketChannel near, SocketChannel far) implements AutoCloseable {

    static SocketPairs open() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            SocketChannel far = SocketChannel.open(server.getLocalAddress());
            return new SocketPairs(server.accept(), far);
        }
    }

    @Override
    public void close() throws IOException {
        near.close();
        far.close();
    }
}
