package dev.switchboard.proxy;

import dev.switchboard.proxy.ProxyResult.Reason;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.zip.CRC32C;

/**
 * Reads a complete v2 block: command, family and transport, the address block, and the TLVs
 * after it, whose lengths must add up exactly (a lying length is refused, never trusted).
 */
final class ProxyV2 {

    static final int CMD_LOCAL = 0x0, CMD_PROXY = 0x1;
    static final int AF_UNSPEC = 0x0, AF_INET = 0x1, AF_INET6 = 0x2, AF_UNIX = 0x3;
    static final int STREAM = 0x1, DGRAM = 0x2;
    static final int TLV_CRC32C = 0x03;

    private ProxyV2() {
    }

    /** Parses {@code b[0..length)}: the 16 fixed bytes (signature and version checked) and the block. */
    static ProxyResult parse(byte[] b, int length) {
        int command = b[12] & 0x0F;
        int family = (b[13] & 0xF0) >> 4;
        int transport = b[13] & 0x0F;
        if (command > CMD_PROXY) return malformed("v2 command " + command + " is not LOCAL or PROXY");
        if (family > AF_UNIX) return malformed("v2 address family " + family + " is undefined");
        if (transport > DGRAM) return malformed("v2 transport " + transport + " is undefined");
        if (command == CMD_LOCAL) {
            // The spec: a LOCAL header's family and addresses are to be ignored, whatever they say.
            return new ProxyResult.Accepted(new ProxyHeader.Local(), length);
        }
        int addressBytes = switch (family) {
            case AF_INET -> 12;
            case AF_INET6 -> 36;
            case AF_UNIX -> 216;
            default -> -1; // UNSPEC: no address layout to check
        };
        if (addressBytes < 0 || transport == 0) {
            return new ProxyResult.Accepted(new ProxyHeader.Unknown(2), length);
        }
        int start = ProxyDecoder.V2_FIXED;
        if (length - start < addressBytes) {
            return malformed("v2 length " + (length - start) + " is shorter than its " + addressBytes + "-byte address block");
        }
        String tlvProblem = checkTlvs(b, start + addressBytes, length);
        if (tlvProblem != null) return malformed(tlvProblem);
        if (family == AF_UNIX || transport != STREAM) {
            return new ProxyResult.Accepted(new ProxyHeader.Unknown(2), length);
        }
        int a = family == AF_INET ? 4 : 16;
        InetAddress src = address(b, start, a);
        InetAddress dst = address(b, start + a, a);
        int sport = u16(b, start + 2 * a);
        int dport = u16(b, start + 2 * a + 2);
        return new ProxyResult.Accepted(new ProxyHeader.Proxied(
                new InetSocketAddress(src, sport), new InetSocketAddress(dst, dport), 2), length);
    }

    /** Walks the TLVs in {@code b[from..to)}; returns what is wrong, or null. */
    private static String checkTlvs(byte[] b, int from, int to) {
        int i = from;
        while (i < to) {
            if (to - i < 3) return "v2 has " + (to - i) + " stray bytes where a TLV should start";
            int type = b[i] & 0xFF;
            int n = u16(b, i + 1);
            if (n > to - i - 3) return "v2 TLV of type " + type + " claims " + n + " bytes, only " + (to - i - 3) + " left";
            if (type == TLV_CRC32C && !checksumHolds(b, to, i + 3, n)) return "v2 CRC32C checksum does not match";
            i += 3 + n;
        }
        return null;
    }

    /** The CRC32C TLV's value is the checksum of the whole header with that value zeroed. */
    private static boolean checksumHolds(byte[] b, int length, int at, int n) {
        if (n != 4) return false;
        byte[] copy = java.util.Arrays.copyOf(b, length);
        long claimed = ((long) u16(b, at) << 16) | u16(b, at + 2);
        copy[at] = copy[at + 1] = copy[at + 2] = copy[at + 3] = 0;
        CRC32C crc = new CRC32C();
        crc.update(copy, 0, length);
        return crc.getValue() == claimed;
    }

    static InetAddress address(byte[] b, int at, int n) {
        byte[] a = java.util.Arrays.copyOfRange(b, at, at + n);
        try {
            // A v4-mapped IPv6 address stays IPv6, as sent.
            return n == 16 ? Inet6Address.getByAddress(null, a, -1) : Inet4Address.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }

    static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    private static ProxyResult malformed(String detail) {
        return ProxyResult.refuse(Reason.MALFORMED, detail);
    }
}
