package dev.switchboard.server;

import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * How many connections at once the open-files limit has room for, when each one holds more
 * descriptors than its socket. Why it matters: the accept loop would otherwise take every
 * descriptor left, and the connections it accepted would then fail one after another to get
 * their pipes or upstream socket, dropping callers who could have waited in the backlog.
 * Handlers that need only the socket are left alone: an accept that fails for want of a
 * descriptor drops nobody, and the accept loop backs off.
 */
final class DescriptorBudget {

    private static final System.Logger LOG = System.getLogger(TcpServer.class.getName());

    /**
     * Descriptors kept free for everything else: starting a program needs a few at once (the
     * pipes' other ends, the spawn helper's), and the JVM opens some of its own.
     */
    static final int RESERVE = 16;

    private DescriptorBudget() {
    }

    /** {@code wanted}, or fewer when the limit has no room for that many (said once). */
    static int connections(int wanted, int perConnection) {
        long limit = Descriptors.softLimit();
        if (perConnection <= 1 || limit <= 0) return wanted;
        long open;
        try {
            open = Descriptors.open();
        } catch (IOException noneToCountWith) {
            return wanted; // the accept loop's back-off will say why
        }
        long room = (limit - open - RESERVE) / perConnection;
        if (room >= wanted) return wanted;
        int allowed = (int) Math.max(1, room);
        LOG.log(Level.WARNING, "the open-files limit ({0}, {1} open) has room for {2} connections of {3}"
                        + " descriptors each: serving at most {2} at once, not {4}; raise ulimit -n to serve more",
                String.valueOf(limit), String.valueOf(open), String.valueOf(allowed),
                String.valueOf(perConnection), String.valueOf(wanted));
        return allowed;
    }
}
