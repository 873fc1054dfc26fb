package dev.switchboard.service;

import dev.switchboard.io.Endpoint;
import dev.switchboard.server.Connection;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The lingering close (Apache's name for it): when we are done first, send our FIN, then read
 * and drop whatever the caller still sends until its own EOF, for at most {@link #MAX}, and
 * only then close. Closing a socket with unread bytes (or receiving bytes after the close)
 * makes the kernel answer with a reset, and a reset destroys the reply still waiting in the
 * caller's receive buffer: {@code echo hi | nc host 9234} would lose the greeting.
 */
final class Linger {

    /** How long a caller gets to close after our FIN before we close anyway. */
    static final Duration MAX = Duration.ofSeconds(2);

    private Linger() {
    }

    /**
     * A connection endpoint for a driver that reads nothing after it is done (the protocol
     * adapter): its close drains the caller through a timed read, then closes.
     */
    static Endpoint draining(Connection connection) {
        Endpoint inner = connection.endpoint();
        return new Endpoint() {
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

            // A virtual thread waits for the caller at no cost; a platform thread hands the
            // wait to one, so the serial model's next caller is not kept waiting for up to
            // MAX by a caller that keeps its end open (nc without -N, while its stdin is).
            @Override
            public void close() {
                if (Thread.currentThread().isVirtual()) {
                    drain(connection);
                    inner.close();
                } else {
                    connection.closeInBackground(() -> drain(connection));
                }
            }
        };
    }

    /** Reads and drops until the caller's EOF, an error, or {@link #MAX}. */
    static void drain(Connection connection) {
        long deadline = System.nanoTime() + MAX.toNanos();
        try {
            // The socket adaptor gives a blocking channel the timed read the channel lacks.
            Socket socket = connection.channel().socket();
            InputStream in = socket.getInputStream();
            byte[] sink = new byte[4096];
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                if (in.read(sink) < 0) {
                    return;
                }
            }
        } catch (IOException | RuntimeException timedOutOrGone) {
            // Either way there is nothing more to wait for.
        }
    }

    /**
     * A connection endpoint for a splice, whose own copier keeps reading the caller: its close
     * waits (at most {@link #MAX}) for that copier to reach the caller's EOF, then closes.
     * An abort closes at once.
     */
    static Endpoint afterCallersEof(Endpoint inner) {
        CountDownLatch ended = new CountDownLatch(1);
        return new Endpoint() {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                try {
                    int n = inner.read(dst);
                    if (n < 0) ended.countDown();
                    return n;
                } catch (IOException e) {
                    ended.countDown();
                    throw e;
                }
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
                ended.countDown();
                inner.abort();
            }

            @Override
            public void close() {
                try {
                    ended.await(MAX.toNanos(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inner.close();
            }
        };
    }
}
