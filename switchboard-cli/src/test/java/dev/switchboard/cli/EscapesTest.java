package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EscapesTest {

    static Stream<Arguments> good() {
        return Stream.of(
                Arguments.of("plain", new byte[] {'p', 'l', 'a', 'i', 'n'}),
                Arguments.of("", new byte[0]),
                Arguments.of("GET / HTTP/1.0\\r\\n\\r\\n", "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)),
                Arguments.of("a\\tb\\n", new byte[] {'a', '\t', 'b', '\n'}),
                Arguments.of("\\\\r", new byte[] {'\\', 'r'}),
                Arguments.of("\\x00\\xff\\x7F", new byte[] {0, (byte) 0xff, 0x7f}),
                Arguments.of("\\0", new byte[] {0}),
                Arguments.of("é", new byte[] {(byte) 0xc3, (byte) 0xa9}),
                Arguments.of("\\x41BC", new byte[] {'A', 'B', 'C'}));
    }

    @ParameterizedTest
    @MethodSource("good")
    void decodes(String text, byte[] expected) {
        assertThat(Escapes.decode(text)).isEqualTo(expected);
    }

    static Stream<Arguments> bad() {
        return Stream.of(
                Arguments.of("end\\", "a lone backslash at the end (write \\\\ for one)"),
                Arguments.of("\\q", "unknown escape '\\q' (known: \\r \\n \\t \\0 \\\\ \\xHH)"),
                Arguments.of("\\x4", "'\\x4' is not \\x followed by two hex digits"),
                Arguments.of("\\xZZ", "'\\xZZ' is not \\x followed by two hex digits"));
    }

    @ParameterizedTest
    @MethodSource("bad")
    void rejects(String text, String message) {
        assertThatThrownBy(() -> Escapes.decode(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
