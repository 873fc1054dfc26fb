package dev.switchboard.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * One side of a {@link Splice}: a source of bytes and a sink for bytes, with the two ways a
 * side can end: a half-close ({@link #shutdownOutput}: "no more from me", the peer may still
 * talk) and an abort (a TCP reset where the side is a socket).
 */
public interface Endpoint {

    /** Reads into {@code dst}; returns the count, or -1 at end of stream. Blocks until data. */
    int read(ByteBuffer dst) throws IOException;

    /** Writes all of {@code src}, blocking while the other end is slow. */
    void write(ByteBuffer src) throws IOException;

    /** Says "no more data" to the other end while still reading from it. */
    void shutdownOutput() throws IOException;

    /** Ends at once, signalling an error where the medium can (a reset on a socket). */
    void abort();

    /** Releases everything; the splice calls it once, when both directions are over. */
    void close();

    /** A connected socket. Half-close is TCP's own FIN; abort sends a reset. */
    static Endpoint of(SocketChannel ch) {
        return new SocketEndpoint(ch);
    }

    /**
     * A pair of streams: a process's stdout and stdin, or our own stdin and stdout.
     * Half-close closes {@code out}, which is how a child process sees end of input.
     */
    static Endpoint of(InputStream in, OutputStream out) {
        return new StreamEndpoint(in, out);
    }

    /** The socket endpoint; public API is the factory above. */
    record SocketEndpoint(SocketChannel channel) implements Endpoint {
        @Override
        public int read(ByteBuffer dst) throws IOException {
            return channel.read(dst);
        }

        @Override
        public void write(ByteBuffer src) throws IOException {
            while (src.hasRemaining()) {
                channel.write(src);
            }
        }

        @Override
        public void shutdownOutput() throws IOException {
            channel.shutdownOutput();
        }

        @Override
        public void abort() {
            try {
                if (channel.isOpen()) {
                    channel.setOption(StandardSocketOptions.SO_LINGER, 0); // close now sends RST
                }
            } catch (IOException | UnsupportedOperationException ignored) {
                // already gone: the close below is all that is left to do
            }
            close();
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing useful to say about a failed close
            }
        }
    }

    /** The stream endpoint; public API is the factory above. */
    record StreamEndpoint(InputStream in, OutputStream out) implements Endpoint {
        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (!dst.hasArray()) { // a direct buffer: read through a heap copy
                byte[] chunk = new byte[Math.min(dst.remaining(), 8192)];
                int n = in.read(chunk);
                if (n > 0) dst.put(chunk, 0, n);
                return n;
            }
            int n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
            if (n > 0) {
                dst.position(dst.position() + n);
            }
            return n;
        }

        @Override
        public void write(ByteBuffer src) throws IOException {
            if (src.hasArray()) {
                out.write(src.array(), src.arrayOffset() + src.position(), src.remaining());
                src.position(src.limit());
            } else { // read-only (shared service replies) or direct: copy out in chunks
                byte[] chunk = new byte[Math.min(src.remaining(), 8192)];
                while (src.hasRemaining()) {
                    int n = Math.min(chunk.length, src.remaining());
                    src.get(chunk, 0, n);
                    out.write(chunk, 0, n);
                }
            }
            out.flush(); // an interactive peer must see each chunk now, not at exit
        }

        @Override
        public void shutdownOutput() throws IOException {
            out.close();
        }

        @Override
        public void abort() {
            close();
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException ignored) {
                // the reader is gone; nothing to tell
            }
            try {
                in.close();
            } catch (IOException ignored) {
                // likewise
            }
        }
    }
}
