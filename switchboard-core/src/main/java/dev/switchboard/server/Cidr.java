package dev.switchboard.server;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * A block of addresses written as {@code 10.0.0.0/8} or {@code 2001:db8::/32} (a bare address
 * is one host: /32 or /128). Bits past the prefix are ignored, as most tools do.
 *
 * @param network the block's first address (host bits cleared)
 * @param prefix  how many leading bits must match
 */
public record Cidr(InetAddress network, int prefix) {

    // Literals only: a host name here would mean a DNS lookup per rule, and its answer may change.
    private static final Pattern V4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    public Cidr {
        int bits = network.getAddress().length * 8;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("prefix /" + prefix + " is out of range for " + network.getHostAddress());
        }
        network = masked(network, prefix);
    }

    /**
     * Parses {@code ADDRESS[/PREFIX]}.
     *
     * @throws IllegalArgumentException with a message fit for a user when it is not one
     */
    public static Cidr parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        String host = slash < 0 ? s : s.substring(0, slash);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (!V4.matcher(host).matches() && !V6.matcher(host).matches()) {
            throw new IllegalArgumentException("not an address block: '" + text + "' (want e.g. 10.0.0.0/8 or ::1/128)");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address block: '" + text + "'");
        }
        int bits = address.getAddress().length * 8;
        if (slash < 0) {
            return new Cidr(address, bits);
        }
        String p = s.substring(slash + 1);
        if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > bits) {
            throw new IllegalArgumentException("bad prefix length in '" + text + "' (0 to " + bits + ")");
        }
        return new Cidr(address, Integer.parseInt(p));
    }

    /** Whether {@code address} lies in this block (never across families). */
    public boolean contains(InetAddress address) {
        if ((address instanceof Inet4Address) != (network instanceof Inet4Address)) {
            return false;
        }
        return masked(address, prefix).equals(network);
    }

    private static InetAddress masked(InetAddress address, int prefix) {
        byte[] b = address.getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            b[i] &= (byte) (0xFF << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4- or 16-byte address is always valid", e);
        }
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefix;
    }
}
