package dev.switchboard.model;

import dev.switchboard.client.Dialer;
import dev.switchboard.io.Endpoint;
import dev.switchboard.relay.Relay;
import dev.switchboard.server.Connection;
import dev.switchboard.server.ConnectionTask;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * One relayed caller on a {@link Loop}: the event loop's counterpart of {@link Relay#handle},
 * dialling the upstream and copying both ways on the selector, with no thread of its own. The
 * decisions both paths share (back-off, TCP_NODELAY, the PROXY header sent, outcomes, the
 * record) stay in {@link Relay}.
 *
 * <p><b>Dialling.</b> {@link LoopDial} says which address to connect to next; here each
 * connect is waited for on the selector (OP_CONNECT), and the loop's tick keeps the connect
 * timeout. Nothing is read from the caller until the upstream has answered.
 *
 * <p><b>Copying.</b> Each direction reads into the loop's shared buffer and writes straight to
 * the other side. What that side does not take at once is copied into the direction's own
 * buffer (made on first need, 64 KiB, then read into directly), and the side it came from is
 * not read again until it is written: backpressure through the interest ops, and bounded
 * memory. A side's EOF becomes a FIN on the other once its bytes are through, so half-close
 * travels end to end both ways; the relay ends when both directions have. A failure on either
 * side resets both, once what either had already sent is passed on as far as the other takes it. The server's idle timeout and shutdown close the caller's socket under
 * us; the tick then resets the upstream too (and keeps the relay's own idle timeout, if it has
 * one: no byte either way for that long resets both, {@code idle-timeout}).
 */
final class LoopRelay implements LoopTask {

    private static final System.Logger LOG = System.getLogger(Relay.class.getName());
    /** Reads per readiness event while each fills the buffer and the far side takes it all. */
    private static final int READS_PER_EVENT = 16;

    private final Loop loop;
    private final ConnectionTask task;
    private final Connection client;
    private final Relay relay;
    private final Direction toUpstream = new Direction(true);
    private final Direction toClient = new Direction(false);
    private Selector selector;
    private SelectionKey clientKey;
    private SelectionKey upKey;
    private SocketChannel up;
    private boolean connected;
    private boolean ended;
    private int headerLength;
    private LoopDial dial;

    /** One direction: what the far side has not taken yet, and how far its end has come. */
    private static final class Direction {
        final boolean fromClient;
        ByteBuffer unwritten; // null while everything read has been written
        ByteBuffer own;       // the direction's buffer, kept once made
        boolean eof;          // its source has ended
        boolean done;         // and that end was passed on as a FIN
        long bytes;           // written to the far side

        Direction(boolean fromClient) {
            this.fromClient = fromClient;
        }

        boolean wantsRead() {
            return !eof && unwritten == null;
        }
    }

    LoopRelay(Loop loop, ConnectionTask task, Relay relay) {
        this.loop = loop;
        this.task = task;
        this.client = task.connection();
        this.relay = relay;
    }

    @Override
    public void open(Selector s) {
        selector = s;
        try {
            client.channel().configureBlocking(false);
            clientKey = client.channel().register(selector, 0, this); // nothing is read before the upstream answers
            dial = new LoopDial(relay, client);
            connectNext();
        } catch (Throwable t) {
            end(t);
        }
    }

    /** Waits for the dial's next connect; with none left, the caller is closed at once. */
    private void connectNext() throws IOException {
        closeUpstream();
        up = dial.next();
        if (up == null) {
            // Promptly: the caller must not wait for an upstream that isn't there.
            relay.finish(client, dial.upstream(), dial.outcome(), 0, 0);
            end(null);
            return;
        }
        upKey = up.register(selector, SelectionKey.OP_CONNECT, this);
        if (up.isConnected()) connected();
    }

    private void connected() throws IOException {
        connected = true;
        relay.dialed(client, up, dial.upstream());
        ByteBuffer header = relay.proxyHeader(client);
        if (header != null) {
            // Sent as the first bytes towards the upstream; the caller is read once it is out.
            headerLength = header.remaining();
            toUpstream.unwritten = header;
            flush(toUpstream);
        }
        interest();
    }

    @Override
    public void ready(SelectionKey key) {
        if (ended) return;
        try {
            if (!key.isValid()) {
                copyFailed(new ClosedChannelException());
                return;
            }
            if (key == upKey && !connected) {
                finishConnect();
                return;
            }
            boolean clientSide = key == clientKey;
            if (key.isWritable()) {
                // The far side took what it had left: read its source again now, rather than
                // after one more trip through the selector (a stream's usual case).
                Direction d = clientSide ? toClient : toUpstream;
                flush(d);
                pump(d);
            }
            if (key.isValid() && key.isReadable()) pump(clientSide ? toUpstream : toClient);
            if (toUpstream.done && toClient.done) {
                relay.finish(client, dial.upstream(), "ok", toUpstream.bytes - headerLength, toClient.bytes);
                end(null);
            } else {
                interest();
            }
        } catch (IOException e) {
            passOnWhatIsLeft(toClient);
            passOnWhatIsLeft(toUpstream);
            copyFailed(e);
        } catch (Throwable t) {
            end(t);
        }
    }

