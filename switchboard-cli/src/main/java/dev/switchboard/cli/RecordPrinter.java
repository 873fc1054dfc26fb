package dev.switchboard.cli;

import dev.switchboard.server.ConnectionListener;
import dev.switchboard.server.ConnectionRecord;
import dev.switchboard.server.RecordFormat;
import java.io.PrintWriter;

/**
 * Prints connection records on stderr, one line each, bare (no prefix) so a JSON line is pure
 * JSON: close records always, open records with {@code -v}, nothing with {@code -q}. A load
 * balancer's health checks ({@code outcome=check}, every few seconds per balancer) are
 * printed only with {@code -v}, so they don't bury the callers' records.
 */
record RecordPrinter(PrintWriter err, RecordFormat format, boolean opens, boolean quiet) implements ConnectionListener {

    @Override
    public void ended(ConnectionRecord record) {
        if (quiet || (!opens && "check".equals(record.outcome()))) return;
        print(record);
    }

    @Override
    public void opened(ConnectionRecord record) {
        if (opens && !quiet) print(record);
    }

    @Override
    public boolean hearsOpenings() {
        return opens && !quiet;
    }

    private void print(ConnectionRecord record) {
        String line = format.format(record);
        synchronized (err) {
            err.println(line);
            err.flush();
        }
    }
}
