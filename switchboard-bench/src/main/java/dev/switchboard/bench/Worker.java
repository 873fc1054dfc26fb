package dev.switchboard.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;

/**
 * Drives a share of the connections on one thread with one {@link Selector}: the modes'
 * state machines, the closed or open loop, timeouts and backoff, and the counting. It stops
 * at its end time, always, and closes every connection it opened.
 *
 * <p>An operation counts when it <em>began</em> inside the measured window; one still in
 * flight at the end is "cut off" and counts neither way, so completed + errors = attempts.
 */
final class Worker implements Runnable {

    private static final long TICK_NS = 10_000_000L;
    private static final long BACKOFF_NS = 1_000_000L;
    private static final int BURST = 16;
    private static final int REPLY_CAP = 1024;

    private final LoadSpec spec;
    private final Mode mode;
    private final long tStart;
    private final long tMeasure;
    private final long tEnd;
    private final long timeoutNs;
    private final double intervalNs;
    private final int ramp;
    private final Selector selector;
    private final Slot[] slots;
    private final ByteBuffer rbuf = ByteBuffer.allocateDirect(LoadSpec.CHUNK);
    private final ByteBuffer pattern;
    private final ByteBuffer chunk;
    private final byte[] expect;
    private final Recorder live;
    private final ArrayDeque<Slot> idle = new ArrayDeque<>();
    private final ProtocolFamily family;
    /** Channels whose keys were cancelled since the last select, and those of the one before. */
    private ArrayList<SocketChannel> cancelled = new ArrayList<>();
    private ArrayList<SocketChannel> deregistered = new ArrayList<>();
    final Tally tally = new Tally();

    /** Every completion and failure, warm-up included: what the live line shows. */
    private long allCompleted;
    private long allErrors;
    private long allBytesOut;
    /**
     * Published each tick for the live line: the progress so far (operations completed;
     * stream: bytes written; hold: connections open now) and errors.
     */
    volatile long liveCompleted;
    volatile long liveErrors;
    /** When the loop ended (nanoTime), for the measured duration. */
    volatile long stoppedAt;

    private long dispatched;
    private int holdNext;
    private int holdInflight;

    Worker(LoadSpec spec, int connections, double rate, int ramp, long tStart, Recorder live) {
        this.spec = spec;
        this.mode = spec.mode();
        this.tStart = tStart;
        this.tMeasure = tStart + spec.warmup().toNanos();
        this.tEnd = tMeasure + spec.duration().toNanos();
        this.timeoutNs = spec.timeout().toNanos();
        this.intervalNs = rate > 0 ? 1e9 / rate : 0;
        this.ramp = Math.max(1, ramp);
        this.live = live;
        this.expect = spec.expectBytes();
        // A socket of the target's own family: a dual-stack one costs an extra option and
        // the v4-mapped path in the kernel on every connect.
        this.family = spec.target().getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        this.slots = new Slot[connections];
        for (int i = 0; i < connections; i++) {
            slots[i] = new Slot();
            if (expect != null) {
                slots[i].reply = new byte[REPLY_CAP];
            }
        }
        this.pattern = fill(Math.max(1, spec.size()), 'a');
        this.chunk = mode == Mode.STREAM ? fill(LoadSpec.CHUNK, 'A') : null;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ByteBuffer fill(int size, char first) {
        ByteBuffer b = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i++) {
            b.put((byte) (first + i % 26));
        }
        return b.flip().asReadOnlyBuffer();
    }

    @Override
    public void run() {
        try {
            start(System.nanoTime());
            loop();
        } finally {
            stoppedAt = Math.min(System.nanoTime(), tEnd);
            finish();
        }
    }

    private void start(long now) {
        for (Slot s : slots) {
            switch (mode) {
                case GREET -> {
                    if (intervalNs > 0) {
                        idle.add(s);
                    } else {
                        connect(s, now, true);
                    }
                }
                case ECHO, STREAM -> connect(s, now, false);
                case HOLD -> { }
            }
        }
        holdFill(now);
    }

