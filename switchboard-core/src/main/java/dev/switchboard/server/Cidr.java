package dev.switchboard.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * A block of addresses in CIDR notation ({@code 10.0.0.0/8}, {@code fd00::/8}, or a single
 * address), as access rules and {@code --proxy-from} take them.
 *
 * @param address the block's first address (host bits are cleared)
 * @param prefix  how many leading bits are fixed: 0-32 for IPv4, 0-128 for IPv6
 */
public record Cidr(InetAddress address, int prefix) {

    public Cidr {
        Objects.requireNonNull(address, "address");
        int bits = address.getAddress().length * 8;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("prefix /" + prefix + " is out of range 0-" + bits);
        }
        address = masked(address, prefix);
    }

    /**
     * Parses {@code ADDR} or {@code ADDR/PREFIX}; literals only, never a name lookup.
     *
     * @throws IllegalArgumentException with a one-line reason when it is not a CIDR block
     */
    public static Cidr parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        String host = slash < 0 ? s : s.substring(0, slash);
        InetAddress a = literal(host);
        if (a == null) throw new IllegalArgumentException("not an IP address: \"" + host + "\" in " + text);
        int bits = a.getAddress().length * 8;
        if (slash < 0) return new Cidr(a, bits);
        String p = s.substring(slash + 1);
        if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > bits) {
            throw new IllegalArgumentException("bad prefix length \"/" + p + "\" in " + text + " (0-" + bits + ")");
        }
        return new Cidr(a, Integer.parseInt(p));
    }

    /** Whether {@code a} lies in this block (an address of the other family never does). */
    public boolean contains(InetAddress a) {
        return a.getAddress().length == address.getAddress().length && masked(a, prefix).equals(address);
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefix;
    }

    private static InetAddress literal(String host) {
        if (host.isEmpty() || !host.matches("[0-9A-Fa-f:.]+")) return null;
        try {
            // A literal that is not IPv6 is tried as IPv4; brackets keep the JDK from resolving.
            InetAddress a = host.contains(":") ? InetAddress.getByName("[" + host + "]")
                    : host.matches("\\d{1,3}(\\.\\d{1,3}){3}") ? InetAddress.getByName(host) : null;
            return a;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static InetAddress masked(InetAddress a, int prefix) {
        byte[] b = a.getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - 8 * i));
            b[i] &= (byte) (0xFF << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }
}
