package dev.switchboard.service;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Cuts a program's stderr into lines as its bytes arrive, in whatever pieces they come. Only
 * LF ends a line (a CR inside one is left for {@link Exec#printable} to show, not taken as a
 * break the caller could use), a CRLF program's CR is dropped, and a line is held to
 * {@link Exec#MAX_LINE} bytes while it is read, so a program writing one endless line costs no
 * more memory than that: the rest is dropped and the line ends in {@code ...}.
 */
final class StderrLines {

    private final Consumer<String> lines;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean cut;

    StderrLines(Consumer<String> lines) {
        this.lines = lines;
    }

    void feed(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            byte b = bytes[i];
            if (b == '\n') {
                emit();
            } else if (line.size() < Exec.MAX_LINE) {
                line.write(b);
            } else {
                cut = true;
            }
        }
    }

    /** The stream ended: a last line without its LF is still a line. */
    void end() {
        if (line.size() > 0 || cut) emit();
    }

    private void emit() {
        byte[] bytes = line.toByteArray();
        int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        String text = new String(bytes, 0, n, StandardCharsets.UTF_8);
        lines.accept(cut ? text + "..." : text);
        line.reset();
        cut = false;
    }
}