    private void loop() {
        long nextTick = System.nanoTime() + TICK_NS;
        while (true) {
            long now = System.nanoTime();
            if (now >= tEnd) {
                return;
            }
            long until = Math.min(nextTick, tEnd);
            long nextArrival = nextArrival();
            // The keys cancelled before this select are deregistered by it; their channels
            // can then close at once (see close()).
            ArrayList<SocketChannel> closable = cancelled;
            cancelled = deregistered;
            deregistered = closable;
            try {
                if (nextArrival - now < 1_000_000L) {
                    // Selector timeouts are whole milliseconds: poll, then sleep to the arrival
                    // so open-loop sends leave on time rather than up to 1 ms late.
                    if (selector.selectNow(this::handle) == 0 && nextArrival > now) {
                        LockSupport.parkNanos(nextArrival - now);
                    }
                } else {
                    long ms = Math.max(1, (Math.min(until, nextArrival) - now + 999_999) / 1_000_000);
                    selector.select(this::handle, ms);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            closeAll(deregistered);
            now = System.nanoTime();
            dispatch(now);
            holdFill(now);
            if (now >= nextTick) {
                housekeeping(now);
                nextTick = now + TICK_NS;
                liveCompleted = progress();
                liveErrors = allErrors;
            }
        }
    }

    /** When the next open-loop arrival is due (never, in a closed loop or with nobody idle). */
    private long nextArrival() {
        if (intervalNs == 0 || idle.isEmpty()) {
            return Long.MAX_VALUE;
        }
        return tStart + (long) (dispatched * intervalNs);
    }

    private void dispatch(long now) {
        if (intervalNs == 0) {
            return;
        }
        long due = (long) ((now - tStart) / intervalNs) + 1;
        while (dispatched < due && !idle.isEmpty() && now < tEnd) {
            // Latency runs from when the arrival was due, not when a connection was free:
            // waiting for one is part of what a user would see (no coordinated omission).
            long at = tStart + (long) (dispatched * intervalNs);
            dispatched++;
            Slot s = idle.poll();
            if (mode == Mode.GREET) {
                connect(s, at, true);
            } else {
                beginOp(s, at);
                try {
                    send(s, now);
                } catch (IOException e) {
                    fail(s, ErrorKind.of(e), now);
                }
            }
        }
    }

    private void connect(Slot s, long t0, boolean isOp) {
        long now = System.nanoTime();
        if (isOp) {
            beginOp(s, t0);
        }
        s.deadline = now + timeoutNs;
        s.read = 0;
        s.written = 0;
        s.replyLength = 0;
        s.verified = false;
        s.state = Slot.State.CONNECTING;
        if (mode == Mode.HOLD) {
            holdInflight++;
        }
        try {
            SocketChannel ch = SocketChannel.open(family);
            s.channel = ch;
            ch.configureBlocking(false);
            if (mode == Mode.ECHO || mode == Mode.HOLD) {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            // On loopback the handshake is usually over by the time connect() returns
            // EINPROGRESS: finishing it at once saves a trip through the selector.
            if (ch.connect(spec.target()) || ch.finishConnect()) {
                s.key = ch.register(selector, 0, s);
                connected(s, now);
            } else {
                s.key = ch.register(selector, SelectionKey.OP_CONNECT, s);
            }
        } catch (IOException e) {
            fail(s, ErrorKind.of(e), now);
        }
    }

    private void handle(SelectionKey key) {
        Slot s = (Slot) key.attachment();
        if (key != s.key || !key.isValid()) {
            return;
        }
        long now = System.nanoTime();
        int ready = key.readyOps();
        try {
            if (s.state == Slot.State.CONNECTING) {
                if ((ready & SelectionKey.OP_CONNECT) == 0 || !s.channel.finishConnect()) {
                    return;
                }
                connected(s, now);
                return;
            }
            if (s.state != Slot.State.ACTIVE) {
                return;
            }
            switch (mode) {
                case GREET -> greetRead(s, now);
                case ECHO -> {
                    if ((ready & SelectionKey.OP_WRITE) != 0) {
                        send(s, now);
                    }
                    if (s.state == Slot.State.ACTIVE && (ready & SelectionKey.OP_READ) != 0) {
                        echoRead(s, now);
                    }
                }
                case STREAM -> stream(s, ready, now);
                case HOLD -> holdIo(s, now);
            }
        } catch (IOException e) {
            fail(s, ErrorKind.of(e), now);
        }
    }

    private void connected(Slot s, long now) throws IOException {
        s.state = Slot.State.ACTIVE;
        switch (mode) {
            case GREET -> s.key.interestOps(SelectionKey.OP_READ); // the greeting is rarely there yet
            case ECHO -> {
                s.key.interestOps(SelectionKey.OP_READ);
                if (intervalNs > 0) {
                    idle.add(s);
                } else if (now < tEnd) {
                    beginOp(s, now);
                    send(s, now);
                }
            }
            case STREAM -> s.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            case HOLD -> {
                tally.established++;
                tally.open++;
                tally.peak = Math.max(tally.peak, tally.open);
                s.key.interestOps(SelectionKey.OP_READ);
                if (spec.size() > 0) {
                    send(s, now);
                } else {
                    s.verified = true;
                    tally.verified++;
                    holdInflight--;
                }
            }
        }
    }

    private void greetRead(Slot s, long now) throws IOException {
        while (true) {
            rbuf.clear();
            int n = s.channel.read(rbuf);
            if (n > 0) {
                if (s.reply != null && s.replyLength < REPLY_CAP) {
                    int k = Math.min(n, REPLY_CAP - s.replyLength);
                    rbuf.flip().get(s.reply, s.replyLength, k);
                    s.replyLength += k;
                }
                s.read += n;
                continue;
            }
            if (n == 0) {
                return;
            }
            if (s.read == 0) {
                fail(s, ErrorKind.CLOSED, now);
            } else if (expect != null && !contains(s.reply, s.replyLength, expect)) {
                fail(s, ErrorKind.MISMATCH, now);
            } else {
                if (s.measured) {
                    tally.bytesIn += s.read;
                }
                succeed(s, now);
                close(s);
                s.state = Slot.State.FREE;
                restart(s, now);
            }
            return;
        }
    }

    private void send(Slot s, long now) throws IOException {
        if (s.out == null) {
            s.out = pattern.duplicate();
            s.expected = pattern.duplicate();
        }
        if (s.written == 0) {
            s.out.limit(spec.size()).position(0);
        }
        int n = s.channel.write(s.out);
        s.written += n;
        boolean more = s.out.hasRemaining();
        s.key.interestOps(more ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    private void echoRead(Slot s, long now) throws IOException {
        while (s.read < spec.size()) {
            rbuf.clear().limit(Math.min(LoadSpec.CHUNK, spec.size() - s.read));
            int n = s.channel.read(rbuf);
            if (n == 0) {
                return;
            }
            if (n < 0) {
                fail(s, ErrorKind.CLOSED, now);
                return;
            }
            rbuf.flip();
            s.expected.limit(s.read + n).position(s.read);
            if (rbuf.mismatch(s.expected) >= 0) {
                fail(s, ErrorKind.MISMATCH, now);
                return;
            }
            s.read += n;
        }
        if (!s.inOp) {
            fail(s, ErrorKind.MISMATCH, now); // bytes nobody asked for
            return;
        }
        if (s.measured) {
            tally.bytesIn += s.read;
            tally.bytesOut += s.written;
        }
        succeed(s, now);
        s.read = 0;
        s.written = 0;
        if (intervalNs > 0) {
            idle.add(s);
        } else if (now < tEnd) {
            beginOp(s, now);
            send(s, now);
        }
    }

    private void stream(Slot s, int ready, long now) throws IOException {
        boolean counting = now >= tMeasure;
        if ((ready & SelectionKey.OP_READ) != 0) {
            for (int i = 0; i < BURST; i++) {
                rbuf.clear();
                int n = s.channel.read(rbuf);
                if (n < 0) {
                    fail(s, ErrorKind.CLOSED, now);
                    return;
                }
                if (n == 0) {
                    break;
                }
                tally.bytesIn += counting ? n : 0;
            }
        }
        if ((ready & SelectionKey.OP_WRITE) != 0) {
            for (int i = 0; i < BURST; i++) {
                int n = s.channel.write(chunk.duplicate());
                tally.bytesOut += counting ? n : 0;
                allBytesOut += n;
                if (n < LoadSpec.CHUNK) {
                    break;
                }
            }
        }
    }

    private void holdIo(Slot s, long now) throws IOException {
        if (s.out != null && s.written < spec.size()) {
            send(s, now);
        }
        while (true) {
            rbuf.clear();
            int n = s.channel.read(rbuf);
            if (n == 0) {
                return;
            }
            if (n < 0) {
                fail(s, ErrorKind.CLOSED, now);
                return;
            }
            tally.bytesIn += n;
            s.read += n;
            if (!s.verified && s.read >= spec.size()) {
                s.verified = true;
                tally.verified++;
                holdInflight--;
            }
        }
    }

    private void holdFill(long now) {
        if (mode != Mode.HOLD) {
            return;
        }
        while (holdInflight < ramp && holdNext < slots.length && now < tEnd) {
            connect(slots[holdNext++], now, false);
        }
    }

    private void beginOp(Slot s, long t0) {
        s.inOp = true;
        s.t0 = t0;
        s.deadline = System.nanoTime() + timeoutNs;
        s.measured = t0 >= tMeasure && t0 < tEnd;
        if (s.measured) {
            tally.attempts++;
        }
    }

    private void succeed(Slot s, long now) {
        s.inOp = false;
        allCompleted++;
        long ns = Math.max(1, now - s.t0);
        if (live != null) {
            live.recordValue(ns);
        }
        if (s.measured) {
            tally.completed++;
            tally.latency.recordValue(ns);
        }
    }

    Mode mode() {
        return mode;
    }

    private long progress() {
        return switch (mode) {
            case GREET, ECHO -> allCompleted;
            case STREAM -> allBytesOut;
            case HOLD -> tally.open;
        };
    }

    private void fail(Slot s, ErrorKind kind, long now) {
        allErrors++;
        if (s.inOp) {
            if (s.measured) {
                tally.errors[kind.ordinal()]++;
            }
        } else if (now >= tMeasure || !mode.timed()) {
            // A connection that failed outside an operation (echo's connect, stream, hold)
            // is an attempt of its own.
            tally.attempts++;
            tally.errors[kind.ordinal()]++;
        }
        s.inOp = false;
        if (mode == Mode.HOLD) {
            if (s.state == Slot.State.CONNECTING || !s.verified) {
                holdInflight--;
            }
            if (s.state == Slot.State.ACTIVE) {
                tally.open--;
            }
            close(s);
            s.state = Slot.State.DONE;
            return;
        }
        close(s);
        s.state = Slot.State.BACKOFF;
        s.deadline = now + BACKOFF_NS;
    }

    private void restart(Slot s, long now) {
        if (now >= tEnd) {
            return;
        }
        switch (mode) {
            case GREET -> {
                if (intervalNs > 0) {
                    s.state = Slot.State.FREE;
                    idle.add(s);
                } else {
                    connect(s, now, true);
                }
            }
            case ECHO, STREAM -> connect(s, now, false);
            case HOLD -> { }
        }
    }

    private void housekeeping(long now) {
        for (Slot s : slots) {
            switch (s.state) {
                case CONNECTING -> {
                    if (now >= s.deadline) {
                        fail(s, ErrorKind.TIMEOUT, now);
                    }
                }
                case ACTIVE -> {
                    if (s.inOp && now >= s.deadline) {
                        fail(s, ErrorKind.TIMEOUT, now);
                    }
                }
                case BACKOFF -> {
                    if (now >= s.deadline) {
                        s.state = Slot.State.FREE;
                        restart(s, now);
                    }
                }
                default -> { }
            }
        }
    }

    /**
     * Closes a slot's channel. A channel still registered with the selector would be shut
     * down first and closed only at the next select, two extra system calls per connection;
     * so the key is cancelled now and the channel closed once a select has deregistered it.
     */
    private void close(Slot s) {
        if (s.key != null) {
            s.key.cancel();
            cancelled.add(s.channel);
        } else if (s.channel != null) {
            closeQuietly(s.channel);
        }
        s.channel = null;
        s.key = null;
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

    private void finish() {
        for (Slot s : slots) {
            if (s.inOp && s.measured) {
                tally.attempts--;
                tally.cutOff++;
            }
            if (mode == Mode.HOLD && s.state == Slot.State.ACTIVE && s.verified) {
                tally.held++;
            } else if (mode == Mode.STREAM && s.state == Slot.State.ACTIVE) {
                tally.completed++;
            } else if (!mode.timed() && (s.state == Slot.State.CONNECTING || s.state == Slot.State.ACTIVE)) {
                tally.cutOff++; // still connecting, or the hold probe not yet back
            }
            close(s);
        }
        closeAll(deregistered);
        closeAll(cancelled);
        if (mode == Mode.STREAM || mode == Mode.HOLD) {
            tally.attempts += mode == Mode.STREAM ? tally.completed : tally.held;
            tally.completed = mode == Mode.HOLD ? tally.held : tally.completed;
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // The selector holds no state worth reporting.
        }
        liveCompleted = progress();
        liveErrors = allErrors;
    }

    private static boolean contains(byte[] hay, int length, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
