package dev.switchboard.jmh;

import dev.switchboard.service.Reply;
import java.nio.ByteBuffer;

/**
 * Stands in for a driver's {@link Reply} so a benchmark measures the protocol's own work: it
 * keeps what was sent and the two flags, reused from one call to the next as a driver reuses
 * its queue.
 */
final class SentReply implements Reply {

    private final ByteBuffer[] sent = new ByteBuffer[4];
    private int count;
    private boolean closed;
    private boolean drainWanted;

    /** Forgets the last call's answer. */
    SentReply reset() {
        java.util.Arrays.fill(sent, 0, count, null);
        count = 0;
        closed = false;
        drainWanted = false;
        return this;
    }

    @Override
    public void send(ByteBuffer bytes) {
        sent[count++] = bytes;
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public void whenDrained() {
        drainWanted = true;
    }

    /** The {@code i}th buffer sent since the last reset. */
    ByteBuffer sent(int i) {
        if (i >= count) throw new IllegalStateException("only " + count + " buffers were sent");
        return sent[i];
    }

    int count() {
        return count;
    }

    boolean closed() {
        return closed;
    }

    boolean drainWanted() {
        return drainWanted;
    }
}
