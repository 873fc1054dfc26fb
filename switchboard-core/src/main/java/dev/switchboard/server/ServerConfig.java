package dev.switchboard.server;

import dev.switchboard.client.Family;
import dev.switchboard.model.ConcurrencyModel;
import dev.switchboard.proxy.ProxyPolicy;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a {@link TcpServer} is told before it starts; {@link TcpServer.Builder} fills it.
 *
 * @param address        where to listen; null with {@code inherited} set. Port 0 picks one.
 * @param family         with a wildcard address: IPv4 only, IPv6 only, or both
 * @param backlog        the listen queue's length (0: the system's default)
 * @param reusePort      SO_REUSEPORT, so several processes can share the port
 * @param inherited      an already listening socket (systemd, inetd) to serve instead of binding
 * @param model          where each connection runs
 * @param handler        what each connection gets
 * @param maxConnections the most connections open at once; more wait in the backlog
 * @param maxPerIp       the most connections one address may hold (0: no limit); more are closed
 * @param rules          who may call
 * @param idleTimeout    close connections that moved no byte for this long (null: never)
 * @param grace          how long {@link TcpServer#close()} lets connections finish
 * @param listener       hears each connection's records
 * @param service        the service's name, for the records
 * @param proxy          read a PROXY header on every connection under this policy (null: no header)
 */
public record ServerConfig(InetSocketAddress address, Family family, int backlog, boolean reusePort,
                           ServerSocketChannel inherited, ConcurrencyModel model, ConnectionHandler handler,
                           int maxConnections, int maxPerIp, AccessRules rules, Duration idleTimeout,
                           Duration grace, ConnectionListener listener, String service, ProxyPolicy proxy) {

    public ServerConfig {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(service, "service");
        if (address == null && inherited == null) throw new IllegalArgumentException("no address to listen on");
        if (backlog < 0) throw new IllegalArgumentException("backlog must not be negative");
        if (maxConnections < 1) throw new IllegalArgumentException("max connections must be at least 1");
        if (maxPerIp < 0) throw new IllegalArgumentException("max per IP must not be negative");
        if (idleTimeout != null && (idleTimeout.isNegative() || idleTimeout.isZero())) {
            throw new IllegalArgumentException("idle timeout must be positive");
        }
        if (grace.isNegative()) throw new IllegalArgumentException("grace must not be negative");
    }
}
