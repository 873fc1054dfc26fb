package dev.switchboard.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A PROXY header being read without blocking, by an event loop: each {@link #readFrom} takes
 * what the socket has, never a byte past the header (the rest belongs to the service), and
 * says when the verdict is in; at the deadline the loop asks for {@link #timedOut()}. Made by
 * {@link ProxyHeaderReader#begin()}; one per connection, used by one thread.
 */
public final class PendingHeader {

    private final ProxyHeaderReader reader;
    private final ProxyDecoder decoder;
    private final long deadline;
    private final ByteBuffer chunk = ByteBuffer.allocate(256);

    PendingHeader(ProxyHeaderReader reader, ProxyDecoder decoder, long deadlineNanos) {
        this.reader = reader;
        this.decoder = decoder;
        this.deadline = deadlineNanos;
    }

    /** System.nanoTime() by which the whole header must have come. */
    public long deadline() {
        return deadline;
    }

    /**
     * Reads what the channel has of the header; returns the verdict once it is in, or null
     * while more is needed (then wait for the channel to be readable again).
     *
     * @throws IOException when the caller resets
     */
    public ProxyResult readFrom(SocketChannel channel) throws IOException {
        while (decoder.result() == null) {
            chunk.clear().limit(Math.min(decoder.need(), chunk.capacity()));
            int n = channel.read(chunk);
            if (n == 0) return null;
            if (n < 0) return decoder.endOfStream();
            decoder.accept(chunk.array(), 0, n);
        }
        return decoder.result();
    }

    /** The verdict at the deadline: refused as {@code proxy-timeout}, as the blocking read says it. */
    public ProxyResult timedOut() {
        return decoder.result() != null ? decoder.result() : reader.timedOut(decoder);
    }
}
