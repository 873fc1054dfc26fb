package dev.switchboard.model;

import dev.switchboard.server.Connection;
import dev.switchboard.server.ConnectionTask;
import dev.switchboard.service.Protocol;
import dev.switchboard.service.ProtocolFactory;
import dev.switchboard.service.ReplyQueue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;

/**
 * One connection on a {@link Loop}: the non-blocking driver of its {@link Protocol}. The
 * protocol's contract is kept by its {@link ReplyQueue}, as under the blocking driver
 * ({@code ProtocolHandler}); this driver reads when the queue is flushed and waits for
 * writable, not readable, while it is not (the backpressure).
 *
 * <p>After our FIN it lingers as the blocking driver does: it reads and drops what the caller
 * still sends until the caller's EOF, for at most {@link #LINGER}, so a caller that spoke
 * first does not get a reset that destroys our reply. Here that costs nothing but a key.
 */
final class LoopConnection implements LoopTask {

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
    private final ReplyQueue.Sink socket;
    private ReplyQueue replies;
    private SelectionKey key;
    private boolean lingering;
    private boolean ended;
    private long lingerDeadline;

    LoopConnection(Loop loop, ConnectionTask task, ProtocolFactory factory) {
        this.loop = loop;
        this.task = task;
        this.connection = task.connection();
        this.factory = factory;
        this.socket = bytes -> connection.writeSome(bytes, loop.now());
    }

    @Override
    public void open(Selector selector) {
        try {
            connection.channel().configureBlocking(false);
            key = connection.channel().register(selector, 0, this);
            replies = new ReplyQueue(factory.create(connection), loop.readBuffer());
            replies.opened();
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
            int n = connection.read(buffer, loop.now());
            if (lingering) {
                if (n < 0) end(null);
                if (n <= 0) return;
                continue;
            }
            if (n == 0) return;
            if (n < 0) {
                replies.ended();
            } else {
                buffer.flip();
                replies.received(buffer);
            }
            if (!progress() || n < buffer.capacity()) return;
        }
    }

    /** Writes what is queued and decides what to wait for; true when that is the caller's next bytes. */
    private boolean progress() throws IOException {
        switch (replies.flush(socket, DRAIN_ROUNDS)) {
            case WRITE -> interest(SelectionKey.OP_WRITE); // the rest when the socket takes more
            case READ -> {
                interest(SelectionKey.OP_READ);
                return true;
            }
            case FINISH -> {
                connection.shutdownOutput(); // our FIN follows the last byte
                if (replies.callerEnded()) {
                    end(null);
                } else {
                    lingering = true;
                    lingerDeadline = System.nanoTime() + LINGER;
                    loop.lingering(this);
                    interest(SelectionKey.OP_READ);
                }
            }
        }
        return false;
    }

    private void interest(int ops) {
        if (key.interestOps() != ops) key.interestOps(ops);
    }

    /** Ends the connection once: the server's task closes, logs and releases the permit. */
    void end(Throwable failure) {
        if (ended) return;
        ended = true;
        loop.ended(this, key, task, failure);
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
}
