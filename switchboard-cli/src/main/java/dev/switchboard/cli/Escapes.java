package dev.switchboard.cli;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns the text of {@code --send} into the bytes to send, reading the C escapes a shell makes
 * awkward to type: {@code \r \n \t \\ \0} and {@code \xHH} (any byte). Other characters are
 * sent as UTF-8. An unknown or incomplete escape is an error rather than a guess, so a typo
 * never reaches the peer.
 */
final class Escapes {

    private Escapes() {
    }

    /** The bytes {@code text} stands for; throws IllegalArgumentException naming the bad escape. */
    static byte[] decode(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '\\') {
                int end = i + Character.charCount(text.codePointAt(i));
                out.writeBytes(text.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
                continue;
            }
            if (i + 1 >= text.length()) {
                throw new IllegalArgumentException("a lone backslash at the end (write \\\\ for one)");
            }
            char e = text.charAt(i + 1);
            switch (e) {
                case 'r' -> out.write('\r');
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case '0' -> out.write(0);
                case '\\' -> out.write('\\');
                case 'x' -> {
                    int value = i + 3 < text.length() ? hex(text.charAt(i + 2), text.charAt(i + 3)) : -1;
                    if (value < 0) {
                        String seen = text.substring(i, Math.min(text.length(), i + 4));
                        throw new IllegalArgumentException("'" + seen + "' is not \\x followed by two hex digits");
                    }
                    out.write(value);
                    i += 2;
                }
                default -> throw new IllegalArgumentException("unknown escape '\\" + e
                        + "' (known: \\r \\n \\t \\0 \\\\ \\xHH)");
            }
            i += 2;
        }
        return out.toByteArray();
    }

    private static int hex(char high, char low) {
        int h = Character.digit(high, 16);
        int l = Character.digit(low, 16);
        return h < 0 || l < 0 ? -1 : h * 16 + l;
    }
}
