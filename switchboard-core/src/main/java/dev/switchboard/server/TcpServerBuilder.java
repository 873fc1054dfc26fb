package dev.switchboard.server;

import dev.switchboard.client.Family;
import dev.switchboard.model.ConcurrencyModel;
import dev.switchboard.model.VirtualThreadPerConnection;
import dev.switchboard.proxy.ProxyPolicy;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;

/**
 * Collects a {@link TcpServer}'s settings; every one has a default but the handler.
 * {@code TcpServer.builder().port(9234).handler(c -> ...).build().start()}.
 */
public final class TcpServerBuilder {

    private InetSocketAddress address = new InetSocketAddress(0);
    private Family family = Family.ANY;
    private int backlog;
    private boolean reusePort;
    private ServerSocketChannel inherited;
    private ConcurrencyModel model = new VirtualThreadPerConnection();
    private ConnectionHandler handler;
    private int maxConnections = 1000;
    private int maxPerIp;
    private AccessRules rules = AccessRules.ALLOW_ALL;
    private Duration idleTimeout;
    private Duration grace = Duration.ofSeconds(10);
    private ConnectionListener listener = ConnectionListener.NONE;
    private String service = "custom";
    private ProxyPolicy proxy;

    TcpServerBuilder() {
    }

    /** Where to listen (port 0: any free port). Default: every address, port 0. */
    public TcpServerBuilder address(InetSocketAddress address) {
        this.address = address;
        return this;
    }

    /** Listens on every address at this port. */
    public TcpServerBuilder port(int port) {
        this.address = new InetSocketAddress(port);
        return this;
    }

    /** With a wildcard address: IPv4 only, IPv6 only, or both (the default). */
    public TcpServerBuilder family(Family family) {
        this.family = family;
        return this;
    }

    /** The listen queue's length; 0 (the default) leaves it to the system. */
    public TcpServerBuilder backlog(int backlog) {
        this.backlog = backlog;
        return this;
    }

    /** SO_REUSEPORT: lets several processes listen on the same port. */
    public TcpServerBuilder reusePort(boolean on) {
        this.reusePort = on;
        return this;
    }

    /** Serves an already listening socket (from systemd or inetd) instead of binding one. */
    public TcpServerBuilder inherited(ServerSocketChannel channel) {
        this.inherited = channel;
        return this;
    }

    /** Where each connection runs. Default: a virtual thread each. */
    public TcpServerBuilder model(ConcurrencyModel model) {
        this.model = model;
        return this;
    }

    /** What each connection gets. Required. */
    public TcpServerBuilder handler(ConnectionHandler handler) {
        this.handler = handler;
        return this;
    }

    /** The most connections open at once (default 1000); callers beyond wait in the backlog. */
    public TcpServerBuilder maxConnections(int max) {
        this.maxConnections = max;
        return this;
    }

    /** The most connections one caller address may hold (default 0: no limit). */
    public TcpServerBuilder maxPerIp(int max) {
        this.maxPerIp = max;
        return this;
    }

    /** Who may call. Default: everyone. */
    public TcpServerBuilder rules(AccessRules rules) {
        this.rules = rules;
        return this;
    }

    /** Closes connections that moved no byte for this long (default null: never). */
    public TcpServerBuilder idleTimeout(Duration timeout) {
        this.idleTimeout = timeout;
        return this;
    }

    /** How long {@link TcpServer#close()} lets open connections finish (default 10 s). */
    public TcpServerBuilder grace(Duration grace) {
        this.grace = grace;
        return this;
    }

    /** Hears each connection's open and close records. Default: nobody. */
    public TcpServerBuilder listener(ConnectionListener listener) {
        this.listener = listener;
        return this;
    }

    /** The service's name in the records (default "custom"). */
    public TcpServerBuilder service(String name) {
        this.service = name;
        return this;
    }

    /**
     * Requires a PROXY header (v1 or v2) on every connection, read under {@code policy} on the
     * connection's own thread before the handler runs. Default null: no header.
     */
    public TcpServerBuilder proxy(ProxyPolicy policy) {
        this.proxy = policy;
        return this;
    }

    /** The settings as a record. */
    public ServerConfig config() {
        return new ServerConfig(inherited == null ? address : null, family, backlog, reusePort, inherited, model,
                handler, maxConnections, maxPerIp, rules, idleTimeout, grace, listener, service, proxy);
    }

    /** A server with these settings, not yet started. */
    public TcpServer build() {
        return new TcpServer(config());
    }
}
