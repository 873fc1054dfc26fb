package dev.switchboard.jmh;

import dev.switchboard.io.Endpoint;
import java.nio.ByteBuffer;

/**
 * A connection in memory for the blocking adapter ({@code ProtocolHandler.drive}): the
 * caller's bytes come in reads of at most {@code chunk} bytes (one message each, as a
 * request/response caller sends them), then EOF; what the service writes is copied out, as a
 * socket's send buffer would take it. Reusable: {@link #reset} rewinds both sides.
 */
final class MemoryEndpoint implements Endpoint {

    private final ByteBuffer input;
    private final int chunk;
    private final ByteBuffer output;
    private boolean outputShut;
    private boolean closed;

    MemoryEndpoint(byte[] input, int chunk, int outputCapacity) {
        this.input = ByteBuffer.wrap(input);
        this.chunk = chunk;
        this.output = ByteBuffer.allocate(outputCapacity);
    }

    MemoryEndpoint reset() {
        input.rewind();
        output.clear();
        outputShut = false;
        closed = false;
        return this;
    }

    @Override
    public int read(ByteBuffer dst) {
        if (!input.hasRemaining()) return -1;
        int n = Math.min(Math.min(chunk, input.remaining()), dst.remaining());
        dst.put(input.slice(input.position(), n));
        input.position(input.position() + n);
        return n;
    }

    @Override
    public void write(ByteBuffer src) {
        if (outputShut) throw new IllegalStateException("write after shutdownOutput");
        output.put(src);
    }

    @Override
    public void shutdownOutput() {
        outputShut = true;
    }

    @Override
    public void abort() {
        close();
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Everything written so far. */
    byte[] written() {
        byte[] b = new byte[output.position()];
        output.get(0, b);
        return b;
    }

    int writtenLength() {
        return output.position();
    }

    boolean finished() {
        return outputShut && closed;
    }
}
