package dev.switchboard.proxy;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.proxy.ProxyResult.Accepted;
import dev.switchboard.proxy.ProxyResult.Reason;
import dev.switchboard.proxy.ProxyResult.Refused;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The PROXY header format by example: the spec's own lines and blocks, and each way to get it wrong. */
@Timeout(10)
class ProxyHeaderTest {

    private final ProxyHeaderReader reader = new ProxyHeaderReader();

    private static InetSocketAddress at(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    private ProxyResult parse(String s) {
        return reader.parse(s.getBytes(US_ASCII));
    }

    private static Reason reason(ProxyResult r) {
        assertThat(r).isInstanceOf(Refused.class);
        return ((Refused) r).reason();
    }

    @Test
    void v1Tcp4LineParses() throws Exception {
        ProxyResult r = parse("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n");
        assertThat(r).isEqualTo(new Accepted(new ProxyHeader.Proxied(
                at("192.168.0.1", 56324), at("192.168.0.11", 443), 1), 47));
    }

    @Test
    void v1Tcp6LineParsesInAnyRfc4291Form() throws Exception {
        ProxyResult r = parse("PROXY TCP6 2001:db8::1 0:0:0:0:0:0:0:1 65535 0\r\n");
        assertThat(r).isInstanceOf(Accepted.class);
        ProxyHeader.Proxied p = (ProxyHeader.Proxied) ((Accepted) r).header();
        assertThat(p.source()).isEqualTo(at("2001:db8::1", 65535));
        assertThat(p.destination()).isEqualTo(at("::1", 0));
    }

    @Test
    void v1UnknownIgnoresTheRestOfTheLine() {
        assertThat(parse("PROXY UNKNOWN\r\n")).isEqualTo(new Accepted(new ProxyHeader.Unknown(1), 15));
        assertThat(parse("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n"))
                .isInstanceOf(Accepted.class);
    }

    @Test
    void writerProducesTheSpecsLines() throws Exception {
        assertThat(new String(ProxyHeaderWriter.v1(at("192.168.0.1", 56324), at("192.168.0.11", 443)), US_ASCII))
                .isEqualTo("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n");
        assertThat(new String(ProxyHeaderWriter.v1(at("2001:db8:0:0:1:0:0:1", 1), at("::1", 2)), US_ASCII))
                .isEqualTo("PROXY TCP6 2001:db8::1:0:0:1 ::1 1 2\r\n");
        // An IPv4 caller of a dual-stack server: sent as TCP6 with the IPv4 address mapped.
        assertThat(new String(ProxyHeaderWriter.v1(at("10.0.0.1", 1), at("::1", 2)), US_ASCII))
                .isEqualTo("PROXY TCP6 ::ffff:a00:1 ::1 1 2\r\n");
        assertThatThrownBy(() -> ProxyHeaderWriter.write(new ProxyHeader.Local(), 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void v2BlockMatchesTheSpecsLayout() throws Exception {
        byte[] b = ProxyHeaderWriter.v2(at("10.1.2.3", 0x1234), at("10.9.8.7", 443));
        assertThat(HexFormat.of().formatHex(b)).isEqualTo(
                "0d0a0d0a000d0a515549540a" + "21" + "11" + "000c" + "0a010203" + "0a090807" + "1234" + "01bb");
        assertThat(reader.parse(b)).isEqualTo(new Accepted(new ProxyHeader.Proxied(
                at("10.1.2.3", 0x1234), at("10.9.8.7", 443), 2), 28));
    }

    @Test
    void bytesCapturedFromHaproxyParse() throws Exception {
        // HAProxy 2.6.12, "send-proxy-v2 check check-send-proxy": a health check, then a
        // relayed client, as a backend received them (captured with socat).
        HexFormat hex = HexFormat.of();
        assertThat(reader.parse(hex.parseHex("0d0a0d0a000d0a515549540a20000000")))
                .isEqualTo(new Accepted(new ProxyHeader.Local(), 16));
        byte[] relayed = hex.parseHex("0d0a0d0a000d0a515549540a2111000c7f0000017f000001b04042cc" + "68656c6c6f0a");
        assertThat(reader.parse(relayed)).isEqualTo(new Accepted(new ProxyHeader.Proxied(
                at("127.0.0.1", 45120), at("127.0.0.1", 17100), 2), 28));
        assertThat(ProxyHeaderWriter.v2(at("127.0.0.1", 45120), at("127.0.0.1", 17100)))
                .isEqualTo(java.util.Arrays.copyOf(relayed, 28));
    }

    @Test
    void v2LocalIsAcceptedWhateverItsFamilySays() {
        byte[] local = ProxyHeaderWriter.write(new ProxyHeader.Local());
        assertThat(reader.parse(local)).isEqualTo(new Accepted(new ProxyHeader.Local(), 16));
        byte[] withAddresses = v2(0x20, 0x11, new byte[12]);
        assertThat(reader.parse(withAddresses)).isEqualTo(new Accepted(new ProxyHeader.Local(), 28));
    }

    @Test
    void v2UnspecUnixAndUdpFallBackToTheRealAddresses() {
        assertThat(reader.parse(v2(0x21, 0x00, new byte[0]))).isEqualTo(new Accepted(new ProxyHeader.Unknown(2), 16));
        assertThat(reader.parse(v2(0x21, 0x31, new byte[216]))).isEqualTo(new Accepted(new ProxyHeader.Unknown(2), 232));
        assertThat(reader.parse(v2(0x21, 0x12, new byte[12]))).isEqualTo(new Accepted(new ProxyHeader.Unknown(2), 28));
    }

    @Test
    void v2TlvsAreSkippedButMustAddUp() {
        byte[] addr = new byte[12];
        assertThat(reader.parse(v2(0x21, 0x11, concat(addr, tlv(0x04, new byte[5]), tlv(0x05, new byte[0])))))
                .isInstanceOf(Accepted.class);
        byte[] lying = concat(addr, new byte[] {0x04, 0x00, 0x09, 1, 2, 3});
        assertThat(reason(reader.parse(v2(0x21, 0x11, lying)))).isEqualTo(Reason.MALFORMED);
        byte[] stray = concat(addr, new byte[] {0x04, 0x00});
        assertThat(reason(reader.parse(v2(0x21, 0x11, stray)))).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void v2Crc32cIsChecked() {
        byte[] body = concat(new byte[12], tlv(0x03, new byte[4]));
        byte[] header = v2(0x21, 0x11, body);
        CRC32C crc = new CRC32C();
        crc.update(header);
        long sum = crc.getValue();
        int at = header.length - 4;
        for (int i = 0; i < 4; i++) header[at + i] = (byte) (sum >> (24 - 8 * i));
        assertThat(reader.parse(header)).isInstanceOf(Accepted.class);
        header[20] ^= 1; // a changed address no longer matches the sum
        assertThat(reason(reader.parse(header))).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void v2RefusalsNameTheirReason() {
        byte[] ok = v2(0x21, 0x11, new byte[12]);
        byte[] v3 = ok.clone();
        v3[12] = 0x31;
        assertThat(reason(reader.parse(v3))).isEqualTo(Reason.UNKNOWN_VERSION);
        byte[] cmd = ok.clone();
        cmd[12] = 0x22;
        assertThat(reason(reader.parse(cmd))).isEqualTo(Reason.MALFORMED);
        byte[] family = ok.clone();
        family[13] = 0x41;
        assertThat(reason(reader.parse(family))).isEqualTo(Reason.MALFORMED);
        assertThat(reason(reader.parse(v2(0x21, 0x21, new byte[12])))).isEqualTo(Reason.MALFORMED); // IPv6 needs 36
        assertThat(reason(new ProxyHeaderReader(ProxyHeaderReader.DEFAULT_TIMEOUT, 100)
                .parse(v2(0x21, 0x11, new byte[101])))).isEqualTo(Reason.OVERSIZED);
    }

    @Test
    void v1RefusalsNameTheirReason() {
        assertThat(reason(parse("GET / HTTP/1.0\r\n\r\n"))).isEqualTo(Reason.MISSING);
        assertThat(reason(parse("PROXX TCP4"))).isEqualTo(Reason.MISSING);
        assertThat(reason(parse(""))).isEqualTo(Reason.CLOSED);
        assertThat(reason(parse("PROXY TCP4 1.2.3.4"))).isEqualTo(Reason.TRUNCATED);
        assertThat(reason(parse("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n"))).isEqualTo(Reason.MALFORMED);
        assertThat(reason(parse("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX"))).isEqualTo(Reason.MALFORMED);
        assertThat(reason(parse("PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n"))).isEqualTo(Reason.MALFORMED);
        assertThat(reason(parse("PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n"))).isEqualTo(Reason.MALFORMED);
        assertThat(reason(parse("PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n"))).isEqualTo(Reason.MALFORMED);
        assertThat(reason(parse("PROXY TCP4 ::1 5.6.7.8 1 2\r\n"))).isEqualTo(Reason.MALFORMED);
        assertThat(reason(parse("PROXY TCP6 1.2.3.4 ::1 1 2\r\n"))).isEqualTo(Reason.MALFORMED);
        assertThat(reason(parse("PROXY TCP6 ::1 1:2 1 2\r\n"))).isEqualTo(Reason.MALFORMED);
        assertThat(reason(parse("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n"))).isEqualTo(Reason.MALFORMED);
        assertThat(reason(parse("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n"))).isEqualTo(Reason.MALFORMED);
        assertThat(reason(parse("PROXY \r\n"))).isEqualTo(Reason.MALFORMED);
        assertThat(reason(parse("PROXY UNKNOWN " + "x".repeat(92) + "\r\n"))).isEqualTo(Reason.OVERSIZED);
        assertThat(parse("PROXY UNKNOWN " + "x".repeat(90) + "\r\n")).isInstanceOf(Accepted.class); // 107 exactly
    }

    @Test
    void refusalDetailEscapesWhatTheCallerSent() {
        ProxyResult r = parse("PROXY \u0007\u001b[2J\"evil\" 1 2 3 4\r\n");
        assertThat(r.toString()).startsWith("proxy-malformed: ").doesNotContain("\u001b").doesNotContain("\u0007");
    }

    static byte[] v2(int verCmd, int famProto, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ProxyDecoder.V2_SIGNATURE);
        out.writeBytes(new byte[] {(byte) verCmd, (byte) famProto, (byte) (body.length >> 8), (byte) body.length});
        out.writeBytes(body);
        return out.toByteArray();
    }

    static byte[] tlv(int type, byte[] value) {
        return concat(new byte[] {(byte) type, (byte) (value.length >> 8), (byte) value.length}, value);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
