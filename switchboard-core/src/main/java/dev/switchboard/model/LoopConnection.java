package dev.switchboard.model;

import dev.switchboard.server.Connection;
import dev.switchboard.server.ConnectionTask;
import dev.switchboard.service.Protocol;
import dev.switchboard.service.ProtocolFactory;
import dev.switchboard.service.Reply;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One connection on a {@link Loop}: the non-blocking driver of its {@link Protocol}, keeping
 * the same contract as the blocking one ({@code ProtocolHandler}): nothing more is read until
 * everything sent is written (the selector then waits for writable, not readable, which is
 * the backpressure), {@code drained} follows {@code whenDrained} once the writes are done,
 * {@code close} half-closes after the last byte, and the caller's EOF becomes {@code ended}.
 *
 * <p>After our FIN it lingers as the blocking driver does: it reads and drops what the caller
 * still sends until the caller's EOF, for at most {@link #LINGER}, so a caller that spoke
 * first does not get a reset that destroys our reply. Here that costs nothing but a key.
 */
final class LoopConnection implements LoopTask, Reply {

    /** As the blocking driver's lingering close ({@code service.Linger}). */
    static final long LINGER = TimeUnit.SECONDS.toNanos(2);
    /** Drain callbacks per readiness event, so one fast stream can't starve the others. */
    private static final int DRAIN_ROUNDS = 16;
    /** Reads per readiness event while each fills the buffer. */
    private static final int READS_PER_EVENT = 16;

    private final Loop loop;
    private final ConnectionTask task;
    private final Connection connection;
    private final ProtocolFactory factory;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>(2);
    private Protocol protocol;
    private SelectionKey key;
    private boolean closing;
    private boolean drainWanted;
    private boolean callerEnded;
    private boolean lingering;
    private boolean ended;
    private long lingerDeadline;

    LoopConnection(Loop loop, ConnectionTask task, ProtocolFactory factory) {
        this.loop = loop;
        this.task = task;
        this.connection = task.connection();
        this.factory = factory;
    }

    @Override
    public void open(Selector selector) {
        try {
            connection.channel().configureBlocking(false);
            key = connection.channel().register(selector, 0, this);
            protocol = factory.create(connection);
            protocol.opened(this);
            progress();
        } catch (Throwable t) {
            end(t);
        }
    }

    @Override
    public void ready(SelectionKey k) {
        try {
            if (!k.isValid()) {
                end(new java.nio.channels.ClosedChannelException());
                return;
            }
            if (k.isReadable()) {
                read();
            } else if (k.isWritable()) {
                progress();
            }
        } catch (Throwable t) {
            end(t);
        }
    }

    // A read that fills the buffer suggests more is waiting: read again at once (a few times,
    // for fairness) instead of going back to the selector; that halves the system calls of a
    // stream.
    private void read() throws IOException {
        for (int reads = 0; reads < READS_PER_EVENT; reads++) {
            ByteBuffer buffer = loop.readBuffer().clear();
            int n = connection.read(buffer);
            if (lingering) {
                if (n < 0) end(null);
                if (n <= 0) return;
                continue;
            }
            if (n == 0) return;
            if (n < 0) {
                callerEnded = true;
                protocol.ended(this);
            } else {
                buffer.flip();
                protocol.received(buffer, this);
            }
            progress();
            if (n < buffer.capacity() || ended || callerEnded || lingering || drainWanted || !queue.isEmpty()) {
                return;
            }
        }
    }

    /** Writes what is queued, calls {@code drained} as asked, then decides what to wait for. */
    private void progress() throws IOException {
        int rounds = 0;
        while (true) {
            ByteBuffer next;
            while ((next = queue.peek()) != null) {
                connection.writeSome(next);
                if (next.hasRemaining()) {
                    keepUnwritten(next);
                    interest(SelectionKey.OP_WRITE);
                    return;
                }
                queue.poll();
            }
            if (closing || !drainWanted) break;
            if (++rounds > DRAIN_ROUNDS) {
                interest(SelectionKey.OP_WRITE); // more when the loop comes round again
                return;
            }
            drainWanted = false;
            protocol.drained(this);
        }
        if (closing) {
            connection.shutdownOutput(); // our FIN follows the last byte
            if (callerEnded) {
                end(null);
            } else {
                lingering = true;
                lingerDeadline = System.nanoTime() + LINGER;
                loop.lingering(this);
                interest(SelectionKey.OP_READ);
            }
        } else if (callerEnded) {
            // After the caller's EOF nothing can wake a protocol that neither sends nor asks
            // to be drained, so its silence means it is done.
            connection.shutdownOutput();
            end(null);
        } else {
            interest(SelectionKey.OP_READ);
        }
    }

    // The protocol may send the very buffer it was lent (echo does); the loop reads the next
    // connection into it, so what the socket did not take yet is copied out first.
    private void keepUnwritten(ByteBuffer head) {
        if (head == loop.readBuffer()) {
            ByteBuffer copy = ByteBuffer.allocate(head.remaining());
            copy.put(head).flip();
            queue.poll();
            queue.addFirst(copy);
        }
    }

    private void interest(int ops) {
        if (key.interestOps() != ops) key.interestOps(ops);
    }

    /** Ends the connection once: the server's task closes, logs and releases the permit. */
    void end(Throwable failure) {
        if (ended) return;
        ended = true;
        if (key != null) key.cancel();
        loop.ended(this);
        task.finish(failure);
    }

    @Override
    public void abort(String outcome) {
        connection.outcome(outcome);
        connection.abort();
        end(null);
    }

    /** The linger time is up: close, the caller had its chance. */
    void lingerExpired() {
        end(null);
    }

    boolean ended() {
        return ended;
    }

    long lingerDeadline() {
        return lingerDeadline;
    }

    @Override
    public boolean due(long now) {
        return !connection.isOpen();
    }

    @Override
    public void expire(long now) {
        end(new java.nio.channels.ClosedChannelException());
    }

    @Override
    public void send(ByteBuffer bytes) {
        queue.add(bytes);
    }

    @Override
    public void close() {
        closing = true;
    }

    @Override
    public void whenDrained() {
        drainWanted = true;
    }
}
