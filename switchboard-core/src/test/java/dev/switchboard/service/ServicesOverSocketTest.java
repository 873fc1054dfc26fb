package dev.switchboard.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.client.Dialer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each service through the blocking adapter over a real loopback connection. */
@Timeout(20)
class ServicesOverSocketTest {

    static ProtocolHandler handler(Service service) {
        return new ProtocolHandler(service.factory(Service.Options.DEFAULTS));
    }

    @Test
    void greetTellsTheCallerItsOwnAddress() throws Exception {
        try (Loopback l = new Loopback()) {
            CompletableFuture<Void> served = l.serve(handler(Service.GREET));
            String text = new String(l.readAll(), StandardCharsets.US_ASCII);
            assertThat(text).isEqualTo("Hello, person from " + Dialer.hostPort(l.clientAddress()) + "\n");
            served.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCallerThatSpeaksFirstStillGetsTheWholeGreetingAndACleanEnd() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (Loopback l = new Loopback()) {
                // The caller's bytes are waiting, unread, when greet closes: a plain close would
                // answer them with a reset, which can destroy the greeting in the caller's buffer.
                l.write("hello there\n".getBytes(StandardCharsets.US_ASCII));
                CompletableFuture<Void> served = l.serve(handler(Service.GREET));
                l.write("more\n".getBytes(StandardCharsets.US_ASCII));
                String text = new String(l.readAll(), StandardCharsets.US_ASCII);
                assertThat(text).startsWith("Hello, person from ");
                l.client.close();
                served.get(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void echoReturnsOneMebibyteOfRandomBytesExactly() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(42).nextBytes(data);
        try (Loopback l = new Loopback()) {
            CompletableFuture<Void> served = l.serve(handler(Service.ECHO));
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    l.write(data);
                    l.client.shutdownOutput();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            byte[] back = l.readAll();
            writer.join();
            assertThat(back).isEqualTo(data);
            served.get(5, TimeUnit.SECONDS);
            assertThat(l.connection.bytesIn()).isEqualTo(data.length);
            assertThat(l.connection.bytesOut()).isEqualTo(data.length);
        }
    }

    @Test
    void discardSendsNothingAndClosesAfterTheCallersEof() throws Exception {
        try (Loopback l = new Loopback()) {
            CompletableFuture<Void> served = l.serve(handler(Service.DISCARD));
            l.write(new byte[100_000]);
            l.client.shutdownOutput();
            assertThat(l.readAll()).isEmpty();
            served.get(5, TimeUnit.SECONDS);
            assertThat(l.connection.bytesIn()).isEqualTo(100_000);
        }
    }

    @Test
    void chargenStreamsTheRfcLinesUntilTheCallerLeaves() throws Exception {
        try (Loopback l = new Loopback()) {
            CompletableFuture<Void> served = l.serve(handler(Service.CHARGEN));
            byte[] first = l.read(74 * 200);
            String[] lines = new String(first, StandardCharsets.US_ASCII).split("\r\n");
            assertThat(lines[0]).startsWith(" !\"#$%&'()*+,-./0123").hasSize(72);
            assertThat(lines[199]).isEqualTo(lines[199 - 95]);
            l.client.close();
            // The server notices on a later write; the handler ends (with the write's error).
            assertThat(served).failsWithin(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void daytimeSendsOneCrlfLine() throws Exception {
        try (Loopback l = new Loopback()) {
            l.serve(handler(Service.DAYTIME));
            String text = new String(l.readAll(), StandardCharsets.US_ASCII);
            assertThat(text).matches("[A-Z][a-z]{2}, \\d{1,2} [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d .+\r\n");
        }
    }

    @Test
    void timeSendsFourBytesNearNow() throws Exception {
        try (Loopback l = new Loopback()) {
            l.serve(handler(Service.TIME));
            byte[] bytes = l.readAll();
            assertThat(bytes).hasSize(4);
            long since1900 = ByteBuffer.wrap(bytes).getInt() & 0xFFFF_FFFFL;
            long now = Instant.now().getEpochSecond() + Time.EPOCH_OFFSET;
            assertThat(since1900).isBetween((now - 5) & 0xFFFF_FFFFL, (now + 5) & 0xFFFF_FFFFL);
        }
    }
}
