package dev.switchboard.server;

import dev.switchboard.client.Dialer;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the log says about one connection: written once when it ends ({@code event=close}) and,
 * when asked for, once when it opens ({@code event=open}, without counts or outcome).
 * {@link RecordFormat} turns it into a line.
 *
 * @param event   {@code open} or {@code close}
 * @param id      the server's number for the connection
 * @param remote  the caller ({@code ip:port}, the PROXY header's source when trusted)
 * @param local   the address the caller reached
 * @param service the service's name
 * @param model   the concurrency model's name
 * @param in      bytes received from the caller
 * @param out     bytes sent to the caller
 * @param ms      how long the connection lived, in milliseconds
 * @param outcome {@code ok}, {@code reset}, {@code idle-timeout}, {@code denied},
 *                {@code over-limit}, {@code shutdown}, {@code exit=N} or {@code error=Type};
 *                null for an open event
 * @param fields  extra fields in a stable order ({@code cause}, {@code via}, {@code upstream}, ...)
 */
public record ConnectionRecord(String event, long id, String remote, String local, String service, String model,
                               long in, long out, long ms, String outcome, Map<String, String> fields) {

    public ConnectionRecord {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** The record of a connection that has just been accepted. */
    public static ConnectionRecord opened(Connection c, String service, String model) {
        return new ConnectionRecord("open", c.id(), address(c.remote()), address(c.local()), service, model,
                0, 0, 0, null, c.fields());
    }

    /** The record of a connection that has ended; its outcome is "ok" when nobody set one. */
    public static ConnectionRecord closed(Connection c, String service, String model) {
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - c.openedNanos());
        String outcome = c.outcome() == null ? "ok" : c.outcome();
        return new ConnectionRecord("close", c.id(), address(c.remote()), address(c.local()), service, model,
                c.bytesIn(), c.bytesOut(), ms, outcome, c.fields());
    }

    private static String address(InetSocketAddress a) {
        return a == null ? "-" : Dialer.hostPort(a);
    }

    /** This record as one {@code key=value} line. */
    @Override
    public String toString() {
        return RecordFormat.KV.format(this);
    }
}