    /**
     * A side failed (a reset): what either side had sent before is still in its socket, and a
     * direct connection would deliver it (an answer an upstream sends just before it resets,
     * say an error to an upload it will not read). Passes on what the far side takes now;
     * reads end soon, since a reset side has nothing more to read and one whose writes fail
     * takes nothing more.
     */
    private void passOnWhatIsLeft(Direction d) {
        if (!connected || up == null) return;
        try {
            flush(d);
            // Bounded all the same: one loop thread serves every other connection too.
            for (int reads = 0; reads < READS_PER_EVENT && d.wantsRead(); reads++) {
                ByteBuffer buffer = loop.readBuffer().clear();
                int n = d.fromClient ? client.read(buffer) : up.read(buffer);
                if (n <= 0) return;
                buffer.flip();
                write(d, buffer);
                if (buffer.hasRemaining()) return; // the far side is full: the rest goes with the reset
            }
        } catch (IOException gone) {
            // that side is gone as well: what got through got through
        }
    }

    private void finishConnect() throws IOException {
        boolean done;
        try {
            done = Dialer.finishConnect(up, dial.target());
        } catch (IOException e) {
            dial.failed(e);
            connectNext();
            return;
        }
        if (done) connected();
    }

    // A read that fills the buffer, all of it written on, suggests more is waiting: read again
    // at once (a few times, for fairness) instead of going back to the selector.
    private void pump(Direction d) throws IOException {
        for (int reads = 0; reads < READS_PER_EVENT && d.wantsRead(); reads++) {
            ByteBuffer buffer = (d.own != null ? d.own : loop.readBuffer()).clear();
            int n = d.fromClient ? client.read(buffer) : up.read(buffer);
            if (n == 0) return;
            if (n < 0) {
                d.eof = true;
                passEnd(d);
                return;
            }
            buffer.flip();
            write(d, buffer);
            if (buffer.hasRemaining()) {
                keep(d, buffer);
                return;
            }
            if (n < buffer.capacity()) return;
        }
    }

    /** The far side can take more: write what it had not taken, then pass on an end that waited for it. */
    private void flush(Direction d) throws IOException {
        if (d.unwritten == null) return;
        write(d, d.unwritten);
        if (d.unwritten.hasRemaining()) return;
        d.unwritten = null;
        passEnd(d);
    }

    private void passEnd(Direction d) throws IOException {
        if (!d.eof || d.done || d.unwritten != null) return;
        d.done = true;
        if (d.fromClient) {
            up.shutdownOutput();
        } else {
            client.shutdownOutput();
        }
    }

    private void write(Direction d, ByteBuffer bytes) throws IOException {
        d.bytes += d.fromClient ? up.write(bytes) : client.writeSome(bytes);
    }

    // The loop reads the next connection into its shared buffer, so what the far side did not
    // take is copied out into the direction's own buffer. A direction that has needed one
    // once (a stream, a slow reader) reads into it from then on, so it copies nothing more;
    // a direct one, so that the socket writes copy nothing either.
    private void keep(Direction d, ByteBuffer rest) {
        if (rest != d.own) {
            if (d.own == null) d.own = ByteBuffer.allocateDirect(loop.readBuffer().capacity());
            d.own.clear().put(rest).flip();
        }
        d.unwritten = d.own;
    }

    private void interest() {
        ops(clientKey, (toUpstream.wantsRead() ? SelectionKey.OP_READ : 0)
                | (toClient.unwritten != null ? SelectionKey.OP_WRITE : 0));
        ops(upKey, (toClient.wantsRead() ? SelectionKey.OP_READ : 0)
                | (toUpstream.unwritten != null ? SelectionKey.OP_WRITE : 0));
    }

    private static void ops(SelectionKey key, int ops) {
        if (key != null && key.interestOps() != ops) key.interestOps(ops);
    }

    /** A reset (or any failure) on one side: both sides are reset, as the blocking splice does. */
    private void copyFailed(IOException e) {
        LOG.log(Level.DEBUG, () -> client + ": relay to " + dial.upstream() + ": " + e);
        client.abort();
        abortUpstream();
        relay.finish(client, dial.upstream(), "reset", toUpstream.bytes - headerLength, toClient.bytes);
        end(null);
    }

    @Override
    public boolean due(long now) {
        return !client.isOpen() || idle(now)
                || (!connected && up != null && dial.overdue(now));
    }

    /** The relay's own idle timeout ({@link Relay#idleTimeout()}), for an embedder; the server's has its reaper. */
    private boolean idle(long now) {
        Duration idle = relay.idleTimeout();
        return connected && idle != null && now - client.lastActivity() >= idle.toNanos();
    }

    @Override
    public void expire(long now) {
        try {
            if (!client.isOpen()) {
                // The idle reaper or the shutdown reset the caller; its outcome stands.
                copyFailed(new ClosedChannelException());
            } else if (idle(now)) {
                client.outcome("idle-timeout");
                copyFailed(new ClosedChannelException());
            } else {
                dial.timedOut();
                connectNext();
            }
        } catch (Throwable t) {
            end(t);
        }
    }

    @Override
    public void abort(String why) {
        client.outcome(why);
        copyFailed(new ClosedChannelException());
    }

    private void closeUpstream() {
        if (up != null) Endpoint.of(up).close(); // cancels its key too
        up = null;
        upKey = null;
    }

    private void abortUpstream() {
        if (up != null) Endpoint.of(up).abort();
        up = null;
        upKey = null;
    }

    /** Ends the connection once: the server's task closes the caller, logs and releases the permit. */
    private void end(Throwable failure) {
        if (ended) return;
        ended = true;
        closeUpstream();
        loop.ended(this, clientKey, task, failure);
    }
}
