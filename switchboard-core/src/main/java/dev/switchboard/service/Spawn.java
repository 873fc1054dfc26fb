package dev.switchboard.service;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Starts {@link Exec}'s programs the JDK's way one at a time, and refuses to when the server is
 * nearly out of file descriptors. ({@link SocketExec}'s fast path needs none of this: it closes
 * whatever it opened whenever a start fails.) Why: when {@link ProcessBuilder#start()} fails for lack of descriptors the
 * JDK (seen on 25) can leave the pipes it had already made open, so a server starved for a
 * while would leak its way to a permanent stop. Refusing with headroom to spare never gets
 * there; doing it under one lock keeps concurrent starts from using up the same headroom.
 *
 * <p>The count comes from {@code /proc/self/fd} and the limit from {@code /proc/self/limits},
 * read once when this class loads, which {@link Exec}'s constructor makes happen before the
 * server accepts anyone: code that first runs when descriptors are gone (such as the
 * management beans' lazy set-up) fails for good. Without {@code /proc} there is no check.
 */
final class Spawn {

    /** Descriptors a start needs at once: three pipes, the spawn helper's two, and a margin. */
    static final int HEADROOM = 16;

    private static final Path FDS = Path.of("/proc/self/fd");
    private static final long LIMIT = softLimit();
    private static final ReentrantLock LOCK = new ReentrantLock();

    static {
        if (LIMIT > 0) {
            try {
                openCount(); // loads the directory-listing code now, while descriptors are plentiful
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
            open = openCount();
        } catch (IOException noneLeftToLook) { // listing the directory takes a descriptor itself
            throw new IOException("too few file descriptors left to start a program (none to spare)");
        }
        if (LIMIT - open < HEADROOM) {
            throw new IOException("too few file descriptors left to start a program (" + open + " of " + LIMIT + " open)");
        }
    }

    private static long openCount() throws IOException {
        long n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(FDS)) {
            for (Path ignored : fds) n++;
        }
        return n;
    }

    /** The soft "Max open files" limit, or -1 when unknown or unlimited. */
    private static long softLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException noProc) {
            // not Linux, or no /proc: no check
        }
        return -1;
    }
}
