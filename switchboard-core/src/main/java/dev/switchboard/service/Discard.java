package dev.switchboard.service;

import java.nio.ByteBuffer;

/** RFC 863: reads and throws away everything, sends nothing, closes at the caller's EOF. */
public final class Discard implements Protocol {

    @Override
    public void opened(Reply reply) {
    }

    @Override
    public void received(ByteBuffer data, Reply reply) {
        data.position(data.limit());
    }
}
