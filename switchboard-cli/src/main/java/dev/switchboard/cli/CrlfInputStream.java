package dev.switchboard.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * What {@code --crlf} does to stdin: every LF becomes CRLF, so a line typed at a terminal is
 * a line to an SMTP or HTTP server. An LF that already follows a CR is left alone, so input
 * that is CRLF already passes through unchanged.
 */
final class CrlfInputStream extends FilterInputStream {

    private boolean lastWasCr;
    private boolean pendingLf;
    private byte[] raw = new byte[0];

    CrlfInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        int pos = off;
        int end = off + len;
        if (pendingLf) {
            b[pos++] = '\n';
            pendingLf = false;
            lastWasCr = false;
            if (pos == end) return 1;
        }
        // Read at most half the room, so every LF can grow into two bytes in place.
        int room = Math.max(1, (end - pos) / 2);
        if (raw.length < room) raw = new byte[room];
        int n = in.read(raw, 0, room);
        if (n < 0) return pos > off ? pos - off : -1;
        for (int i = 0; i < n; i++) {
            byte c = raw[i];
            if (c == '\n' && !lastWasCr) {
                b[pos++] = '\r';
                if (pos == end) {
                    pendingLf = true; // only when the caller gave us a single byte of room
                    return pos - off;
                }
            }
            b[pos++] = c;
            lastWasCr = c == '\r';
        }
        return pos - off;
    }

    @Override
    public int available() {
        return 0;
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
