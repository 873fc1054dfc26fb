package dev.switchboard.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.proxy.ProxyHeader;
import dev.switchboard.proxy.ProxyResult;
import dev.switchboard.server.RecordFormat;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs each benchmark's body once, outside JMH, and checks its answer, so that no benchmark
 * can go on timing a broken path (or one that does nothing). Speed is never asserted.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BenchmarkBodiesTest {

    @ParameterizedTest
    @ValueSource(strings = {"ipv4", "ipv6"})
    void greetRendersTheCallersAddress(String family) throws Exception {
        GreetBenchmark b = new GreetBenchmark();
        b.family = family;
        b.setup();
        String expected = family.equals("ipv4") ? "Hello, person from 198.51.100.33:51234\n"
                : "Hello, person from [2001:db8:4:2::33]:51234\n";

        assertThat(text(b.protocol())).isEqualTo(expected);
        assertThat(b.reply.closed()).isTrue();
        MemoryEndpoint served = b.blocking();
        assertThat(new String(served.written(), StandardCharsets.US_ASCII)).isEqualTo(expected);
        assertThat(served.finished()).as("half-closed and closed").isTrue();
        // Run again: the reused connection must serve the same again.
        assertThat(new String(b.blocking().written(), StandardCharsets.US_ASCII)).isEqualTo(expected);
    }

    @Test
    void echoAnswersWithTheBufferItRead() {
        EchoBenchmark b = new EchoBenchmark();
        b.setup();

        ByteBuffer answer = b.protocol();
        assertThat(bytes(answer)).isEqualTo(b.message);
        assertThat(answer).as("the read buffer itself, not a copy").isSameAs(b.read);
    }

    @Test
    void echoOverTheAdapterSendsEveryMessageBackInOrder() throws Exception {
        EchoBenchmark b = new EchoBenchmark();
        b.setup();
        MemoryEndpoint served = b.blocking();
        byte[] written = served.written();
        assertThat(served.finished()).as("half-closed and closed after the caller's EOF").isTrue();
        // The input, read back in the endpoint's own chunks.
        MemoryEndpoint source = served.reset();
        byte[] input = new byte[written.length];
        ByteBuffer all = ByteBuffer.wrap(input);
        while (source.read(all) > 0) {
            // one message per read
        }
        assertThat(written).hasSize(EchoBenchmark.MESSAGE * EchoBenchmark.MESSAGES).isEqualTo(input);
    }

    @Test
    void chargenHandsOutWholeRotationsOfLines() {
        ChargenBenchmark b = new ChargenBenchmark();
        ByteBuffer block = b.drained();

        assertThat(b.reply.drainWanted()).isTrue();
        assertThat(block.remaining() % (95 * 74)).isZero();
        byte[] first = new byte[74];
        block.duplicate().get(first);
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < 72; c++) line.append((char) (' ' + c));
        assertThat(new String(first, StandardCharsets.US_ASCII)).isEqualTo(line + "\r\n");
        assertThat(b.drained().remaining()).as("the next write is as long").isEqualTo(block.remaining());
    }

    @Test
    void daytimeAndTimeTellTheClocksTime() {
        ClockServicesBenchmark b = new ClockServicesBenchmark();
        Instant at = Instant.parse("2026-11-25T19:10:15Z");
        b.clock = Clock.fixed(at, ZoneOffset.UTC);

        assertThat(text(b.daytime())).isEqualTo("Wed, 25 Nov 2026 19:10:15 GMT\r\n");
        assertThat(b.reply.closed()).isTrue();
        ByteBuffer time = b.time();
        assertThat(time.remaining()).isEqualTo(4);
        assertThat(Integer.toUnsignedLong(time.getInt(0))).isEqualTo((at.getEpochSecond() + 2_208_988_800L) & 0xFFFF_FFFFL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1-ipv4", "v1-ipv6", "v2-ipv4", "v2-ipv6"})
    void proxyHeaderDecodesToTheCallerAndStopsAtItsEnd(String header) throws Exception {
        ProxyHeaderBenchmark b = new ProxyHeaderBenchmark();
        b.header = header;
        b.setup();

        ProxyResult result = b.decode();
        assertThat(result).isInstanceOf(ProxyResult.Accepted.class);
        ProxyResult.Accepted accepted = (ProxyResult.Accepted) result;
        assertThat(accepted.length()).isEqualTo(b.headerLength).isLessThan(b.wire.length);
        ProxyHeader.Proxied proxied = (ProxyHeader.Proxied) accepted.header();
        boolean v6 = header.endsWith("ipv6");
        assertThat(proxied.source().getAddress())
                .isEqualTo(InetAddress.getByName(v6 ? "2001:db8:4:2::33" : "198.51.100.33"));
        assertThat(proxied.source().getPort()).isEqualTo(51234);
        assertThat(proxied.destination().getAddress()).isEqualTo(InetAddress.getByName(v6 ? "2001:db8::1" : "192.0.2.1"));
        assertThat(proxied.destination().getPort()).isEqualTo(443);
        assertThat(proxied.version()).isEqualTo(header.startsWith("v1") ? 1 : 2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.1.2.3", "2001:db8:4:2::33"})
    void accessRulesAdmitTheBenchmarkedCaller(String caller) throws Exception {
        AccessRulesBenchmark b = new AccessRulesBenchmark();
        b.caller = caller;
        b.setup();

        assertThat(b.admits()).isTrue();
        assertThat(b.rules.allow().size() + b.rules.deny().size()).isEqualTo(10);
        // The same rules really deny: the benchmark's "true" is a verdict, not a default.
        assertThat(b.rules.admits(InetAddress.getByName(caller.contains(":") ? "2001:db8:bad::1" : "10.66.1.2")))
                .isFalse();
        assertThat(b.rules.admits(InetAddress.getByName(caller.contains(":") ? "2001:db9::1" : "8.8.8.8"))).isFalse();
    }

    @Test
    void recordLinesAreExact() {
        RecordFormatBenchmark b = new RecordFormatBenchmark();
        b.format = RecordFormat.KV;
        b.setup();
        assertThat(b.line()).isEqualTo("event=close id=1234 remote=198.51.100.33:51234 local=192.0.2.1:7000"
                + " service=echo model=loop in=6400 out=6400 ms=12 outcome=ok via=127.0.0.1:40312");
        b.format = RecordFormat.JSON;
        assertThat(b.line()).isEqualTo("{\"event\":\"close\",\"id\":1234,\"remote\":\"198.51.100.33:51234\","
                + "\"local\":\"192.0.2.1:7000\",\"service\":\"echo\",\"model\":\"loop\",\"in\":6400,\"out\":6400,"
                + "\"ms\":12,\"outcome\":\"ok\",\"via\":\"127.0.0.1:40312\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"loop", "virtual"})
    void loopbackEchoRoundTripsOverARealServer(String model) throws Exception {
        LoopbackEchoBenchmark b = new LoopbackEchoBenchmark();
        LoopbackEchoBenchmark.Server server = new LoopbackEchoBenchmark.Server();
        server.model = model;
        server.start();
        LoopbackEchoBenchmark.Client client = new LoopbackEchoBenchmark.Client();
        try {
            client.connect(server);
            assertThat(server.server.localAddress().getAddress().isLoopbackAddress()).isTrue();
            for (int i = 0; i < 3; i++) {
                assertThat(bytes(b.roundTrip(client))).isEqualTo(client.message.array());
            }
        } finally {
            if (client.channel != null) client.close();
            server.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fast", "jdk"})
    void execConnectionsGetTheProgramsAnswerEitherWay(String spawn) throws Exception {
        ExecConnectionBenchmark b = new ExecConnectionBenchmark();
        ExecConnectionBenchmark.Server server = new ExecConnectionBenchmark.Server();
        server.spawn = spawn;
        server.start();
        try {
            for (int i = 0; i < 3; i++) {
                assertThat(text(b.connection(server))).isEqualTo(ExecConnectionBenchmark.ANSWER);
            }
        } finally {
            server.stop();
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static String text(ByteBuffer b) {
        return new String(bytes(b), StandardCharsets.US_ASCII);
    }
}
