package dev.switchboard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.proxy.ProxyResult.Accepted;
import dev.switchboard.proxy.ProxyResult.Reason;
import dev.switchboard.proxy.ProxyResult.Refused;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Properties of the PROXY reader and writer (jqwik): every header round-trips, arrives intact
 * however it is chunked, and never costs the service a byte; every truncation, lie and random
 * input is refused as a result, never thrown. The fuzz property takes its try count from
 * {@code jqwik.tries.default} (10,000 in the suite; see README, "Tests and the fuzz", for a longer run).
 */
class ProxyHeaderPropertiesTest {

    private final ProxyHeaderReader reader = new ProxyHeaderReader();

    @Property(tries = 2000)
    void everyHeaderRoundTripsAndLeavesTheDataAfterIt(@ForAll("headers") ProxyHeader h, @ForAll("payloads") byte[] payload)
            throws IOException {
        byte[] header = ProxyHeaderWriter.write(h);
        InputStream in = new ByteArrayInputStream(concat(header, payload));
        assertThat(reader.read(in)).isEqualTo(new Accepted(h, header.length));
        assertThat(in.readAllBytes()).isEqualTo(payload);
    }

    @Property(tries = 1000)
    void headersDribbledOneByteAtATimeParse(@ForAll("headers") ProxyHeader h, @ForAll("payloads") byte[] payload)
            throws IOException {
        byte[] header = ProxyHeaderWriter.write(h);
        OneByteAtATime in = new OneByteAtATime(concat(header, payload));
        assertThat(reader.read(in)).isEqualTo(new Accepted(h, header.length));
        assertThat(in.readAllBytes()).isEqualTo(payload);
    }

    @Property(tries = 1000)
    void everyTruncationIsRefusedAsTruncated(@ForAll("headers") ProxyHeader h) {
        byte[] header = ProxyHeaderWriter.write(h);
        for (int k = 0; k < header.length; k++) {
            ProxyResult r = reader.parse(Arrays.copyOf(header, k));
            assertThat(r).as("first %d of %d bytes", k, header.length).isInstanceOf(Refused.class);
            assertThat(((Refused) r).reason()).isEqualTo(k == 0 ? Reason.CLOSED : Reason.TRUNCATED);
        }
    }

    @Property(tries = 2000)
    void v2WithALyingLengthIsRefused(@ForAll("tcpHeaders") ProxyHeader.Proxied h, @ForAll @IntRange(max = 65535) int claimed) {
        byte[] header = ProxyHeaderWriter.v2(h.source(), h.destination());
        int actual = header.length - 16;
        if (claimed == actual) return;
        header[14] = (byte) (claimed >> 8);
        header[15] = (byte) claimed;
        ProxyResult r = reader.parse(header);
        Reason expected = claimed > ProxyHeaderReader.DEFAULT_MAX_V2_LENGTH ? Reason.OVERSIZED
                : claimed < actual ? Reason.MALFORMED : Reason.TRUNCATED;
        assertThat(r).isInstanceOf(Refused.class);
        assertThat(((Refused) r).reason()).isEqualTo(expected);
    }

    @Property(tries = 2000)
    void v2WithATlvThatOverrunsIsRefused(@ForAll("tcpHeaders") ProxyHeader.Proxied h,
                                         @ForAll @IntRange(max = 200) int valueLength, @ForAll @IntRange(min = 1, max = 60000) int lie) {
        byte[] header = ProxyHeaderWriter.v2(h.source(), h.destination());
        int claimed = valueLength + lie;
        byte[] tlv = new byte[3 + valueLength];
        tlv[0] = 0x04;
        tlv[1] = (byte) (claimed >> 8);
        tlv[2] = (byte) claimed;
        byte[] all = concat(header, tlv);
        int blockLength = all.length - 16;
        all[14] = (byte) (blockLength >> 8);
        all[15] = (byte) blockLength;
        ProxyResult r = reader.parse(all);
        assertThat(r).isInstanceOf(Refused.class);
        assertThat(((Refused) r).reason()).isEqualTo(Reason.MALFORMED);
    }

    @Property(tries = 1000)
    void v1LinesPastTheLimitAreOversized(@ForAll("longLines") String rest) {
        ProxyResult r = reader.parse(("PROXY " + rest).getBytes(StandardCharsets.ISO_8859_1));
        assertThat(r).isInstanceOf(Refused.class);
        assertThat(((Refused) r).reason()).isEqualTo(Reason.OVERSIZED);
    }

