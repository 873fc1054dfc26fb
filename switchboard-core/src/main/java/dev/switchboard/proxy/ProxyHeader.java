package dev.switchboard.proxy;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What a PROXY protocol header (HAProxy's doc/proxy-protocol.txt, v1 text or v2 binary) says
 * about a connection: who really called, or that the real socket addresses stand.
 */
public sealed interface ProxyHeader permits ProxyHeader.Proxied, ProxyHeader.Local, ProxyHeader.Unknown {

    /**
     * The connection was relayed for {@code source}, which called {@code destination}
     * (TCP over IPv4 or IPv6).
     *
     * @param version 1 (text) or 2 (binary): the form the header came in, or should go out in
     */
    record Proxied(InetSocketAddress source, InetSocketAddress destination, int version) implements ProxyHeader {
        public Proxied {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(destination, "destination");
            if (source.getAddress() == null || destination.getAddress() == null) {
                throw new IllegalArgumentException("PROXY addresses must be resolved");
            }
            checkVersion(version);
        }
    }

    /**
     * A v2 LOCAL header: the proxy opened this connection itself (a health check), so the
     * socket's own addresses are the real ones.
     */
    record Local() implements ProxyHeader {
    }

    /**
     * v1 {@code UNKNOWN}, or a v2 PROXY header for a family or transport we don't use (UNSPEC,
     * UNIX, UDP): valid, but the socket's own addresses stand.
     */
    record Unknown(int version) implements ProxyHeader {
        public Unknown {
            checkVersion(version);
        }
    }

    private static void checkVersion(int version) {
        if (version != 1 && version != 2) {
            throw new IllegalArgumentException("PROXY protocol version must be 1 or 2, not " + version);
        }
    }
}
