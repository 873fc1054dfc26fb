package dev.switchboard.server;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What this process knows about its file descriptors: the soft open-files limit
 * ({@code ulimit -n}) and how many are open now, both read from {@code /proc/self}. Without
 * {@code /proc} (not Linux) the limit is unknown and callers skip their checks.
 */
public final class Descriptors {

    private static final Path FDS = Path.of("/proc/self/fd");
    private static final long LIMIT = readSoftLimit();

    private Descriptors() {
    }

    /** The soft "Max open files" limit, or -1 when unknown or unlimited. */
    public static long softLimit() {
        return LIMIT;
    }

    /**
     * How many descriptors are open now (listing the directory takes one more, counted).
     *
     * @throws IOException when none is left to list them with
     */
    public static long open() throws IOException {
        long n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(FDS)) {
            for (Path ignored : fds) n++;
        }
        return n;
    }

    private static long readSoftLimit() {
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
