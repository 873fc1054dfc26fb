package dev.switchboard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Our stdin, read by one thread of its own and handed to connections through leases. That
 * thread is what lets a connection stop waiting for stdin, which a blocked read of a file
 * descriptor cannot do:
 * <ul>
 *   <li>{@code listen -k}: callers take turns; a chunk read while no one is connected waits for
 *       the next caller instead of dying with the last one, and once stdin has ended every
 *       later caller sees EOF at once (OpenBSD netcat's -k).</li>
 *   <li>{@code connect}: when the peer has closed, {@link Lease#drain()} lets what stdin has
 *       ready still go out, then ends our side once stdin goes quiet for {@link #QUIET_MILLIS}
 *       instead of waiting for an EOF that a terminal may never send.</li>
 * </ul>
 */
final class SharedInput {

    /** After the peer is done, stdin this long without a byte counts as ended. */
    static final long QUIET_MILLIS = 50;

    private static final byte[] EOF = new byte[0];

    private final InputStream in;
    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(1);
    private byte[] leftover; // guarded by this; part of a chunk a lease did not have room for
    private int leftoverPos;
    private volatile boolean ended;

    SharedInput(InputStream in) {
        this.in = in;
        Thread pump = new Thread(this::pump, "stdin");
        pump.setDaemon(true);
        pump.start();
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

    /** A view of stdin for one connection. */
    Lease lease() {
        return new Lease();
    }

    /**
     * One connection's turn at stdin. Its reader waits in short polls, never interrupts: the
     * waiting thread is a splice copier, and an interrupt would close the socket it writes to.
     */
    final class Lease extends InputStream {
        private volatile boolean closed;
        private volatile boolean draining;

        /** The peer is done: send what stdin has ready, then report EOF once it goes quiet. */
        void drain() {
            draining = true;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            synchronized (SharedInput.this) {
                if (closed) throw new IOException("stdin lease closed");
                if (leftover != null) return fromLeftover(b, off, len);
            }
            if (ended) return -1;
            byte[] chunk = next();
            if (chunk == null) return -1; // quiet after the peer ended: that is our EOF
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

        /** The next chunk; null when draining and stdin stays quiet. */
        private byte[] next() throws IOException {
            try {
                while (true) {
                    if (closed) throw new IOException("stdin lease closed");
                    byte[] chunk = chunks.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS);
                    if (chunk != null || draining) return chunk;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for stdin");
            }
        }

        /** Ends this turn; a reader waiting in it gives up within {@link #QUIET_MILLIS}. */
        @Override
        public void close() {
            closed = true;
        }
    }

    private int fromLeftover(byte[] b, int off, int len) {
        int n = Math.min(len, leftover.length - leftoverPos);
        System.arraycopy(leftover, leftoverPos, b, off, n);
        leftoverPos += n;
        if (leftoverPos == leftover.length) leftover = null;
        return n;
    }
}
