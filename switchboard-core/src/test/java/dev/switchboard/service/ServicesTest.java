package dev.switchboard.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each built-in service's bytes exactly as its RFC says, driven through a fake reply: no sockets. */
@Timeout(10)
class ServicesTest {

    static final InetSocketAddress LOCAL = address("192.0.2.1", 9234);
    static final InetSocketAddress REMOTE = address("10.0.0.7", 4242);

    static InetSocketAddress address(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static FakeReply open(Protocol protocol) {
        FakeReply reply = new FakeReply();
        protocol.opened(reply);
        return reply;
    }

    @Test
    void greetSaysHelloWithTheCallersAddressAndCloses() {
        FakeReply reply = open(Service.GREET.create(Service.Options.DEFAULTS, LOCAL, REMOTE));
        assertThat(reply.text()).isEqualTo("Hello, person from 10.0.0.7:4242\n");
        assertThat(reply.closed).isTrue();
    }

    @Test
    void greetBracketsAnIpv6Caller() {
        FakeReply reply = open(Service.GREET.create(Service.Options.DEFAULTS, LOCAL, address("::1", 5)));
        assertThat(reply.text()).isEqualTo("Hello, person from [::1]:5\n");
    }

    @Test
    void greetFillsEveryPlaceholderAndEscape() {
        String template = "{remote}|{remote_ip}|{remote_port}|{local}|{local_ip}|{local_port}\\tx\\\\y\\r";
        FakeReply reply = open(Service.GREET.create(Service.Options.message(template), LOCAL, REMOTE));
        assertThat(reply.text())
                .isEqualTo("10.0.0.7:4242|10.0.0.7|4242|192.0.2.1:9234|192.0.2.1|9234\tx\\y\r\n");
    }

    @Test
    void greetWithoutPlaceholdersSharesOneBufferSafely() {
        GreetTemplate template = GreetTemplate.parse("welcome");
        ByteBuffer first = template.render(LOCAL, REMOTE);
        first.position(first.limit()); // as if written
        assertThat(StandardCharsets.UTF_8.decode(template.render(LOCAL, REMOTE)).toString()).isEqualTo("welcome\n");
    }

    @Test
    void greetRejectsAnUnknownPlaceholderNamingIt() {
        assertThatThrownBy(() -> GreetTemplate.parse("hi {remote_host}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("{remote_host}").hasMessageContaining("{remote_ip}");
        assertThatThrownBy(() -> GreetTemplate.parse("bad \\q")).hasMessageContaining("\\q");
    }

    @Test
    void greetEncodesUtf8() {
        FakeReply reply = open(Service.GREET.create(Service.Options.message("grüß {remote_port}"), LOCAL, REMOTE));
        assertThat(reply.bytes()).isEqualTo("grüß 4242\n".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void echoSendsBackTheBufferItWasGivenAndClosesAtEof() {
        Protocol echo = Service.ECHO.create(Service.Options.DEFAULTS, LOCAL, REMOTE);
        FakeReply reply = open(echo);
        assertThat(reply.sent).isEmpty();
        ByteBuffer data = ByteBuffer.wrap("ping\r\n".getBytes(StandardCharsets.US_ASCII));
        echo.received(data, reply);
        assertThat(reply.sent).containsExactly(data);
        assertThat(reply.text()).isEqualTo("ping\r\n");
        assertThat(reply.closed).isFalse();
        echo.ended(reply);
        assertThat(reply.closed).isTrue();
    }

    @Test
    void discardConsumesEverythingSendsNothingAndClosesAtEof() {
        Protocol discard = Service.DISCARD.create(Service.Options.DEFAULTS, LOCAL, REMOTE);
        FakeReply reply = open(discard);
        ByteBuffer data = ByteBuffer.wrap(new byte[1000]);
        discard.received(data, reply);
        assertThat(data.hasRemaining()).isFalse();
        assertThat(reply.sent).isEmpty();
        discard.ended(reply);
        assertThat(reply.closed).isTrue();
    }

    @Test
    void chargenFirstLinesAreTheRfcsPattern() {
        Protocol chargen = Service.CHARGEN.create(Service.Options.DEFAULTS, LOCAL, REMOTE);
        FakeReply reply = open(chargen);
        assertThat(reply.drainWanted).isTrue();
        String[] lines = reply.text().split("\r\n", -1);
        assertThat(lines[0]).isEqualTo(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg");
        assertThat(lines[1]).isEqualTo("!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh");
        assertThat(lines[2]).isEqualTo("\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghi");
        // The line starting at '~' wraps round to the start of the printable set.
        assertThat(lines[94]).isEqualTo("~ !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdef");
        assertThat(lines[95]).isEqualTo(lines[0]);
    }

    @Test
    void chargenRotatesByOneEveryLineAcrossWritesAndIgnoresInputAndHalfClose() {
        Protocol chargen = Service.CHARGEN.create(Service.Options.DEFAULTS, LOCAL, REMOTE);
        FakeReply reply = open(chargen);
        chargen.received(ByteBuffer.wrap(new byte[10]), reply);
        chargen.ended(reply);
        assertThat(reply.closed).isFalse();
        reply.drainWanted = false;
        chargen.drained(reply);
        assertThat(reply.drainWanted).isTrue();
        assertThat(reply.sent).hasSize(2);
        byte[] all = reply.bytes();
        assertThat(all.length % 74).isZero();
        for (int line = 0; line < all.length / 74; line++) {
            int at = line * 74;
            assertThat(all[at]).as("first char of line %d", line).isEqualTo((byte) (' ' + line % 95));
            for (int col = 0; col < 72; col++) {
                assertThat(all[at + col]).isEqualTo((byte) (' ' + (line + col) % 95));
            }
            assertThat(all[at + 72]).isEqualTo((byte) '\r');
            assertThat(all[at + 73]).isEqualTo((byte) '\n');
        }
    }

    @Test
    void daytimeSendsOneHumanReadableLineWithCrlfAndCloses() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-25T19:10:15Z"), ZoneOffset.UTC);
        FakeReply reply = open(Service.DAYTIME.create(new Service.Options(null, clock), LOCAL, REMOTE));
        assertThat(reply.text()).isEqualTo("Wed, 25 Nov 2026 19:10:15 GMT\r\n");
        assertThat(reply.closed).isTrue();
    }

    @Test
    void timeSendsSecondsSince1900AsFourBigEndianBytesAndCloses() {
        Clock unixEpoch = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
        FakeReply reply = open(Service.TIME.create(new Service.Options(null, unixEpoch), LOCAL, REMOTE));
        // 2,208,988,800 = 0x83AA7E80: the RFC's "1-Jan-1970 00:00:00 GMT" example value.
        assertThat(reply.bytes()).containsExactly(0x83, 0xAA, 0x7E, 0x80);
        assertThat(reply.closed).isTrue();

        Clock rfcExample = Clock.fixed(Instant.parse("1976-01-01T00:00:00Z"), ZoneOffset.UTC);
        FakeReply later = open(Service.TIME.create(new Service.Options(null, rfcExample), LOCAL, REMOTE));
        long seconds = ByteBuffer.wrap(later.bytes()).getInt() & 0xFFFF_FFFFL;
        assertThat(seconds).isEqualTo(2_398_291_200L); // RFC 868: "00:00 1 Jan 1976 GMT"
    }

    @Test
    void catalogueKnowsEveryNameCaseInsensitively() {
        assertThat(Service.names()).isEqualTo("greet, echo, discard, chargen, daytime, time");
        assertThat(Service.named("CHARGEN")).contains(Service.CHARGEN);
        assertThat(Service.named("exec")).isEmpty();
        for (Service s : Service.values()) {
            assertThat(s.description()).isNotBlank();
        }
    }
}
