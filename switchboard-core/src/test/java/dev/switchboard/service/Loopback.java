package dev.switchboard.service;

import dev.switchboard.server.Connection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real loopback socket pair for handler tests (TcpServer lives elsewhere): the client's
 * channel and the server side wrapped as a {@link Connection}.
 */
final class Loopback implements AutoCloseable {

    private static final AtomicLong IDS = new AtomicLong(1);

    final ServerSocketChannel listener;
    final SocketChannel client;
    final Connection connection;

    Loopback() throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        client = SocketChannel.open(listener.getLocalAddress());
        connection = new Connection(IDS.getAndIncrement(), listener.accept());
    }

    /** Runs the handler on its own thread, as a model would; the future ends when it returns. */
    CompletableFuture<Void> serve(dev.switchboard.server.ConnectionHandler handler) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofPlatform().name("handler").start(() -> {
            try {
                handler.handle(connection);
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            } finally {
                connection.close();
            }
        });
        return done;
    }

    /**
     * Everything the server sends until its EOF; then, as a well-behaved caller does, says it is
     * done too (the server lingers for that before it closes).
     */
    byte[] readAll() throws IOException {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        while (client.read(buf.clear()) >= 0) {
            all.write(buf.array(), 0, buf.position());
        }
        try {
            client.shutdownOutput();
        } catch (IOException alreadyShut) {
            // the test half-closed before reading
        }
        return all.toByteArray();
    }

    /** Exactly n bytes from the server (fewer only if it ends first). */
    byte[] read(int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining() && client.read(buf) >= 0) {
            // keep reading
        }
        return java.util.Arrays.copyOf(buf.array(), buf.position());
    }

    void write(byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            client.write(buf);
        }
    }

    InetSocketAddress clientAddress() throws IOException {
        return (InetSocketAddress) client.getLocalAddress();
    }

    @Override
    public void close() throws IOException {
        client.close();
        connection.close();
        listener.close();
    }
}