    /** The fuzz: anything at all is a clean verdict, and an accepted header cost exactly its length. */
    @Property
    void anyInputGetsACleanVerdict(@ForAll("noise") byte[] input) throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(input);
        ProxyResult r = reader.read(in);
        switch (r) {
            case Accepted a -> {
                assertThat(a.length()).isBetween(ProxyDecoder.V1_MIN, input.length);
                assertThat(in.available()).isEqualTo(input.length - a.length());
                if (a.header() instanceof ProxyHeader.Proxied p) {
                    assertThat(reader.parse(ProxyHeaderWriter.write(p)).toString()).isEqualTo(
                            new Accepted(p, ProxyHeaderWriter.write(p).length).toString());
                }
            }
            case Refused f -> assertThat(f.toString()).matches("proxy-[a-z-]+: [\\x20-\\x7e]+");
        }
    }

    @Provide
    Arbitrary<ProxyHeader> headers() {
        return Arbitraries.oneOf(tcpHeaders().map(h -> (ProxyHeader) h),
                Arbitraries.just(new ProxyHeader.Local()),
                Arbitraries.of(1, 2).map(ProxyHeader.Unknown::new));
    }

    @Provide
    Arbitrary<ProxyHeader.Proxied> tcpHeaders() {
        Arbitrary<Integer> version = Arbitraries.of(1, 2);
        Arbitrary<ProxyHeader.Proxied> v4 = Combinators.combine(address(4), address(4), version)
                .as(ProxyHeader.Proxied::new);
        Arbitrary<ProxyHeader.Proxied> v6 = Combinators.combine(address(16), address(16), version)
                .as(ProxyHeader.Proxied::new);
        return Arbitraries.oneOf(v4, v6);
    }

    @Provide
    Arbitrary<byte[]> payloads() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
    }

    @Provide
    Arbitrary<String> longLines() {
        return Arbitraries.strings().ascii().excludeChars('\r', '\n').ofMinLength(102).ofMaxLength(400);
    }

    @Provide
    Arbitrary<byte[]> noise() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
        Arbitrary<byte[]> v1ish = Arbitraries.strings().withChars("PROXY TCP46UNKOWabcdef0123456789.:\r\n\t\0")
                .ofMaxLength(130).map(s -> ("PROXY " + s).getBytes(StandardCharsets.ISO_8859_1));
        // Mostly version 2 with a known command and family, so the fuzz gets past the first checks.
        Arbitrary<Byte> verCmds = Arbitraries.oneOf(Arbitraries.bytes(), Arbitraries.of((byte) 0x20, (byte) 0x21, (byte) 0x22));
        Arbitrary<Byte> families = Arbitraries.oneOf(Arbitraries.bytes(),
                Arbitraries.of((byte) 0x00, (byte) 0x11, (byte) 0x12, (byte) 0x21, (byte) 0x22, (byte) 0x31));
        Arbitrary<byte[]> v2ish = Combinators.combine(verCmds, families,
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(300), Arbitraries.integers().between(-3, 3))
                .as((verCmd, fam, body, skew) -> v2(verCmd, fam, body, skew));
        Arbitrary<byte[]> mutated = Combinators.combine(headers(), payloads(),
                        Arbitraries.integers().between(0, 120).list().ofMinSize(1).ofMaxSize(4),
                        Arbitraries.bytes().list().ofSize(4))
                .as(ProxyHeaderPropertiesTest::mutate);
        return Arbitraries.oneOf(random, v1ish, v2ish, mutated);
    }

    private static byte[] mutate(ProxyHeader h, byte[] payload, List<Integer> at, List<Byte> values) {
        byte[] b = concat(ProxyHeaderWriter.write(h), payload);
        for (int i = 0; i < at.size(); i++) {
            b[at.get(i) % b.length] = values.get(i);
        }
        return b;
    }

    private static byte[] v2(byte verCmd, byte fam, byte[] body, int skew) {
        int len = Math.max(0, body.length + skew);
        return concat(ProxyDecoder.V2_SIGNATURE, new byte[] {verCmd, fam, (byte) (len >> 8), (byte) len}, body);
    }

    private static Arbitrary<InetSocketAddress> address(int size) {
        return Combinators.combine(Arbitraries.bytes().array(byte[].class).ofSize(size), Arbitraries.integers().between(0, 65535))
                .as((bytes, port) -> new InetSocketAddress(inet(bytes), port));
    }

    private static InetAddress inet(byte[] b) {
        try {
            return b.length == 16 ? Inet6Address.getByAddress(null, b, -1) : InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] concat(byte[]... parts) {
        return ProxyHeaderTest.concat(parts);
    }

    /** A stream that never gives more than one byte per read, like a peer writing byte by byte. */
    private static final class OneByteAtATime extends ByteArrayInputStream {
        OneByteAtATime(byte[] b) {
            super(b);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 1));
        }
    }
}
