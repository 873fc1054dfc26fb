package dev.switchboard.service;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Starts {@link Exec}'s programs one at a time, and refuses to when the server is nearly out of
 * file descriptors. Why: when {@link ProcessBuilder#start()} fails for lack of descriptors the
 * JDK (seen on 25) can leave the pipes it had already made open, so a server starved for a
 * while would leak its way to a permanent stop. Refusing with headroom to spare never gets
 * there; doing it under one lock keeps concurrent starts from using up the same headroom.
 */
final class Spawn {

    /** Descriptors a start needs at once: three pipes, the spawn helper's two, and a margin. */
    static final int HEADROOM = 16;

    private static final ReentrantLock LOCK = new ReentrantLock();

    private Spawn() {
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
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            long open;
            long max = os.getMaxFileDescriptorCount();
            try {
                open = os.getOpenFileDescriptorCount(); // lists /proc/self/fd, which takes a descriptor itself
            } catch (InternalError noneLeftToLook) {
                throw new IOException("too few file descriptors left to start a program (none to spare)");
            }
            if (open >= 0 && max > 0 && max - open < HEADROOM) {
                throw new IOException("too few file descriptors left to start a program (" + open + " of " + max
                        + " open)");
            }
        }
    }
}
