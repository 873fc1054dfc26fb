package dev.switchboard.server;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** Keeps every record a server emits, and waits for the ones a test expects. */
final class RecordingListener implements ConnectionListener {

    final List<ConnectionRecord> opened = new CopyOnWriteArrayList<>();
    final List<ConnectionRecord> ended = new CopyOnWriteArrayList<>();

    @Override
    public void ended(ConnectionRecord record) {
        ended.add(record);
    }

    @Override
    public void opened(ConnectionRecord record) {
        opened.add(record);
    }

    /** The first ended record matching, waiting up to 10 s for it. */
    ConnectionRecord await(Predicate<ConnectionRecord> match) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConnectionRecord r : ended) {
                if (match.test(r)) return r;
            }
            Thread.sleep(10); // polling a deadline
        }
        throw new AssertionError("no such record; have " + ended);
    }
}
