package dev.switchboard.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.function.Consumer;

/**
 * A worker's sockets and its selector: opens, connects, selects and closes with as few system
 * calls per connection as the JDK allows, since a greet run makes tens of thousands a second.
 */
final class Sockets implements AutoCloseable {

    private final Selector selector;
    private final InetSocketAddress target;
    private final ProtocolFamily family;
    private final boolean noDelay;
    /** Channels whose keys were cancelled since the last select, and those of the one before. */
    private ArrayList<SocketChannel> cancelled = new ArrayList<>();
    private ArrayList<SocketChannel> deregistered = new ArrayList<>();

    Sockets(InetSocketAddress target, boolean noDelay) {
        this.target = target;
        this.noDelay = noDelay;
        // A socket of the target's own family: a dual-stack one costs an extra option and the
        // v4-mapped path in the kernel on every connect.
        this.family = target.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Opens a socket for the slot and starts connecting. Returns true if it is connected
     * already (registered with no interest yet), false if the selector will say OP_CONNECT.
     */
    boolean connect(Slot s) throws IOException {
        SocketChannel ch = SocketChannel.open(family);
        s.channel = ch;
        ch.configureBlocking(false);
        if (noDelay) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        // On loopback the handshake is usually over by the time connect() returns
        // EINPROGRESS: finishing it at once saves a trip through the selector.
        boolean done = ch.connect(target) || ch.finishConnect();
        s.key = ch.register(selector, done ? 0 : SelectionKey.OP_CONNECT, s);
        return done;
    }

    /** Waits up to {@code millis} (0: not at all) and hands each ready key to {@code action}. */
    int select(Consumer<SelectionKey> action, long millis) throws IOException {
        // The keys cancelled before this select are deregistered by it; their channels can
        // then close at once (see close()).
        ArrayList<SocketChannel> closable = cancelled;
        cancelled = deregistered;
        deregistered = closable;
        int n = millis == 0 ? selector.selectNow(action) : selector.select(action, millis);
        closeAll(deregistered);
        return n;
    }

    /**
     * Closes a slot's channel. A channel still registered with the selector would be shut
     * down first and closed only at the next select, two extra system calls per connection;
     * so the key is cancelled now and the channel closed once a select has deregistered it.
     */
    void close(Slot s) {
        if (s.key != null) {
            s.key.cancel();
            cancelled.add(s.channel);
        } else if (s.channel != null) {
            closeQuietly(s.channel);
        }
        s.channel = null;
        s.key = null;
    }

    /** Closes everything still open, and the selector. */
    @Override
    public void close() {
        closeAll(deregistered);
        closeAll(cancelled);
        try {
            selector.close();
        } catch (IOException ignored) {
            // The selector holds no state worth reporting.
        }
    }

    private static void closeAll(ArrayList<SocketChannel> channels) {
        for (SocketChannel ch : channels) {
            closeQuietly(ch);
        }
        channels.clear();
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Closing a socket we are done with: nothing to do about a failure.
        }
    }
}
