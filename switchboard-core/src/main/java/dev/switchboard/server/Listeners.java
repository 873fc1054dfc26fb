package dev.switchboard.server;

import dev.switchboard.client.Dialer;
import dev.switchboard.client.Family;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;

/** Opens the listening socket a {@link ServerConfig} asks for, naming the address when that fails. */
final class Listeners {

    private Listeners() {
    }

    static ServerSocketChannel open(ServerConfig config) throws IOException {
        if (config.inherited() != null) {
            return config.inherited();
        }
        InetSocketAddress wanted = config.address();
        InetAddress host = wanted.getAddress();
        Family family = config.family();
        ServerSocketChannel channel;
        InetSocketAddress at = wanted;
        if (host.isAnyLocalAddress() && family == Family.ANY) {
            channel = ServerSocketChannel.open(); // dual-stack where the system has IPv6
        } else if (host.isAnyLocalAddress()) {
            StandardProtocolFamily pf = family == Family.IPV4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
            channel = ServerSocketChannel.open(pf);
            at = new InetSocketAddress(family == Family.IPV4 ? "0.0.0.0" : "::", wanted.getPort());
        } else {
            channel = ServerSocketChannel.open(Family.of(host));
        }
        try {
            if (config.reusePort()) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            channel.bind(at, config.backlog());
            return channel;
        } catch (IOException | UnsupportedOperationException e) {
            channel.close();
            BindException named = new BindException("cannot listen on " + Dialer.hostPort(at) + ": " + reason(e));
            named.initCause(e);
            throw named;
        }
    }

    private static String reason(Exception e) {
        String m = e.getMessage();
        if (e instanceof UnsupportedOperationException) return "SO_REUSEPORT is not supported here";
        return m == null ? e.getClass().getSimpleName() : m.replace(" (Bind failed)", "").toLowerCase(java.util.Locale.ROOT);
    }
}
