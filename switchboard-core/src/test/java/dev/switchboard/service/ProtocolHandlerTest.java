package dev.switchboard.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.io.Endpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The blocking adapter keeps the Protocol contract, checked over an in-memory endpoint. */
@Timeout(10)
class ProtocolHandlerTest {

    /** Scripted reads; records every call in order, so the test sees what came before what. */
    static class ScriptedEndpoint implements Endpoint {
        final ArrayDeque<String> reads = new ArrayDeque<>();
        final List<String> calls = new ArrayList<>();

        ScriptedEndpoint(String... chunks) {
            reads.addAll(List.of(chunks));
        }

        @Override
        public int read(ByteBuffer dst) {
            String next = reads.poll();
            calls.add("read");
            if (next == null) return -1;
            dst.put(next.getBytes(StandardCharsets.US_ASCII));
            return next.length();
        }

        @Override
        public void write(ByteBuffer src) {
            byte[] b = new byte[src.remaining()];
            src.get(b);
            calls.add("write " + new String(b, StandardCharsets.US_ASCII));
        }

        @Override
        public void shutdownOutput() {
            calls.add("shutdownOutput");
        }

        @Override
        public void abort() {
            calls.add("abort");
        }

        @Override
        public void close() {
            calls.add("close");
        }
    }

    @Test
    void echoWritesEachChunkBeforeReadingTheNextAndClosesAfterEof() throws IOException {
        ScriptedEndpoint io = new ScriptedEndpoint("one", "two");
        ProtocolHandler.drive(new Echo(), io);
        assertThat(io.calls).containsExactly(
                "read", "write one", "read", "write two", "read", "shutdownOutput", "close");
    }

    @Test
    void greetWritesThenHalfClosesThenClosesWithoutReading() throws IOException {
        ScriptedEndpoint io = new ScriptedEndpoint("ignored");
        ProtocolHandler.drive(new Greet(ByteBuffer.wrap("hi\n".getBytes(StandardCharsets.US_ASCII))), io);
        assertThat(io.calls).containsExactly("write hi\n", "shutdownOutput", "close");
    }

    @Test
    void drainedComesOnlyAfterEverythingSentIsWritten() throws IOException {
        ScriptedEndpoint io = new ScriptedEndpoint();
        List<String> events = new ArrayList<>();
        Protocol counter = new Protocol() {
            int drains;

            @Override
            public void opened(Reply reply) {
                reply.send(ByteBuffer.wrap("a".getBytes(StandardCharsets.US_ASCII)));
                reply.send(ByteBuffer.wrap("b".getBytes(StandardCharsets.US_ASCII)));
                reply.whenDrained();
            }

            @Override
            public void received(ByteBuffer data, Reply reply) {
            }

            @Override
            public void drained(Reply reply) {
                events.add("drained after " + io.calls);
                if (++drains < 2) {
                    reply.send(ByteBuffer.wrap("c".getBytes(StandardCharsets.US_ASCII)));
                    reply.whenDrained();
                } else {
                    reply.close();
                }
            }
        };
        ProtocolHandler.drive(counter, io);
        assertThat(events).containsExactly("drained after [write a, write b]",
                "drained after [write a, write b, write c]");
        assertThat(io.calls).containsExactly("write a", "write b", "write c", "shutdownOutput", "close");
    }

    @Test
    void aProtocolSilentAfterEofIsClosedRatherThanLeftHanging() throws IOException {
        ScriptedEndpoint io = new ScriptedEndpoint("x");
        Protocol mute = new Protocol() {
            @Override
            public void opened(Reply reply) {
            }

            @Override
            public void received(ByteBuffer data, Reply reply) {
                data.position(data.limit());
            }

            @Override
            public void ended(Reply reply) {
                // neither sends nor closes
            }
        };
        ProtocolHandler.drive(mute, io);
        assertThat(io.calls).containsExactly("read", "read", "shutdownOutput", "close");
    }

    @Test
    void chargenKeepsStreamingAfterTheCallersHalfCloseUntilAWriteFails() {
        int[] writes = {0};
        ScriptedEndpoint io = new ScriptedEndpoint() {
            @Override
            public void write(ByteBuffer src) {
                if (++writes[0] > 3) throw new java.io.UncheckedIOException(new IOException("Broken pipe"));
                src.position(src.limit());
            }
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProtocolHandler.drive(new Chargen(), io))
                .hasMessageContaining("Broken pipe");
        assertThat(writes[0]).isEqualTo(4);
        assertThat(io.calls).doesNotContain("read"); // chargen never waits for input
    }
}
