package dev.switchboard.service;

import dev.switchboard.io.Endpoint;
import dev.switchboard.server.Connection;
import dev.switchboard.server.ConnectionHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * The one blocking driver of a {@link Protocol}: a plain read/write loop that runs a built-in
 * service on a connection's own thread (serial, threads, virtual) or, through
 * {@link #drive}, over any {@link Endpoint} (the fork model's child serves its stdin/stdout).
 *
 * <p>It keeps the protocol's contract: everything sent is written before anything more is
 * read (so a protocol may send the buffer it was given), {@code drained} follows a
 * {@code whenDrained} once the writes are done, {@code close} takes effect after the flush
 * (a FIN, then the close), and the caller's EOF becomes {@code ended}.
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
        Pending reply = new Pending();
        ByteBuffer in = null; // greet, daytime and time never read: they don't pay for a buffer
        protocol.opened(reply);
        boolean callerEnded = false;
        while (true) {
            flush(protocol, reply, io);
            if (reply.closing || callerEnded) {
                // After the caller's EOF nothing can wake a protocol that neither sends nor
                // asks to be drained, so its silence means it is done.
                finish(io);
                return;
            }
            in = in == null ? ByteBuffer.allocate(READ_BUFFER) : in.clear();
            int n = io.read(in);
            if (n < 0) {
                callerEnded = true;
                protocol.ended(reply);
            } else {
                in.flip();
                protocol.received(in, reply);
            }
        }
    }

    /** Writes everything queued; a drain callback may queue more, which is written too. */
    private static void flush(Protocol protocol, Pending reply, Endpoint io) throws IOException {
        while (true) {
            ByteBuffer next;
            while ((next = reply.queue.poll()) != null) {
                io.write(next);
            }
            if (reply.closing || !reply.drainWanted) {
                return;
            }
            reply.drainWanted = false;
            protocol.drained(reply);
        }
    }

    private static void finish(Endpoint io) throws IOException {
        try {
            io.shutdownOutput(); // the FIN follows the last byte, so the caller sees a clean end
        } finally {
            io.close();
        }
    }

    /** The reply a protocol answers through: a queue and two flags the loop acts on. */
    private static final class Pending implements Reply {
        final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
        boolean closing;
        boolean drainWanted;

        @Override
        public void send(ByteBuffer bytes) {
            queue.add(bytes);
        }

        @Override
        public void close() {
            closing = true;
        }

        @Override
        public void whenDrained() {
            drainWanted = true;
        }
    }
}
