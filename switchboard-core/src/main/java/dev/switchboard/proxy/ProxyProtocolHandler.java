package dev.switchboard.proxy;

import dev.switchboard.server.Connection;
import dev.switchboard.server.ConnectionHandler;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Objects;

/**
 * {@code --proxy-protocol} as a wrapper around any handler: reads the connection's PROXY
 * header under the {@link ProxyPolicy}, then runs the service with {@link Connection#remote()}
 * naming the real caller. A refused header ends the connection before the service sees a
 * byte, its outcome the reason ({@code proxy-timeout}, ...) and its {@code cause} field the
 * detail. A proxy's health checks are recorded as {@code outcome=check}, not as errors: a v2
 * LOCAL header, or a connection closed before sending a byte (a plain TCP check).
 *
 * <p>It runs on the connection's own thread, not the accept loop, since a header may take
 * the whole deadline to arrive.
 */
public record ProxyProtocolHandler(ProxyPolicy policy, ConnectionHandler next) implements ConnectionHandler {

    private static final System.Logger LOG = System.getLogger(ProxyProtocolHandler.class.getName());

    public ProxyProtocolHandler {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(next, "next");
    }

    @Override
    public void handle(Connection connection) throws IOException {
        if (settle(connection, policy.admit(connection))) {
            next.handle(connection);
        }
    }

    /**
     * Records a header's verdict on the connection and says whether the service runs: a
     * refusal becomes the outcome (a health check: {@code check}), an accepted header goes on
     * (a LOCAL one, a balancer's check that speaks, is served and recorded as {@code check}).
     * The event loop, which reads the header without blocking, settles it here too.
     */
    public static boolean settle(Connection connection, ProxyResult result) {
        switch (result) {
            case ProxyResult.Refused r when r.reason() == ProxyResult.Reason.CLOSED -> {
                // Connect and close, not a byte: a load balancer's plain TCP health check.
                connection.outcome("check");
                LOG.log(Level.DEBUG, "{0}: closed before a PROXY header (a health check)", connection);
                return false;
            }
            case ProxyResult.Refused r -> {
                connection.outcome(r.reason().code());
                connection.field("cause", r.detail());
                // The connection's record is the log line; this is for whoever debugs it.
                LOG.log(Level.DEBUG, "{0}: {1}", connection, r);
                return false;
            }
            case ProxyResult.Accepted a -> {
                if (a.header() instanceof ProxyHeader.Local) {
                    connection.outcome("check");
                }
                return true;
            }
        }
    }
}
