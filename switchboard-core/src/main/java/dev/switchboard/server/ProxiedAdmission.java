package dev.switchboard.server;

import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * The accept loop's checks, made again once a PROXY header has named the real caller: the
 * access rules and the per-address limit apply to that caller, not to the proxy in front.
 * Runs on the connection's own thread, after the header and before the service; it also
 * sends the {@code open} record, which only now knows who called.
 */
final class ProxiedAdmission implements ConnectionHandler {

    private static final System.Logger LOG = System.getLogger(TcpServer.class.getName());

    private final ServerConfig config;
    private final OpenConnections open;
    private final ConnectionHandler next;

    ProxiedAdmission(ServerConfig config, OpenConnections open, ConnectionHandler next) {
        this.config = config;
        this.open = open;
        this.next = next;
    }

    @Override
    public void handle(Connection c) throws IOException {
        if (!c.remote().equals(c.peer())) {
            String refused = !config.rules().admits(c.remote().getAddress()) ? "denied"
                    : !open.recount(c) ? "over-limit" : null;
            if (refused != null) {
                c.outcome(refused);
                LOG.log(Level.DEBUG, "{0} (via {1}): {2}", c, c.peer(), refused);
                return;
            }
        }
        TcpServer.opened(config, c);
        next.handle(c);
    }
}
