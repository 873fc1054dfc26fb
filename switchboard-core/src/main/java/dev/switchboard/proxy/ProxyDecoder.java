package dev.switchboard.proxy;

import dev.switchboard.proxy.ProxyResult.Reason;
import java.util.Arrays;

/**
 * Frames one PROXY header as its bytes arrive, and says at every step how many more bytes may
 * be read without passing the header's end, so the bytes after it stay in the socket for the
 * service. Not thread-safe; one per connection.
 *
 * <p>A v2 header announces its length, so it is read in two exact reads. A v1 line has no
 * length; its end is the first CRLF, so past the shortest possible line ({@code "PROXY
 * UNKNOWN\r\n"}, 15 bytes) it is read two bytes at a time, or one after a CR: at most about
 * fifty small reads, once per connection.
 */
final class ProxyDecoder {

    /** The longest v1 line, CRLF included (the spec's 107). */
    static final int V1_MAX = 107;
    /** The shortest v1 line, {@code "PROXY UNKNOWN\r\n"}. */
    static final int V1_MIN = 15;
    static final int V2_FIXED = 16;
    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final byte[] V1_PREFIX = {'P', 'R', 'O', 'X', 'Y', ' '};

    private final int maxV2Length;
    private byte[] buf = new byte[V1_MAX];
    private int len;
    private ProxyResult result;

    ProxyDecoder(int maxV2Length) {
        this.maxV2Length = maxV2Length;
    }

    /** Bytes that may be read next without passing the header; 0 once {@link #result()} is set. */
    int need() {
        if (result != null) return 0;
        if (len == 0) return 1;
        if (buf[0] == '\r') {
            return len < V2_FIXED ? V2_FIXED - len : V2_FIXED + v2Length() - len;
        }
        if (len < V1_MIN) return V1_MIN - len;
        return Math.min(buf[len - 1] == '\r' ? 1 : 2, V1_MAX - len);
    }

    /** The verdict once the header is complete or refused, else null. */
    ProxyResult result() {
        return result;
    }

    /** How many header bytes have been taken so far. */
    int length() {
        return len;
    }

    /** Takes {@code n <= need()} bytes and re-judges the header. */
    void accept(byte[] src, int off, int n) {
        if (n > need()) throw new IllegalArgumentException("read past the header: " + n + " > " + need());
        if (len + n > buf.length) buf = Arrays.copyOf(buf, len + n);
        System.arraycopy(src, off, buf, len, n);
        len += n;
        result = buf[0] == '\r' ? judgeV2() : buf[0] == 'P' ? judgeV1() : missing();
    }

    /** The stream ended before the header did. */
    ProxyResult endOfStream() {
        if (result == null) {
            result = len == 0
                    ? ProxyResult.refuse(Reason.CLOSED, "closed before sending a PROXY header")
                    : ProxyResult.refuse(Reason.TRUNCATED, "closed after " + len + " bytes of a PROXY header");
        }
        return result;
    }

    private ProxyResult judgeV1() {
        for (int i = 0; i < Math.min(len, V1_PREFIX.length); i++) {
            if (buf[i] != V1_PREFIX[i]) {
                return i < 5 ? missing() : ProxyResult.refuse(Reason.MALFORMED, "no space after PROXY");
            }
        }
        for (int i = 0; i < len; i++) {
            if (buf[i] == '\r' && i + 1 < len && buf[i + 1] != '\n') {
                return ProxyResult.refuse(Reason.MALFORMED, "CR without LF in the v1 line");
            }
            if (buf[i] == '\n') {
                if (i == 0 || buf[i - 1] != '\r') {
                    return ProxyResult.refuse(Reason.MALFORMED, "LF without CR in the v1 line");
                }
                // Every valid line is at least V1_MIN long, so a shorter one is the only
                // way bytes can have been read past its end; it is refused all the same.
                return i + 1 < V1_MIN ? ProxyResult.refuse(Reason.MALFORMED, "v1 line too short")
                        : ProxyV1.parse(buf, i + 1);
            }
        }
        if (len >= V1_MAX) {
            return ProxyResult.refuse(Reason.OVERSIZED, "v1 line longer than " + V1_MAX + " bytes");
        }
        return null;
    }

    private ProxyResult judgeV2() {
        for (int i = 0; i < Math.min(len, V2_SIGNATURE.length); i++) {
            if (buf[i] != V2_SIGNATURE[i]) return missing();
        }
        if (len < V2_FIXED) return null;
        int version = (buf[12] & 0xF0) >> 4;
        if (version != 2) {
            return ProxyResult.refuse(Reason.UNKNOWN_VERSION, "v2 signature with version " + version);
        }
        if (v2Length() > maxV2Length) {
            return ProxyResult.refuse(Reason.OVERSIZED,
                    "v2 block of " + v2Length() + " bytes, more than the " + maxV2Length + " accepted");
        }
        return len < V2_FIXED + v2Length() ? null : ProxyV2.parse(buf, len);
    }

    private int v2Length() {
        return ((buf[14] & 0xFF) << 8) | (buf[15] & 0xFF);
    }

    private static ProxyResult missing() {
        return ProxyResult.refuse(Reason.MISSING, "data without a PROXY header");
    }
}
