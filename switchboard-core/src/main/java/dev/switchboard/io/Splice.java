package dev.switchboard.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one bidirectional copy: moves bytes from {@code a} to {@code b} and from {@code b} to
 * {@code a} at the same time, each direction through one fixed buffer (so a slow reader slows
 * the writer on the other side and memory stays bounded).
 *
 * <p>The rules at the end, which every user of a splice (connect, listen, relay, exec, fork)
 * gets alike:
 * <ul>
 *   <li>End of stream from one side becomes a half-close towards the other
 *       ({@link Endpoint#shutdownOutput}); the other direction keeps flowing, so a reply sent
 *       after the caller's EOF arrives whole.</li>
 *   <li>An error on one side (a reset, say) aborts the other side too, at once (with
 *       {@link #drainBeforeReset()}, once what the failed side had sent is through).</li>
 *   <li>With an idle timeout, both sides are aborted when no byte has moved either way for
 *       that long.</li>
 * </ul>
 * {@link #run()} returns when both directions are over (or, with
 * {@link #untilBEnds()}, as soon as everything {@code b} sent has reached {@code a}: what
 * netcat does when the network side closes first), and at once after a failure or the idle
 * timeout, even if a copier is stuck in a read nothing can interrupt (a terminal).
 */
public final class Splice {

    /** How a splice ended. */
    public enum Outcome {
        /** Both directions (or the awaited one) reached end of stream. */
        OK,
        /** One side failed (reset, broken pipe); the other was aborted. */
        RESET,
        /** No byte moved either way for the idle timeout. */
        IDLE_TIMEOUT
    }

    /**
     * What a splice did.
     *
     * @param aToB    bytes copied from a to b
     * @param bToA    bytes copied from b to a
     * @param outcome how it ended
     * @param failure the error behind {@link Outcome#RESET}, else null
     */
    public record Result(long aToB, long bToA, Outcome outcome, IOException failure) {
    }

    /** Sixty-four KiB per direction: big enough for full loopback speed, small enough for 10k connections. */
    public static final int DEFAULT_BUFFER = 64 * 1024;

    private final Endpoint a;
    private final Endpoint b;
    private Duration idleTimeout;
    private int bufferSize = DEFAULT_BUFFER;
    private boolean untilBEnds;
    private boolean drainBeforeReset;
    private ThreadFactory threads = Thread.ofVirtual().name("splice-", 0).factory();

    private final AtomicLong aToB = new AtomicLong();
    private final AtomicLong bToA = new AtomicLong();
    private final AtomicReference<IOException> failure = new AtomicReference<>();
    private final AtomicInteger running = new AtomicInteger(2);
    private final AtomicBoolean upReading = new AtomicBoolean();
    private final AtomicBoolean downReading = new AtomicBoolean();
    /** Counted down when the splice is over: the awaited directions ended, or one failed. */
    private final CountDownLatch over = new CountDownLatch(1);
    /** A write failed under {@link #drainBeforeReset()}: both sides are reset once the splice is over. */
    private volatile boolean resetWhenOver;
    /** One permit per copier that has ended: what a copier whose write failed waits on. */
    private final Semaphore copierEnded = new Semaphore(0);
    /** How long what a failed side sent may take to pass on before both are reset anyway. */
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(1);
    private volatile long lastActivity;

    private Splice(Endpoint a, Endpoint b) {
        this.a = Objects.requireNonNull(a, "a");
        this.b = Objects.requireNonNull(b, "b");
    }

    /** A splice between two endpoints; configure it, then {@link #run()} it once. */
    public static Splice between(Endpoint a, Endpoint b) {
        return new Splice(a, b);
    }

    /** Aborts both sides when nothing moves either way for this long (null: never). */
    public Splice idleTimeout(Duration timeout) {
        this.idleTimeout = timeout;
        return this;
    }

    /** The buffer size per direction. */
    public Splice bufferSize(int bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("buffer size must be positive");
        this.bufferSize = bytes;
        return this;
    }

    /** Returns once b's end of stream has been passed on to a, without waiting for a. */
    public Splice untilBEnds() {
        this.untilBEnds = true;
        return this;
    }

    /**
     * When writing to one side fails (it was reset), passes on what that side had sent before
     * it went: the other direction reads it to its end, and only then are both sides reset. A
     * direct TCP connection delivers those bytes (an answer a server sends just before it
     * resets, say an error to an upload it will not read), so a relay must too; for one second
     * at most, since the far side may not be reading. Only for
     * sides whose reads end once their writes fail, sockets: a stdout that fails says nothing
     * about its stdin.
     */
    public Splice drainBeforeReset() {
        this.drainBeforeReset = true;
        return this;
    }

    /** Where the copying threads come from (virtual threads by default). */
    public Splice threads(ThreadFactory factory) {
        this.threads = Objects.requireNonNull(factory, "factory");
        return this;
    }

    /**
     * Copies both ways until the splice is over, then closes both endpoints.
     *
     * @throws InterruptedException if the calling thread is interrupted; both sides are
     *                              aborted first
     */
    public Result run() throws InterruptedException {
        lastActivity = System.nanoTime();
        Thread up = threads.newThread(() -> copy(a, b, aToB, upReading, false));
        Thread down = threads.newThread(() -> copy(b, a, bToA, downReading, true));
        up.start();
        down.start();
        Outcome outcome = Outcome.OK;
        try {
            while (!over.await(pollMillis(), TimeUnit.MILLISECONDS)) {
                if (idleTimeout != null && System.nanoTime() - lastActivity >= idleTimeout.toNanos()) {
                    outcome = Outcome.IDLE_TIMEOUT;
                    a.abort();
                    b.abort();
                    break;
                }
            }
        } catch (InterruptedException e) {
            a.abort();
            b.abort();
            throw e;
        }
        // Read before the closes below: a copier they cut short fails too, and that echo is
        // not the story of how the splice ended.
        IOException cause = failure.get();
        if (outcome == Outcome.OK && cause != null) {
            outcome = Outcome.RESET;
        }
        if (outcome == Outcome.IDLE_TIMEOUT) {
            cause = null;
        }
        if (resetWhenOver && outcome == Outcome.RESET) {
            a.abort();
            b.abort();
        }
        a.close();
        b.close();
        // Wait for a copier unless it is blocked in a read, which may be one nothing can
        // interrupt (a terminal's stdin); such a copier has nothing left to count, and will
        // fail against the closed endpoint whenever that read returns. One that is writing
        // is cut short by the closes and finishes its count at once.
        join(up, upReading);
        join(down, downReading);
        return new Result(aToB.get(), bToA.get(), outcome, cause);
    }

    private static void join(Thread copier, AtomicBoolean reading) throws InterruptedException {
        // Bounded: a write into a pipe nobody drains is not woken by a close either.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (copier.isAlive() && !reading.get() && System.nanoTime() - deadline < 0) {
            copier.join(10);
        }
    }

    private long pollMillis() {
        if (idleTimeout == null) return Long.MAX_VALUE / 2;
        long idleLeft = idleTimeout.toNanos() - (System.nanoTime() - lastActivity);
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(idleLeft) + 1);
    }

    private void copy(Endpoint from, Endpoint to, AtomicLong counter, AtomicBoolean reading, boolean fromB) {
        ByteBuffer buf = ByteBuffer.allocate(bufferSize);
        try {
            while (true) {
                buf.clear();
                reading.set(true);
                int n = from.read(buf);
                reading.set(false);
                if (n < 0) {
                    to.shutdownOutput();
                    return;
                }
                if (n == 0) continue;
                lastActivity = System.nanoTime();
                buf.flip();
                try {
                    to.write(buf);
                } catch (IOException e) {
                    // A side we closed ourselves (the server's shutdown, its idle reaper) has
                    // nothing to pass on, and the other copier may be stuck: reset both now.
                    if (!drainBeforeReset || e instanceof ClosedChannelException) throw e;
                    // The other direction is reading `to`: it gets what `to` sent before the
                    // reset, then its end; run() resets both once that copier is done too.
                    if (failure.compareAndSet(null, e)) {
                        resetWhenOver = true;
                        // Bounded: that copier may be stuck writing to a side that does not read.
                        if (!copierEnded.tryAcquire(DRAIN_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                            to.abort();
                            from.abort();
                            over.countDown();
                        }
                    }
                    return;
                }
                counter.addAndGet(n);
                lastActivity = System.nanoTime();
            }
        } catch (IOException e) {
            // The first failure is the story; later ones are its echoes from the aborts below.
            if (failure.compareAndSet(null, e)) {
                to.abort();
                from.abort();
                over.countDown();
            }
        } catch (InterruptedException e) {
            to.abort(); // the splice's own threads are not interrupted; someone wants them gone
            from.abort();
            over.countDown();
        } finally {
            copierEnded.release();
            if (running.decrementAndGet() == 0 || (fromB && untilBEnds)) {
                over.countDown();
            }
        }
    }
}
