package dev.switchboard.proxy;

import dev.switchboard.proxy.ProxyResult.Reason;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/** Reads the fields of a complete v1 line: {@code PROXY TCP4|TCP6 src dst sport dport\r\n}, or UNKNOWN. */
final class ProxyV1 {

    private ProxyV1() {
    }

    /** Parses {@code line[0..length)}, which ends with CRLF and starts with "PROXY ". */
    static ProxyResult parse(byte[] line, int length) {
        String text = new String(line, 0, length - 2, StandardCharsets.ISO_8859_1);
        String[] f = text.split(" ", -1);
        if (f[1].equals("UNKNOWN")) {
            // The spec says whatever follows UNKNOWN is to be ignored.
            return new ProxyResult.Accepted(new ProxyHeader.Unknown(1), length);
        }
        boolean v6 = f[1].equals("TCP6");
        if (!v6 && !f[1].equals("TCP4")) {
            return malformed("unknown v1 protocol \"" + printable(f[1]) + "\"");
        }
        if (f.length != 6) {
            return malformed("v1 line has " + (f.length - 1) + " fields after PROXY, not 5");
        }
        InetAddress src = v6 ? ipv6(f[2]) : ipv4(f[2]);
        InetAddress dst = v6 ? ipv6(f[3]) : ipv4(f[3]);
        int sport = port(f[4]);
        int dport = port(f[5]);
        if (src == null || dst == null) {
            return malformed("bad " + (v6 ? "IPv6" : "IPv4") + " address in v1 line");
        }
        if (sport < 0 || dport < 0) {
            return malformed("bad port in v1 line");
        }
        return new ProxyResult.Accepted(new ProxyHeader.Proxied(
                new InetSocketAddress(src, sport), new InetSocketAddress(dst, dport), 1), length);
    }

    /** Dotted quad, strictly: four decimal numbers 0-255 without leading zeros. */
    static InetAddress ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) return null;
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            int v = decimal(parts[i], 3);
            if (v < 0 || v > 255) return null;
            b[i] = (byte) v;
        }
        return byAddress(b);
    }

    /** An IPv6 literal (RFC 4291 forms), always as an Inet6Address, never a name lookup. */
    static InetAddress ipv6(String s) {
        if (s.isEmpty() || s.length() > 45 || s.indexOf(':') < 0) return null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.digit(c, 16) < 0 && c != ':' && c != '.') return null;
        }
        try {
            // Brackets make the JDK insist on a literal: it never resolves a bracketed name.
            InetAddress a = InetAddress.getByName("[" + s + "]");
            byte[] b = a.getAddress();
            if (b.length == 4) { // ::ffff:a.b.c.d comes back as IPv4; keep it IPv6 as written
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xFF;
                mapped[11] = (byte) 0xFF;
                System.arraycopy(b, 0, mapped, 12, 4);
                b = mapped;
            }
            return Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** 0-65535 in decimal, at most five digits. */
    static int port(String s) {
        int v = decimal(s, 5);
        return v > 65535 ? -1 : v;
    }

    private static int decimal(String s, int maxDigits) {
        if (s.isEmpty() || s.length() > maxDigits || (s.length() > 1 && s.charAt(0) == '0')) return -1;
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static InetAddress byAddress(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }

    private static ProxyResult malformed(String detail) {
        return ProxyResult.refuse(Reason.MALFORMED, detail);
    }

    /** Caller bytes go to logs: control characters become escapes and the length is capped. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(s.length(), 16); i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7F && c != '"' && c != '\\' ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return s.length() > 16 ? out + "..." : out.toString();
    }
}
