package dev.switchboard.service;

import java.nio.ByteBuffer;

/**
 * The tutorial's service: on connect, writes one line ({@code Hello, person from IP:PORT} or a
 * {@link GreetTemplate}'s text) and closes. What the caller sends is ignored.
 */
public final class Greet implements Protocol {

    private final ByteBuffer message;

    /** A greeting of these bytes, already rendered for this connection. */
    public Greet(ByteBuffer message) {
        this.message = message;
    }

    @Override
    public void opened(Reply reply) {
        reply.send(message);
        reply.close();
    }

    @Override
    public void received(ByteBuffer data, Reply reply) {
        data.position(data.limit());
    }
}
