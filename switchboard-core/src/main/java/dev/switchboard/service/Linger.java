package dev.switchboard.service;

import dev.switchboard.io.Endpoint;
import dev.switchboard.io.ForwardingEndpoint;
import dev.switchboard.server.Connection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
     * adapter): its close drains the caller (a read the watchdog bounds), then closes.
     */
    static Endpoint draining(Connection connection) {
        return new ForwardingEndpoint(connection.endpoint()) {
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

    /**
     * Reads and drops until the caller's EOF, an error, or about {@link #MAX}. The read is an
     * untimed one on this thread and the deadline is kept by one shared watchdog, because a
     * timed read costs a timer per connection: measured on greet, the timed version ran at
     * about 0.6x the C reference and this one at about 0.8x (README, "Performance").
     */
    static void drain(Connection connection) {
        SocketChannel channel = connection.channel();
        if (!channel.isOpen()) {
            return;
        }
        Watchdog.INSTANCE.watch(channel);
        try {
            ByteBuffer sink = ByteBuffer.allocate(512);
            while (connection.read(sink.clear()) >= 0) {
                // drop it: the caller's request, arriving after our answer
            }
        } catch (IOException | RuntimeException closedOrGone) {
            // the caller reset, or the watchdog closed it: nothing more to wait for
        } finally {
            Watchdog.INSTANCE.forget(channel);
        }
    }

    /**
     * Closes channels still lingering after {@link #MAX}: one daemon thread for the process,
     * waking a few times a second, so a lingering connection costs a map entry, not a timer.
     */
    private static final class Watchdog {
        static final Watchdog INSTANCE = new Watchdog();
        private static final long TICK_MILLIS = 250;

        private final Map<SocketChannel, Long> deadlines = new ConcurrentHashMap<>();

        private Watchdog() {
            Thread.ofPlatform().daemon().name("linger-watchdog").start(this::run);
        }

        void watch(SocketChannel channel) {
            deadlines.put(channel, System.nanoTime() + MAX.toNanos());
        }

        void forget(SocketChannel channel) {
            deadlines.remove(channel);
        }

        private void run() {
            while (true) {
                try {
                    Thread.sleep(TICK_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                long now = System.nanoTime();
                deadlines.forEach((channel, deadline) -> {
                    if (now - deadline >= 0 && deadlines.remove(channel, deadline)) {
                        closeQuietly(channel); // wakes the read blocked in drain
                    }
                });
            }
        }

        private static void closeQuietly(SocketChannel channel) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing is all we wanted
            }
        }
    }

    /**
     * A connection endpoint for a splice, whose own copier keeps reading the caller: its close
     * waits (at most {@link #MAX}) for that copier to reach the caller's EOF, then closes.
     * An abort closes at once.
     */
    static Endpoint afterCallersEof(Endpoint inner) {
        CountDownLatch ended = new CountDownLatch(1);
        return new ForwardingEndpoint(inner) {
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
