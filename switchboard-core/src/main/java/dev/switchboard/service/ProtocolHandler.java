package dev.switchboard.service;

import dev.switchboard.io.Endpoint;
import dev.switchboard.server.Connection;
import dev.switchboard.server.ConnectionHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The one blocking driver of a {@link Protocol}: a plain read/write loop that runs a built-in
 * service on a connection's own thread (serial, threads, virtual) or, through
 * {@link #drive}, over any {@link Endpoint} (the fork model's child serves its stdin/stdout).
 *
 * <p>The protocol's contract (everything sent is written before anything more is read,
 * {@code drained} after the writes, the FIN after the last byte) is kept by its
 * {@link ReplyQueue}; this loop only reads, and closes when the queue says so.
 */
public final class ProtocolHandler implements ConnectionHandler {

    /** Bytes read per call: enough for a full loopback segment, small enough for 10k connections. */
    static final int READ_BUFFER = 16 * 1024;

    private final ProtocolFactory factory;

    public ProtocolHandler(ProtocolFactory factory) {
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    /** What makes this handler's protocol, one per connection. */
    public ProtocolFactory factory() {
        return factory;
    }

    @Override
    public void handle(Connection connection) throws IOException {
        drive(factory.create(connection), Linger.draining(connection));
    }

    /**
     * Runs {@code protocol} over {@code io} until the protocol closes (or, after the caller's
     * EOF, has nothing left to do), then half-closes and closes {@code io}.
     *
     * @throws IOException when the caller resets or the medium fails; {@code io} is left for
     *                     its owner to close
     */
    public static void drive(Protocol protocol, Endpoint io) throws IOException {
        ReplyQueue replies = new ReplyQueue(protocol);
        ByteBuffer in = null; // greet, daytime and time never read: they don't pay for a buffer
        replies.opened();
        ReplyQueue.Next next;
        while ((next = replies.flush(io::write)) != ReplyQueue.Next.FINISH) {
            if (next == ReplyQueue.Next.WRITE) continue; // a long drain: more to write, nothing to read yet
            in = in == null ? ByteBuffer.allocate(READ_BUFFER) : in.clear();
            int n = io.read(in);
            if (n < 0) {
                replies.ended();
            } else {
                in.flip();
                replies.received(in);
            }
        }
        finish(io);
    }

    private static void finish(Endpoint io) throws IOException {
        try {
            io.shutdownOutput(); // the FIN follows the last byte, so the caller sees a clean end
        } finally {
            io.close();
        }
    }
}
