package dev.switchboard.proxy;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Turns a PROXY header into the bytes a sender puts first on a connection, v1 or v2. The
 * result is small (at most 107 or 52 bytes) and must go out in one write, before any data.
 *
 * <pre>{@code
 * upstream.write(ByteBuffer.wrap(ProxyHeaderWriter.v2(client.remote(), client.local())));
 * }</pre>
 */
public final class ProxyHeaderWriter {

    private ProxyHeaderWriter() {
    }

    /** {@code PROXY TCP4|TCP6 src dst sport dport\r\n}; a mixed pair is sent as TCP6, IPv4 mapped. */
    public static byte[] v1(InetSocketAddress source, InetSocketAddress destination) {
        return write(new ProxyHeader.Proxied(source, destination, 1), 1);
    }

    /** The binary header for TCP over IPv4 or IPv6 (a mixed pair as IPv6, IPv4 mapped). */
    public static byte[] v2(InetSocketAddress source, InetSocketAddress destination) {
        return write(new ProxyHeader.Proxied(source, destination, 2), 2);
    }

    /** Writes any header in its own version ({@link ProxyHeader.Local} is v2 only). */
    public static byte[] write(ProxyHeader header) {
        return switch (header) {
            case ProxyHeader.Proxied p -> write(p, p.version());
            case ProxyHeader.Local l -> write(l, 2);
            case ProxyHeader.Unknown u -> write(u, u.version());
        };
    }

    /** Writes a header in the given version, 1 or 2. */
    public static byte[] write(ProxyHeader header, int version) {
        if (version == 1) {
            String line = switch (header) {
                case ProxyHeader.Proxied p -> v1Line(p.source(), p.destination());
                case ProxyHeader.Unknown u -> "PROXY UNKNOWN";
                case ProxyHeader.Local l -> throw new IllegalArgumentException("LOCAL exists only in v2");
            };
            return (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }
        if (version != 2) throw new IllegalArgumentException("PROXY protocol version must be 1 or 2");
        ByteArrayOutputStream out = new ByteArrayOutputStream(52);
        out.writeBytes(ProxyDecoder.V2_SIGNATURE);
        switch (header) {
            case ProxyHeader.Local l -> out.writeBytes(new byte[] {0x20, 0x00, 0, 0});
            case ProxyHeader.Unknown u -> out.writeBytes(new byte[] {0x21, 0x00, 0, 0});
            case ProxyHeader.Proxied p -> {
                boolean v6 = isV6(p.source(), p.destination());
                int n = v6 ? 16 : 4;
                out.writeBytes(new byte[] {0x21, (byte) (v6 ? 0x21 : 0x11), 0, (byte) (n * 2 + 4)});
                out.writeBytes(bytes(p.source().getAddress(), n));
                out.writeBytes(bytes(p.destination().getAddress(), n));
                out.writeBytes(new byte[] {(byte) (p.source().getPort() >> 8), (byte) p.source().getPort(),
                        (byte) (p.destination().getPort() >> 8), (byte) p.destination().getPort()});
            }
        }
        return out.toByteArray();
    }

    private static String v1Line(InetSocketAddress src, InetSocketAddress dst) {
        boolean v6 = isV6(src, dst);
        return "PROXY " + (v6 ? "TCP6 " : "TCP4 ") + text(src.getAddress(), v6) + " " + text(dst.getAddress(), v6)
                + " " + src.getPort() + " " + dst.getPort();
    }

    private static boolean isV6(InetSocketAddress a, InetSocketAddress b) {
        return a.getAddress() instanceof Inet6Address || b.getAddress() instanceof Inet6Address;
    }

    /** The address in {@code n} bytes: an IPv4 address as IPv4-mapped IPv6 when n is 16. */
    private static byte[] bytes(InetAddress a, int n) {
        byte[] raw = a.getAddress();
        if (raw.length == n) return raw;
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        System.arraycopy(raw, 0, mapped, 12, 4);
        return mapped;
    }

    /** Dotted quad, or RFC 5952 IPv6 text (lower case, longest zero run as ::, no scope). */
    static String text(InetAddress a, boolean v6) {
        if (!v6 && a instanceof Inet4Address) return a.getHostAddress();
        byte[] b = bytes(a, 16);
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = ((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF);
        int bestAt = -1, bestLen = 1; // a single zero group is never shortened
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) {
                bestAt = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestAt) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') s.append(':');
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }
}
