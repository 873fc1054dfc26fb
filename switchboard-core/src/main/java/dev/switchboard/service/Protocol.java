package dev.switchboard.service;

import java.nio.ByteBuffer;

/**
 * A built-in service written once as a small non-blocking state machine, so that every
 * concurrency model can drive it: the blocking models through one adapter (a read/write loop
 * on the connection's thread), an event loop without a thread per connection.
 *
 * <p>The driver calls {@link #opened} once, then {@link #received} for each chunk read,
 * {@link #ended} at the caller's EOF, and {@link #drained} whenever the protocol asked for it
 * with {@link Reply#whenDrained()} and everything it sent has been written. A protocol never
 * blocks and never touches the socket: it answers through the {@link Reply}.
 *
 * <p>The driver reads nothing more until everything sent has been written. So backpressure is
 * automatic, and a protocol may send the very buffer it was given (echo does).
 *
 * <p>One instance serves one connection; {@link ProtocolFactory} makes them.
 */
public interface Protocol {

    /** The connection is open; greet, daytime and time answer here and close. */
    void opened(Reply reply);

    /** Bytes from the caller, between position and limit. Consume or send them; don't keep them. */
    void received(ByteBuffer data, Reply reply);

    /**
     * The caller shut down its sending side. The default closes once what was sent is
     * written, which is right for every request/response service.
     */
    default void ended(Reply reply) {
        reply.close();
    }

    /** Everything sent so far is written and {@link Reply#whenDrained()} was asked for (chargen). */
    default void drained(Reply reply) {
    }
}
