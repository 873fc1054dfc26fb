package dev.switchboard.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A test process's stderr, collected line by line on a virtual thread as it is written, so
 * a test can wait for a line (the {@code listening on} line, a record) without blocking the
 * process on a full pipe.
 */
public final class StderrLines {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    public StderrLines(InputStream stderr) {
        this.reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stderr, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) lines.add(line);
            } catch (IOException ignored) {
                // the process is gone; the lines so far are what there is
            }
        });
    }

    /** The lines so far (a live view: it grows as the process writes). */
    public List<String> lines() {
        return lines;
    }

    /** Waits up to {@code wait} for a line matching, and returns it. */
    public String await(Predicate<String> match, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            boolean drained = !reader.isAlive(); // read before scanning, so no line is missed
            for (String line : lines) {
                if (match.test(line)) return line;
            }
            if (drained) break;
            Thread.sleep(20); // polling a deadline
        }
        throw new AssertionError("no such line on stderr; have " + lines);
    }

    /** Waits up to {@code wait} for the process to close its stderr; whether it did. */
    public boolean awaitEnd(Duration wait) throws InterruptedException {
        return reader.join(wait);
    }
}
