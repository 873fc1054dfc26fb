package dev.switchboard.proxy;

import dev.switchboard.client.Dialer;
import dev.switchboard.server.Cidr;
import dev.switchboard.server.Connection;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Decides whom a PROXY header is believed from ({@code --proxy-from}, loopback by default) and
 * applies it to a connection: a trusted peer's header names the caller, every other peer is
 * refused before a byte is read, so a caller can never pose as someone else.
 *
 * @param trusted the peers (proxies) allowed to send a header
 * @param reader  how headers are read (deadline, size limit)
 */
public record ProxyPolicy(List<Cidr> trusted, ProxyHeaderReader reader) {

    /** 127.0.0.0/8 and ::1: a proxy on this machine. */
    public static final List<Cidr> LOOPBACK = List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"));

    public ProxyPolicy {
        trusted = List.copyOf(trusted);
        Objects.requireNonNull(reader, "reader");
    }

    /** Loopback only, three seconds, the default size limit. */
    public static ProxyPolicy defaults() {
        return new ProxyPolicy(LOOPBACK, new ProxyHeaderReader());
    }

    /** The same trust with a different deadline ({@code --proxy-timeout}). */
    public ProxyPolicy withTimeout(Duration timeout) {
        return new ProxyPolicy(trusted, new ProxyHeaderReader(timeout, ProxyHeaderReader.DEFAULT_MAX_V2_LENGTH));
    }

    /** Whether a header from this peer is believed. */
    public boolean trusts(InetAddress peer) {
        for (Cidr c : trusted) {
            if (c.contains(peer)) return true;
        }
        return false;
    }

    /**
     * Reads the connection's header if its peer is trusted, and {@link #apply applies} it. On
     * a refusal the caller closes the connection.
     */
    public ProxyResult admit(Connection connection) throws IOException {
        ProxyResult untrusted = untrusted(connection);
        return untrusted != null ? untrusted : apply(connection, reader.read(connection.channel()));
    }

    /** The refusal for a peer whose headers are not believed, or null when it is trusted. */
    public ProxyResult untrusted(Connection connection) {
        InetAddress peer = connection.peer().getAddress();
        return trusts(peer) ? null : ProxyResult.refuse(ProxyResult.Reason.UNTRUSTED,
                "PROXY header not accepted from " + peer.getHostAddress() + " (not in --proxy-from)");
    }

    /**
     * Applies a header read from a trusted peer: on a {@link ProxyHeader.Proxied} header the
     * connection's {@link Connection#remote()} becomes the header's source (LOCAL and UNKNOWN
     * leave the real addresses) and its log record gets {@code via=PROXY-ADDRESS}. Returns
     * {@code result}.
     */
    public ProxyResult apply(Connection connection, ProxyResult result) {
        if (result instanceof ProxyResult.Accepted a && a.header() instanceof ProxyHeader.Proxied p) {
            connection.proxiedFrom(p.source());
            connection.field("via", Dialer.hostPort(connection.peer())); // the proxy that told us
        }
        return result;
    }
}
