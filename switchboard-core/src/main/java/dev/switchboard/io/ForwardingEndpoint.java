package dev.switchboard.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * An endpoint that passes every call on to another one: the base for wrappers that change
 * one thing about an end (when it closes, what a half-close does) and leave the rest alone.
 */
public abstract class ForwardingEndpoint implements Endpoint {

    protected final Endpoint inner;

    protected ForwardingEndpoint(Endpoint inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return inner.read(dst);
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
        inner.write(src);
    }

    @Override
    public void shutdownOutput() throws IOException {
        inner.shutdownOutput();
    }

    @Override
    public void abort() {
        inner.abort();
    }

    @Override
    public void close() {
        inner.close();
    }
}
