package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The small parsers behind the options: ports, port lists, seconds, --crlf. */
class OptionParsingTest {

    @Test
    void portsAreNumbersUpTo65535() {
        assertThat(PortConverter.parse("0")).isZero();
        assertThat(PortConverter.parse("65535")).isEqualTo(65535);
        assertThatThrownBy(() -> PortConverter.parse("65536")).hasMessage("port 65536 is out of range (0-65535)");
        assertThatThrownBy(() -> PortConverter.parse("abc")).hasMessage("'abc' is not a port number (0-65535)");
        assertThatThrownBy(() -> PortConverter.parse("-1")).isInstanceOf(CommandLine.TypeConversionException.class);
        assertThatThrownBy(() -> PortConverter.parse("99999999999")).isInstanceOf(CommandLine.TypeConversionException.class);
    }

    @Test
    void portListsTakeNumbersAndRangesInOrderWithoutDuplicates() {
        assertThat(PortList.parse("8000-8003,22,80,22").ports()).containsExactly(22, 80, 8000, 8001, 8002, 8003);
        assertThat(PortList.parse("1-65535").ports()).hasSize(65535);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "22,", "10-5", "0", "1-70000", "a-b", "22,,80"})
    void badPortListsAreRejected(String spec) {
        assertThatThrownBy(() -> PortList.parse(spec)).isInstanceOf(CommandLine.TypeConversionException.class);
    }

    @Test
    void secondsMayHaveDecimals() {
        SecondsConverter c = new SecondsConverter();
        assertThat(c.convert("5")).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.convert("0.25")).isEqualTo(Duration.ofMillis(250));
        assertThat(c.convert("1.5")).isEqualTo(Duration.ofMillis(1500));
        assertThat(SecondsConverter.format(Duration.ofSeconds(5))).isEqualTo("5s");
        assertThat(SecondsConverter.format(Duration.ofMillis(300))).isEqualTo("0.3s");
        for (String bad : new String[] {"0", "-1", "abc", "0.0001", "1e9"}) {
            assertThatThrownBy(() -> c.convert(bad)).as(bad).isInstanceOf(CommandLine.TypeConversionException.class);
        }
    }

    @Test
    void crlfTurnsLfIntoCrlfButLeavesCrlfAlone() throws IOException {
        assertThat(crlf("a\nb\r\nc\n\n", 64)).isEqualTo("a\r\nb\r\nc\r\n\r\n");
        // One byte of room at a time must give the same bytes.
        assertThat(crlf("a\nb\r\nc\n\n", 1)).isEqualTo("a\r\nb\r\nc\r\n\r\n");
        assertThat(crlf("no newline", 3)).isEqualTo("no newline");
    }

    private static String crlf(String input, int chunk) throws IOException {
        InputStream in = new CrlfInputStream(new ByteArrayInputStream(input.getBytes(StandardCharsets.US_ASCII)));
        StringBuilder out = new StringBuilder();
        byte[] buf = new byte[chunk];
        int n;
        while ((n = in.read(buf, 0, chunk)) >= 0) {
            out.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
        }
        return out.toString();
    }
}
