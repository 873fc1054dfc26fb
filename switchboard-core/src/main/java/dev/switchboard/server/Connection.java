package dev.switchboard.server;

import dev.switchboard.client.Dialer;
import dev.switchboard.io.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * One accepted TCP connection as a handler sees it: who called (after any PROXY header, so
 * {@link #remote()} is the real caller), the bytes each way, and when it last moved a byte,
 * which the idle timeout watches. Every read and write of a handler goes through here so
 * those counts are true whatever the model.
 */
public final class Connection implements AutoCloseable {

    private final long id;
    private final SocketChannel channel;
    private final InetSocketAddress local;
    private final InetSocketAddress peer;
    private volatile InetSocketAddress remote;
    private final AtomicLong in = new AtomicLong();
    private final AtomicLong out = new AtomicLong();
    private final long openedNanos = System.nanoTime();
    private volatile long lastActivity = openedNanos;
    private volatile boolean closeLater;
    private final AtomicReference<String> outcome = new AtomicReference<>();
    // Both made on first use: most connections have no extra field and no abort action, and
    // a server holding tens of thousands of idle connections pays for every eager object.
    private Map<String, String> fields; // guarded by this
    private volatile List<Runnable> onAbort;
    /** The thread running its handler, if one does: {@link TcpServer#close} must not wait for it there. */
    Thread handlerThread;
    private static final Pattern FIELD_NAME = Pattern.compile("[a-z][a-z0-9_]{0,31}");

    public Connection(long id, SocketChannel channel) throws IOException {
        this.id = id;
        this.channel = channel;
        this.local = (InetSocketAddress) channel.getLocalAddress();
        this.peer = (InetSocketAddress) channel.getRemoteAddress();
        this.remote = peer;
    }

    /** The server's number for this connection, unique for its life; logs use it. */
    public long id() {
        return id;
    }

    /** The caller: the socket's peer, or the source a trusted PROXY header named. */
    public InetSocketAddress remote() {
        return remote;
    }

    /** The socket's own peer, which differs from {@link #remote()} behind a proxy. */
    public InetSocketAddress peer() {
        return peer;
    }

    /** The address the caller reached. */
    public InetSocketAddress local() {
        return local;
    }

    /** Replaces the remote address with the one a trusted PROXY header gave. */
    public void proxiedFrom(InetSocketAddress source) {
        this.remote = source;
    }

    public SocketChannel channel() {
        return channel;
    }

    /** Reads what is there (blocking until something is), counting it; -1 at the caller's EOF. */
    public int read(ByteBuffer dst) throws IOException {
        if (Thread.currentThread().isVirtual()) {
            // A virtual thread whose read finds nothing parks, and the poller unparks it when
            // bytes come: two hand-offs per message. Letting the other connections run first
            // often gives the caller's next bytes, already on their way, time to arrive, and the
            // read finds them. Measured on 64-byte echo over 32 connections: 0.70x -> 0.86x the C
            // reference server in one run; a second yield was worse (0.75x).
            Thread.yield();
        }
        int n = channel.read(dst);
        if (n > 0) {
            in.addAndGet(n);
            lastActivity = System.nanoTime();
        }
        return n;
    }

    /**
     * As {@link #read(ByteBuffer)} on a non-blocking channel, for a driver that keeps a clock
     * of its own: {@code now} (a {@code System.nanoTime()}) is taken as the time of the bytes.
     * The event loop reads the time once per round of ready sockets instead of at every read
     * and write; the idle timeout, counted in seconds, does not see the difference.
     */
    public int read(ByteBuffer dst, long now) throws IOException {
        int n = channel.read(dst);
        if (n > 0) {
            in.addAndGet(n);
            lastActivity = now;
        }
        return n;
    }

    /** Writes all of {@code src}, counting it. */
    public void write(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            int n = channel.write(src);
            if (n > 0) {
                out.addAndGet(n);
                lastActivity = System.nanoTime();
            }
        }
    }

    /**
     * Writes what the socket takes now, counting it: for a non-blocking channel (the event
     * loop), where {@link #write} would spin. Returns the count, maybe 0.
     */
    public int writeSome(ByteBuffer src) throws IOException {
        return writeSome(src, System.nanoTime());
    }

    /** As {@link #writeSome(ByteBuffer)}, with the driver's clock: see {@link #read(ByteBuffer, long)}. */
    public int writeSome(ByteBuffer src, long now) throws IOException {
        int n = channel.write(src);
        if (n > 0) {
            out.addAndGet(n);
            lastActivity = now;
        }
        return n;
    }

    /** Half-close: the caller sees EOF, and may still send to us. */
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    /** A stream view for handlers written against java.io. */
    public InputStream input() {
        return Channels.newInputStream(new CountingChannel(this));
    }

    /** A stream view for handlers written against java.io; bytes go out as they are written. */
    public OutputStream output() {
        return Channels.newOutputStream(new CountingChannel(this));
    }

    /** This connection as one side of a {@link dev.switchboard.io.Splice}, counting as it copies. */
    public Endpoint endpoint() {
        return new ConnectionEndpoint(this);
    }

    public long bytesIn() {
        return in.get();
    }

    public long bytesOut() {
        return out.get();
    }

    /**
     * Takes the kernel's word for the bytes each way and the time of the last one, for a handler
     * whose bytes don't pass through this process (exec's fast path: the program has the socket
     * itself), so the log record and the idle timeout stay true.
     */
    public void observed(long bytesIn, long bytesOut, long lastActivityNanos) {
        in.set(bytesIn);
        out.set(bytesOut);
        if (lastActivityNanos - lastActivity > 0) {
            lastActivity = lastActivityNanos;
        }
    }

    /** System.nanoTime() of the last byte moved either way (or of the accept). */
    public long lastActivity() {
        return lastActivity;
    }

    public long openedNanos() {
        return openedNanos;
    }

    public boolean isOpen() {
        return channel.isOpen();
    }

    /**
     * Says how this connection ended, for its log record: {@code ok}, {@code reset},
     * {@code idle-timeout}, {@code exit=N}, {@code error=...}. The first outcome set wins, so
     * the cause (an idle timeout, say) is not overwritten by its consequence (the handler's
     * read failing). Returns whether this call set it.
     */
    public boolean outcome(String value) {
        return outcome.compareAndSet(null, value);
    }

    /** The outcome set so far, or null while the connection is still going. */
    public String outcome() {
        return outcome.get();
    }

    /**
     * Adds a field to this connection's log record ({@code via}, {@code upstream}, ...).
     * Names are lower-case words; values are escaped and capped when logged.
     */
    public void field(String name, String value) {
        if (!FIELD_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad log field name: " + name);
        }
        synchronized (this) {
            if (fields == null) fields = new LinkedHashMap<>();
            fields.put(name, String.valueOf(value));
        }
    }

    /** The extra log fields, in the order they were first set. */
    public Map<String, String> fields() {
        synchronized (this) {
            return fields == null ? new LinkedHashMap<>() : new LinkedHashMap<>(fields);
        }
    }

    /**
     * Also runs {@code action} whenever this connection is aborted (idle timeout, shutdown, a
     * failed copy). For handlers that may be blocked on something other than the socket:
     * exec's copiers can both sit on a program's pipes (a program that never reads its stdin
     * and writes nothing), where closing the socket alone would never reach them.
     */
    public void onAbort(Runnable action) {
        synchronized (this) {
            if (onAbort == null) onAbort = new CopyOnWriteArrayList<>();
        }
        onAbort.add(action);
    }

    /** Closes with a reset, so the caller knows it was not a clean end; then runs the {@link #onAbort} actions. */
    public void abort() {
        Endpoint.of(channel).abort();
        List<Runnable> actions = onAbort;
        if (actions == null) return;
        for (Runnable action : actions) {
            action.run();
        }
    }

    /**
     * Lets the socket outlive its handler: {@link #close()} leaves it open from now on, and
     * {@code beforeClose} runs on a virtual thread, after which the socket is closed. The
     * lingering close uses it so a platform thread (the serial model's accept loop above all)
     * does not wait for a caller to hang up. The server has then logged the connection and
     * stopped tracking it; an {@link #abort()} still closes it at once.
     */
    public void closeInBackground(Runnable beforeClose) {
        closeLater = true;
        Thread.ofVirtual().name("linger-" + id).start(() -> {
            try {
                beforeClose.run();
            } finally {
                closeChannel();
            }
        });
    }

    @Override
    public void close() {
        if (!closeLater) {
            closeChannel();
        }
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to report about a close
        }
    }

    @Override
    public String toString() {
        return "#" + id + " " + Dialer.hostPort(remote);
    }
}
