package dev.switchboard.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;

/**
 * The bytes of each mode's conversation on one connection: what to write, what to read, and
 * whether what came back was right. It counts nothing and schedules nothing: the
 * {@link Worker} does both with the {@link Outcome} it gets back.
 */
final class Exchange {

    /** What a read found. */
    enum Outcome {
        /** Nothing decisive yet: wait for more. */
        MORE,
        /** The operation is complete and correct (hold: the probe is back). */
        DONE,
        /** The server closed before the operation was complete. */
        CLOSED,
        /** The server answered, but not what was expected. */
        MISMATCH
    }

    /** Greet with --expect looks for the text in the first this-many bytes of the reply. */
    static final int REPLY_CAP = 1024;
    /** Stream reads or writes at most this many chunks per wake-up, so one socket can't hog the loop. */
    private static final int BURST = 16;

    private final int size;
    private final byte[] expect;
    private final ByteBuffer in = ByteBuffer.allocateDirect(LoadSpec.CHUNK);
    private final ByteBuffer pattern;
    private final ByteBuffer chunk;

    Exchange(LoadSpec spec) {
        this.size = spec.size();
        this.expect = spec.expectBytes();
        this.pattern = fill(Math.max(1, size), 'a');
        this.chunk = spec.mode() == Mode.STREAM ? fill(LoadSpec.CHUNK, 'A') : null;
    }

    private static ByteBuffer fill(int size, char first) {
        ByteBuffer b = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i++) {
            b.put((byte) (first + i % 26));
        }
        return b.flip().asReadOnlyBuffer();
    }

    /** Greet: reads what is there; at the server's EOF, DONE if there was a reply with the text. */
    Outcome greet(Slot s) throws IOException {
        while (true) {
            in.clear();
            int n = s.channel.read(in);
            if (n == 0) {
                return Outcome.MORE;
            }
            if (n < 0) {
                if (s.read == 0) {
                    return Outcome.CLOSED;
                }
                return expect == null || contains(s.reply, s.replyLength, expect) ? Outcome.DONE : Outcome.MISMATCH;
            }
            if (s.reply != null && s.replyLength < REPLY_CAP) {
                int k = Math.min(n, REPLY_CAP - s.replyLength);
                in.flip().get(s.reply, s.replyLength, k);
                s.replyLength += k;
            }
            s.read += n;
        }
    }

    /** Echo and the hold probe: writes what is left of the message, asking for OP_WRITE while some is. */
    void send(Slot s) throws IOException {
        if (s.out == null) {
            s.out = pattern.duplicate();
            s.expected = pattern.duplicate();
        }
        if (s.written == 0) {
            s.out.limit(size).position(0);
        }
        s.written += s.channel.write(s.out);
        s.key.interestOps(s.out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    /** Echo: reads the message back; DONE once all of it came back exactly as sent. */
    Outcome echo(Slot s) throws IOException {
        while (s.read < size) {
            in.clear().limit((int) Math.min(LoadSpec.CHUNK, size - s.read));
            int n = s.channel.read(in);
            if (n == 0) {
                return Outcome.MORE;
            }
            if (n < 0) {
                return Outcome.CLOSED;
            }
            in.flip();
            s.expected.limit((int) s.read + n).position((int) s.read);
            if (in.mismatch(s.expected) >= 0) {
                return Outcome.MISMATCH;
            }
            s.read += n;
        }
        return Outcome.DONE;
    }

    /** Hold: sends the rest of the probe, reads whatever comes; DONE the moment the probe is back. */
    Outcome hold(Slot s) throws IOException {
        if (s.out != null && s.written < size) {
            send(s);
        }
        Outcome result = Outcome.MORE;
        while (true) {
            in.clear();
            int n = s.channel.read(in);
            if (n == 0) {
                return result;
            }
            if (n < 0) {
                return Outcome.CLOSED;
            }
            s.read += n;
            if (!s.verified && s.read >= size) {
                s.verified = true;
                result = Outcome.DONE;
            }
        }
    }

    /** Stream: reads and drops what comes back, writes chunks; adds to the slot's byte counts. */
    Outcome stream(Slot s, int ready) throws IOException {
        if ((ready & SelectionKey.OP_READ) != 0) {
            for (int i = 0; i < BURST; i++) {
                in.clear();
                int n = s.channel.read(in);
                if (n < 0) {
                    return Outcome.CLOSED;
                }
                if (n == 0) {
                    break;
                }
                s.read += n;
            }
        }
        if ((ready & SelectionKey.OP_WRITE) != 0) {
            for (int i = 0; i < BURST; i++) {
                int n = s.channel.write(chunk.duplicate());
                s.written += n;
                if (n < LoadSpec.CHUNK) {
                    break;
                }
            }
        }
        return Outcome.MORE;
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
