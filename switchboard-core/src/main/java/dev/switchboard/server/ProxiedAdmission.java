package dev.switchboard.server;

import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * The accept loop's checks, made again once a PROXY header has named the real caller: the
 * access rules and the per-address limit apply to that caller, not to the proxy in front.
 * Runs on the connection's own thread, after the header and before the service (the event
 * loop calls {@link #admits} itself, then serves {@link #next()}); it also sends the
 * {@code open} record, which only now knows who called.
 */
public final class ProxiedAdmission implements ConnectionHandler {

    private static final System.Logger LOG = System.getLogger(TcpServer.class.getName());

    private final ServerConfig config;
    private final OpenConnections open;
    private final ConnectionHandler next;

    ProxiedAdmission(ServerConfig config, OpenConnections open, ConnectionHandler next) {
        this.config = config;
        this.open = open;
        this.next = next;
    }

    /** The service that runs once the caller is admitted. */
    public ConnectionHandler next() {
        return next;
    }

    @Override
    public void handle(Connection c) throws IOException {
        if (admits(c)) {
            next.handle(c);
        }
    }

    /** Checks the header's caller; false (the outcome says why) when it must be closed. */
    public boolean admits(Connection c) {
        if (!c.remote().equals(c.peer())) {
            String refused = !config.rules().admits(c.remote().getAddress()) ? "denied"
                    : !open.recount(c) ? "over-limit" : null;
            if (refused != null) {
                c.outcome(refused);
                LOG.log(Level.DEBUG, "{0} (via {1}): {2}", c, c.peer(), refused);
                return false;
            }
        }
        TcpServer.opened(config, c);
        return true;
    }
}
