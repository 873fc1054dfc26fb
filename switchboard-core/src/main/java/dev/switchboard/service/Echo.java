package dev.switchboard.service;

import java.nio.ByteBuffer;

/** RFC 862: sends back every byte received, until the caller ends. Stateless, so one instance serves all. */
public final class Echo implements Protocol {

    @Override
    public void opened(Reply reply) {
    }

    @Override
    public void received(ByteBuffer data, Reply reply) {
        // The driver writes it before reading again, so the read buffer itself can go back.
        reply.send(data);
    }
}
