package dev.switchboard.service;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The one place that keeps a {@link Protocol}'s contract for every driver: it is the
 * {@link Reply} the protocol answers through, it writes out what was sent in order, calls
 * {@code drained} when asked once the writes are done, and says when to half-close: after
 * the last byte, once the protocol closed or the caller ended and the protocol has nothing
 * more to say. The drivers ({@link ProtocolHandler}'s blocking loop, the event loop's
 * connection) only read, wait and close; they differ in how they wait.
 *
 * <p>Nothing more should be read while {@link #flush} leaves bytes unwritten, which is the
 * backpressure, and what lets a protocol send the very buffer it was given (echo does).
 */
public final class ReplyQueue implements Reply {

    /** Where the queued bytes go: writes what the medium takes now (all of it, when blocking). */
    @FunctionalInterface
    public interface Sink {
        void write(ByteBuffer bytes) throws IOException;
    }

    /** What the driver does after a {@link #flush}. */
    public enum Next {
        /** Bytes are left, or more {@code drained} calls are due: flush again when the medium takes more. */
        WRITE,
        /** Everything is written: read what the caller sends next. */
        READ,
        /** Everything is written and nothing more will be: half-close, so the FIN follows the last byte. */
        FINISH
    }

    private final Protocol protocol;
    private final ByteBuffer lent;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>(2);
    private boolean closing;
    private boolean drainWanted;
    private boolean callerEnded;

    /** For a driver whose sink writes everything before it returns (a blocking one). */
    public ReplyQueue(Protocol protocol) {
        this(protocol, null);
    }

    /**
     * For a driver whose sink may take part of a buffer and that lends the protocol
     * {@code lent} for every read (the event loop reads all its connections into one buffer):
     * what of {@code lent} is left unwritten is copied out, since the next read reuses it.
     */
    public ReplyQueue(Protocol protocol, ByteBuffer lent) {
        this.protocol = protocol;
        this.lent = lent;
    }

    /** The connection is open: the protocol may answer at once (greet does). */
    public void opened() {
        protocol.opened(this);
    }

    /** Bytes from the caller, between position and limit. */
    public void received(ByteBuffer data) {
        protocol.received(data, this);
    }

    /** The caller's EOF. */
    public void ended() {
        callerEnded = true;
        protocol.ended(this);
    }

    /** Whether the caller has ended: after {@link Next#FINISH} the connection can close at once, with no linger. */
    public boolean callerEnded() {
        return callerEnded;
    }

    /** {@link #flush(Sink, int)} without a fairness limit, for a driver that serves one connection. */
    public Next flush(Sink sink) throws IOException {
        return flush(sink, Integer.MAX_VALUE);
    }

    /**
     * Writes what is queued, in order, then calls {@code drained} as asked (at most
     * {@code drainRounds} times, so one fast stream can't starve the others), and says what
     * to do next.
     */
    public Next flush(Sink sink, int drainRounds) throws IOException {
        int rounds = 0;
        while (true) {
            ByteBuffer next;
            while ((next = queue.peek()) != null) {
                sink.write(next);
                if (next.hasRemaining()) {
                    if (next == lent) keepUnwritten();
                    return Next.WRITE;
                }
                queue.poll();
            }
            if (closing || !drainWanted) break;
            if (rounds++ == drainRounds) return Next.WRITE;
            drainWanted = false;
            protocol.drained(this);
        }
        // After the caller's EOF nothing can wake a protocol that neither sends nor asks to be
        // drained, so its silence means it is done.
        return closing || callerEnded ? Next.FINISH : Next.READ;
    }

    private void keepUnwritten() {
        ByteBuffer copy = ByteBuffer.allocate(lent.remaining());
        copy.put(lent).flip();
        queue.poll();
        queue.addFirst(copy);
    }

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
