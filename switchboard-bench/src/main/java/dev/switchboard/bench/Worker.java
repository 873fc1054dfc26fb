package dev.switchboard.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;

/**
 * Drives a share of the connections on one thread with one {@link Selector}: the modes'
 * state machines, the closed or open loop, timeouts and backoff, and the counting. It stops
 * at its end time, always, and closes every connection it opened.
 *
 * <p>An operation counts when it began inside the measured window or was still in flight
 * when the window opened; one still in flight at the end is "cut off" and counts neither
 * way, so completed + errors = attempts.
 */
final class Worker implements Runnable {

    private static final long TICK_NS = 10_000_000L;
    private static final long BACKOFF_NS = 1_000_000L;

    private final LoadSpec spec;
    private final Mode mode;
    private final long tStart;
    private final long tMeasure;
    private final long tEnd;
    private final long timeoutNs;
    private final double intervalNs;
    private final int ramp;
    private final Sockets sockets;
    private final Slot[] slots;
    private final Recorder live;
    private final Exchange exchange;
    private final ArrayDeque<Slot> idle = new ArrayDeque<>();
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
    /** What broke the loop, if anything did. */
    volatile Throwable failure;
    /** When the loop ended (nanoTime), for the measured duration. */
    volatile long stoppedAt;

    private boolean measuring;
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
        this.slots = new Slot[connections];
        for (int i = 0; i < connections; i++) {
            slots[i] = new Slot();
            if (spec.expect() != null) {
                slots[i].reply = new byte[Exchange.REPLY_CAP];
            }
        }
        this.exchange = new Exchange(spec);
        this.sockets = new Sockets(spec.target(), mode == Mode.ECHO || mode == Mode.HOLD);
    }

    @Override
    public void run() {
        try {
            start(System.nanoTime());
            loop();
        } catch (RuntimeException | Error e) {
            failure = e; // a bug of ours: LoadGenerator rethrows it rather than report half a run
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
            try {
                if (nextArrival - now < 1_000_000L) {
                    // Selector timeouts are whole milliseconds: poll, then sleep to the arrival
                    // so open-loop sends leave on time rather than up to 1 ms late.
                    if (sockets.select(this::handle, 0) == 0 && nextArrival > now) {
                        LockSupport.parkNanos(nextArrival - now);
                    }
                } else {
                    sockets.select(this::handle, Math.max(1, (Math.min(until, nextArrival) - now + 999_999) / 1_000_000));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            now = System.nanoTime();
            if (!measuring && now >= tMeasure) {
                openWindow();
            }
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
            Slot s = idle.poll();
            // An echo connection that broke while idle reconnects and queues up again, so the
            // queue may hold it twice, or while it is still reconnecting: skip those.
            boolean usable = mode == Mode.GREET ? s.state == Slot.State.FREE : s.state == Slot.State.ACTIVE && !s.inOp;
            if (!usable) {
                continue;
            }
            long at = tStart + (long) (dispatched * intervalNs);
            dispatched++;
            if (mode == Mode.GREET) {
                connect(s, at, true);
            } else {
                beginOp(s, at);
                try {
                    exchange.send(s);
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
            if (sockets.connect(s)) {
                connected(s, now);
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
                case GREET -> greet(s, now);
                case ECHO -> echo(s, ready, now);
                case STREAM -> stream(s, ready, now);
                case HOLD -> hold(s, now);
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
                    exchange.send(s);
                }
            }
            case STREAM -> s.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            case HOLD -> {
                tally.established++;
                tally.open++;
                tally.peak = Math.max(tally.peak, tally.open);
                s.key.interestOps(SelectionKey.OP_READ);
                if (spec.size() > 0) {
                    exchange.send(s);
                } else {
                    s.verified = true;
                    tally.verified++;
                    holdInflight--;
                }
            }
        }
    }

    private void greet(Slot s, long now) throws IOException {
        switch (exchange.greet(s)) {
            case MORE -> { }
            case CLOSED -> fail(s, ErrorKind.CLOSED, now);
            case MISMATCH -> fail(s, ErrorKind.MISMATCH, now);
            case DONE -> {
                if (s.measured) {
                    tally.bytesIn += s.read;
                }
                succeed(s, now);
                close(s);
                s.state = Slot.State.FREE;
                restart(s, now);
            }
        }
    }

    private void echo(Slot s, int ready, long now) throws IOException {
        if ((ready & SelectionKey.OP_WRITE) != 0) {
            exchange.send(s);
        }
        if ((ready & SelectionKey.OP_READ) == 0) {
            return;
        }
        switch (exchange.echo(s)) {
            case MORE -> { }
            case CLOSED -> fail(s, ErrorKind.CLOSED, now);
            case MISMATCH -> fail(s, ErrorKind.MISMATCH, now);
            case DONE -> {
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
                    exchange.send(s);
                }
            }
        }
    }

    private void stream(Slot s, int ready, long now) throws IOException {
        long read = s.read;
        long written = s.written;
        Exchange.Outcome o = exchange.stream(s, ready);
        allBytesOut += s.written - written;
        if (now >= tMeasure) {
            tally.bytesIn += s.read - read;
            tally.bytesOut += s.written - written;
        }
        if (o == Exchange.Outcome.CLOSED) {
            fail(s, ErrorKind.CLOSED, now);
        }
    }

    private void hold(Slot s, long now) throws IOException {
        long read = s.read;
        Exchange.Outcome o = exchange.hold(s);
        tally.bytesIn += s.read - read;
        if (o == Exchange.Outcome.DONE) {
            tally.verified++;
            holdInflight--;
        } else if (o == Exchange.Outcome.CLOSED) {
            fail(s, ErrorKind.CLOSED, now);
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

    /**
     * The measured window opens: operations still in flight from the warm-up count from now
     * on, with their latency from when they began. Otherwise a connection the server never
     * serves (a serial server's backlog) would wait out the whole run unseen.
     */
    private void openWindow() {
        measuring = true;
        for (Slot s : slots) {
            if (s.inOp && !s.measured) {
                s.measured = true;
                tally.attempts++;
            }
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
            if (!s.served) {
                s.served = true;
                tally.served++;
            }
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

    private void close(Slot s) {
        sockets.close(s);
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
        sockets.close();
        if (mode == Mode.STREAM || mode == Mode.HOLD) {
            tally.attempts += mode == Mode.STREAM ? tally.completed : tally.held;
            tally.completed = mode == Mode.HOLD ? tally.held : tally.completed;
        }
        liveCompleted = progress();
        liveErrors = allErrors;
    }
}
