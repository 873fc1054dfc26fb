package dev.switchboard.bench;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One connection's place in a {@link Worker}: its channel, where it is in its life, and the
 * operation in flight. The worker's thread alone touches it.
 */
final class Slot {

    enum State { FREE, CONNECTING, ACTIVE, BACKOFF, DONE }

    SocketChannel channel;
    SelectionKey key;
    State state = State.FREE;
    /** When the operation in flight began: the connect, the send, or its scheduled arrival. */
    long t0;
    /** When the operation in flight times out, or when a backoff ends. */
    long deadline;
    /** An operation (a greet connection, an echo round trip) is in flight. */
    boolean inOp;
    /** That operation began inside the measured window, so it counts. */
    boolean measured;
    long written;
    long read;
    /** Greet with --expect: the start of the reply, where the text is looked for. */
    byte[] reply;
    int replyLength;
    /** Echo and the hold probe: the message being written, a view of the shared pattern. */
    ByteBuffer out;
    /** Echo: the same pattern, to compare what comes back against. */
    ByteBuffer expected;
    /** Hold: the probe came back (or, without a probe, the connection is up). */
    boolean verified;
    /** This connection (slot) completed at least one operation in the measured window. */
    boolean served;
}
