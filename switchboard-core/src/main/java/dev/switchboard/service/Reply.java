package dev.switchboard.service;

import java.nio.ByteBuffer;

/** How a {@link Protocol} answers: what to send, and when to be called back or to close. */
public interface Reply {

    /** Queues these bytes; the driver owns the buffer until they are all written. */
    void send(ByteBuffer bytes);

    /** Closes the connection once everything sent has been written. */
    void close();

    /** Calls {@link Protocol#drained} once everything sent so far has been written. */
    void whenDrained();
}
