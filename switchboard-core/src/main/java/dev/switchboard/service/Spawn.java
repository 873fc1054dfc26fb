package dev.switchboard.service;

import dev.switchboard.server.Descriptors;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Starts {@link Exec}'s programs the JDK's way one at a time, and refuses to when the server is
 * nearly out of file descriptors. ({@link SocketExec}'s fast path needs none of this: it closes
 * whatever it opened whenever a start fails.) Why: when {@link ProcessBuilder#start()} fails for lack of descriptors the
 * JDK (seen on 25) can leave the pipes it had already made open, so a server starved for a
 * while would leak its way to a permanent stop. Refusing with headroom to spare never gets
 * there; doing it under one lock keeps concurrent starts from using up the same headroom.
 *
 * <p>The count and the limit come from {@link Descriptors}, loaded when this class loads,
 * which {@link Exec}'s constructor makes happen before the server accepts anyone: code that
 * first runs when descriptors are gone (such as the management beans' lazy set-up) fails for
 * good. The server itself admits no more exec connections than the limit leaves room for
 * ({@link Exec#descriptors()}), so this refusal is the last line, not the usual one.
 */
final class Spawn {

    /** Descriptors a start needs at once: three pipes, the spawn helper's two, and a margin. */
    static final int HEADROOM = 16;

    private static final long LIMIT = Descriptors.softLimit();
    private static final ReentrantLock LOCK = new ReentrantLock();

    static {
        if (LIMIT > 0) {
            try {
                Descriptors.open(); // loads the directory-listing code now, while descriptors are plentiful
            } catch (IOException ignored) {
                // checked again at each start
            }
        }
    }

    private Spawn() {
    }

    /** Loads this class (and so reads the limit) now. */
    static void prepare() {
    }

    static Process start(ProcessBuilder builder) throws IOException {
        LOCK.lock();
        try {
            checkHeadroom();
            return builder.start();
        } finally {
            LOCK.unlock();
        }
    }

    private static void checkHeadroom() throws IOException {
        if (LIMIT <= 0) return;
        long open;
        try {
            open = Descriptors.open();
        } catch (IOException noneLeftToLook) { // listing the directory takes a descriptor itself
            throw new IOException("too few file descriptors left to start a program (none to spare)");
        }
        if (LIMIT - open < HEADROOM) {
            throw new IOException("too few file descriptors left to start a program (" + open + " of " + LIMIT + " open)");
        }
    }
}
