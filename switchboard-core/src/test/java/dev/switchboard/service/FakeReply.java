package dev.switchboard.service;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A {@link Reply} that records what a protocol did, so services are tested without sockets. */
final class FakeReply implements Reply {

    final List<ByteBuffer> sent = new ArrayList<>();
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    boolean closed;
    boolean drainWanted;

    @Override
    public void send(ByteBuffer buffer) {
        sent.add(buffer);
        ByteBuffer copy = buffer.duplicate();
        byte[] b = new byte[copy.remaining()];
        copy.get(b);
        bytes.writeBytes(b);
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public void whenDrained() {
        drainWanted = true;
    }

    byte[] bytes() {
        return bytes.toByteArray();
    }

    String text() {
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }
}
