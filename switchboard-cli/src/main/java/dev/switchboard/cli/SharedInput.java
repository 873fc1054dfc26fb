package dev.switchboard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Our stdin shared by the callers of {@code listen -k}, one after another: one thread reads
 * it, and each connection in turn takes what it reads through its own {@link #lease()}. So
 * a chunk read while no one is connected waits for the next caller instead of being lost in
 * a dead connection's copy thread, and once stdin ends every later caller sees EOF at once
 * (what OpenBSD netcat does with -k).
 */
final class SharedInput {

    private static final byte[] EOF = new byte[0];

    private final InputStream in;
    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(1);
    private byte[] leftover; // guarded by this; part of a chunk a lease did not have room for
    private int leftoverPos;
    private volatile boolean ended;

    SharedInput(InputStream in) {
        this.in = in;
        Thread reader = new Thread(this::pump, "stdin");
        reader.setDaemon(true);
        reader.start();
    }

    private void pump() {
        byte[] buf = new byte[64 * 1024];
        try {
            while (true) {
                int n = in.read(buf);
                if (n < 0) break;
                if (n > 0) chunks.put(Arrays.copyOf(buf, n));
            }
        } catch (IOException | InterruptedException e) {
            // an unreadable stdin is an ended stdin, for every caller alike
        }
        try {
            chunks.put(EOF);
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
    }

    /** A view of stdin for one connection; closing it wakes and retires a reader blocked in it. */
    InputStream lease() {
        return new InputStream() {
            private volatile Thread reader;
            private volatile boolean closed;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (closed) throw new IOException("stdin lease closed");
                if (len == 0) return 0;
                synchronized (SharedInput.this) {
                    if (leftover != null) return fromLeftover(b, off, len);
                }
                if (ended) return -1;
                byte[] chunk;
                reader = Thread.currentThread();
                try {
                    chunk = chunks.take();
                } catch (InterruptedException e) {
                    throw new InterruptedIOException("connection over");
                } finally {
                    reader = null;
                }
                if (chunk == EOF) {
                    ended = true;
                    return -1;
                }
                synchronized (SharedInput.this) {
                    leftover = chunk;
                    leftoverPos = 0;
                    if (closed) throw new IOException("stdin lease closed"); // kept for the next caller
                    return fromLeftover(b, off, len);
                }
            }

            @Override
            public void close() {
                closed = true;
                Thread t = reader;
                if (t != null) t.interrupt();
            }
        };
    }

    private int fromLeftover(byte[] b, int off, int len) {
        int n = Math.min(len, leftover.length - leftoverPos);
        System.arraycopy(leftover, leftoverPos, b, off, n);
        leftoverPos += n;
        if (leftoverPos == leftover.length) leftover = null;
        return n;
    }
}
