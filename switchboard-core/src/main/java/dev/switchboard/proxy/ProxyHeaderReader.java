package dev.switchboard.proxy;

import dev.switchboard.proxy.ProxyResult.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;

/**
 * Reads the PROXY header (v1 or v2, whichever comes) at the start of a connection, within a
 * deadline, and never a byte past it: what follows belongs to the service and stays in the
 * socket. Anything that is not a complete, valid header is refused with a reason; only real
 * I/O failures (a reset) are thrown.
 *
 * <pre>{@code
 * switch (new ProxyHeaderReader().read(channel)) {
 *     case ProxyResult.Accepted a -> ...  // a.header()
 *     case ProxyResult.Refused r -> log(r.reason().code()); channel.close();
 * }
 * }</pre>
 */
public final class ProxyHeaderReader {

    /** How long a caller has to send its whole header. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);
    /**
     * The longest v2 block (after the 16 fixed bytes) we accept. The format allows 65535;
     * real senders need the address block and a few TLVs, a few hundred bytes at most.
     */
    public static final int DEFAULT_MAX_V2_LENGTH = 4096;

    private final Duration timeout;
    private final int maxV2Length;

    /** Three seconds, v2 blocks up to 4096 bytes. */
    public ProxyHeaderReader() {
        this(DEFAULT_TIMEOUT, DEFAULT_MAX_V2_LENGTH);
    }

    public ProxyHeaderReader(Duration timeout, int maxV2Length) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive");
        if (maxV2Length < 0 || maxV2Length > 65535) throw new IllegalArgumentException("maxV2Length must be 0..65535");
        this.maxV2Length = maxV2Length;
    }

    public Duration timeout() {
        return timeout;
    }

    /**
     * Reads the header from a connected socket channel in blocking mode, giving up at the
     * deadline. The channel's read timeout is restored afterwards; the channel stays open
     * whatever the verdict (closing it is the caller's call).
     */
    public ProxyResult read(SocketChannel channel) throws IOException {
        Socket socket = channel.socket();
        int saved = socket.getSoTimeout();
        // The socket adaptor's stream honours SO_TIMEOUT on a blocking channel (and parks a
        // virtual thread rather than pinning it); it must not be closed, that would close
        // the channel.
        InputStream in = socket.getInputStream();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            return read(in, () -> {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000)));
                return true;
            });
        } finally {
            if (channel.isOpen()) socket.setSoTimeout(saved);
        }
    }

    /**
     * Starts reading a header from a non-blocking channel, for an event loop: the same
     * decoder, deadline and reasons as {@link #read(SocketChannel)}, fed whenever the channel
     * is readable.
     */
    public PendingHeader begin() {
        return new PendingHeader(this, new ProxyDecoder(maxV2Length), System.nanoTime() + timeout.toNanos());
    }

    /**
     * Reads the header from a stream. There is no deadline of its own here: a stream that
     * throws {@link SocketTimeoutException} (a socket's with SO_TIMEOUT) counts as the deadline.
     */
    public ProxyResult read(InputStream in) throws IOException {
        return read(in, () -> true);
    }

    /**
     * Judges the header at the start of {@code bytes}; {@link ProxyResult.Accepted#length()}
     * says where the data after it begins. Incomplete input is refused as truncated.
     */
    public ProxyResult parse(byte[] bytes) {
        try {
            return read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new AssertionError("a byte array cannot fail", e);
        }
    }

    /** Before each read: false when the deadline has passed (after arming the socket's timeout). */
    private interface Deadline {
        boolean arm() throws IOException;
    }

    private ProxyResult read(InputStream in, Deadline deadline) throws IOException {
        ProxyDecoder decoder = new ProxyDecoder(maxV2Length);
        byte[] chunk = new byte[256];
        while (decoder.result() == null) {
            int want = Math.min(decoder.need(), chunk.length);
            if (!deadline.arm()) return timedOut(decoder);
            int n;
            try {
                n = in.read(chunk, 0, want);
            } catch (SocketTimeoutException e) {
                return timedOut(decoder);
            }
            if (n < 0) return decoder.endOfStream();
            decoder.accept(chunk, 0, n);
        }
        return decoder.result();
    }

    ProxyResult timedOut(ProxyDecoder decoder) {
        return ProxyResult.refuse(Reason.TIMEOUT, "no complete PROXY header within " + timeout.toMillis()
                + " ms (" + decoder.length() + " bytes came)");
    }
}
