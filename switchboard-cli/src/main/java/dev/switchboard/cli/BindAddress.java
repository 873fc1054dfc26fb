package dev.switchboard.cli;

import dev.switchboard.client.Dialer;
import dev.switchboard.client.Family;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** The {@code --bind} address of a server: resolved once at start, checked against -4/-6. */
final class BindAddress {

    private BindAddress() {
    }

    /** The address to bind: the wildcard when none was given. */
    static InetAddress resolve(String bind, Family family) {
        return resolve("--bind", bind, family);
    }

    /** As {@link #resolve(String, Family)}, naming {@code option} in the errors. */
    static InetAddress resolve(String option, String bind, Family family) {
        if (bind == null || bind.equals("*")) {
            return new InetSocketAddress(0).getAddress();
        }
        String host = bind.startsWith("[") && bind.endsWith("]") ? bind.substring(1, bind.length() - 1) : bind;
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw Failure.usage(option + " " + bind + ": no such address");
        }
        for (InetAddress a : all) {
            if (family.admits(a)) return a;
        }
        throw Failure.usage(option + " " + bind + " is not an " + (family == Family.IPV4 ? "IPv4" : "IPv6") + " address");
    }

    /** How the bound address is announced: "[::]:9234" rather than eight zeros. */
    static String display(InetSocketAddress bound) {
        if (bound.getAddress() instanceof Inet6Address a && a.isAnyLocalAddress()) {
            return "[::]:" + bound.getPort();
        }
        return Dialer.hostPort(bound);
    }
}
