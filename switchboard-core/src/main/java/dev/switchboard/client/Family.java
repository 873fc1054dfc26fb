package dev.switchboard.client;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;

/** The address family a socket may use: either, or IPv4 only (-4), or IPv6 only (-6). */
public enum Family {
    ANY, IPV4, IPV6;

    /** Whether an address of this kind may be used under this choice. */
    public boolean admits(InetAddress address) {
        return switch (this) {
            case ANY -> true;
            case IPV4 -> address instanceof Inet4Address;
            case IPV6 -> address instanceof Inet6Address;
        };
    }

    /** The JDK's protocol family for opening a socket of this address's kind. */
    public static StandardProtocolFamily of(InetAddress address) {
        return address instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }
}
