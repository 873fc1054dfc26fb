package dev.switchboard.service;

import java.nio.ByteBuffer;

/**
 * RFC 864: streams lines of the 95 printable ASCII characters (32 to 126), 72 to a line, each
 * line starting one character later than the one before, CRLF-terminated, until the caller
 * goes away. What the caller sends is thrown away; the caller's half-close does not stop the
 * stream (RFC 864 stops when the caller closes, which shows up as a failed write).
 *
 * <p>The 95 lines are one full rotation, computed once; every write sends whole rotations
 * from one shared read-only block, so the pattern continues exactly across writes.
 */
public final class Chargen implements Protocol {

    /** Characters per line, before CRLF. */
    public static final int LINE_LENGTH = 72;
    /** The printable ASCII characters, space to tilde. */
    public static final int CHARACTERS = 95;

    private static final int ROTATIONS_PER_WRITE = 9; // about 62 KiB per write: few syscalls
    private static final ByteBuffer BLOCK = block();

    private static ByteBuffer block() {
        int lineBytes = LINE_LENGTH + 2;
        byte[] rotation = new byte[CHARACTERS * lineBytes];
        for (int line = 0; line < CHARACTERS; line++) {
            int at = line * lineBytes;
            for (int col = 0; col < LINE_LENGTH; col++) {
                rotation[at + col] = (byte) (' ' + (line + col) % CHARACTERS);
            }
            rotation[at + LINE_LENGTH] = '\r';
            rotation[at + LINE_LENGTH + 1] = '\n';
        }
        ByteBuffer block = ByteBuffer.allocate(rotation.length * ROTATIONS_PER_WRITE);
        for (int i = 0; i < ROTATIONS_PER_WRITE; i++) {
            block.put(rotation);
        }
        return block.flip().asReadOnlyBuffer();
    }

    @Override
    public void opened(Reply reply) {
        more(reply);
    }

    @Override
    public void received(ByteBuffer data, Reply reply) {
        data.position(data.limit());
    }

    @Override
    public void ended(Reply reply) {
        // Keep streaming: a caller that has nothing to say may still be reading.
    }

    @Override
    public void drained(Reply reply) {
        more(reply);
    }

    private static void more(Reply reply) {
        reply.send(BLOCK.duplicate());
        reply.whenDrained();
    }
}
