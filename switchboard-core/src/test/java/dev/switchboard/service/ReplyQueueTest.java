package dev.switchboard.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The queue both drivers share, with a sink that takes only part of what it is given, as a
 * non-blocking socket does: order kept, the lent read buffer copied out before it is reused,
 * drain rounds bounded, and the half-close only after the last byte.
 */
@Timeout(10)
class ReplyQueueTest {

    /** A socket that takes at most {@code room} bytes per write. */
    static final class NarrowSink implements ReplyQueue.Sink {
        final ByteArrayOutputStream taken = new ByteArrayOutputStream();
        int room;

        NarrowSink(int room) {
            this.room = room;
        }

        @Override
        public void write(ByteBuffer bytes) {
            int n = Math.min(room, bytes.remaining());
            byte[] b = new byte[n];
            bytes.get(b);
            taken.writeBytes(b);
        }

        String text() {
            return taken.toString(StandardCharsets.US_ASCII);
        }
    }

    @Test
    void whatTheSocketDidNotTakeOfTheLentBufferSurvivesTheNextRead() throws Exception {
        ByteBuffer lent = ByteBuffer.allocate(16);
        ReplyQueue replies = new ReplyQueue(new Echo(), lent);
        NarrowSink sink = new NarrowSink(2);
        replies.opened();
        lent.put("hello".getBytes(StandardCharsets.US_ASCII)).flip();
        replies.received(lent);

        assertThat(replies.flush(sink, 16)).isEqualTo(ReplyQueue.Next.WRITE);
        lent.clear().put("XXXXX".getBytes(StandardCharsets.US_ASCII)); // the driver reads the next connection into it
        sink.room = 100;
        assertThat(replies.flush(sink, 16)).isEqualTo(ReplyQueue.Next.READ);
        assertThat(sink.text()).isEqualTo("hello");
    }

    @Test
    void aGreetingIsWrittenWholeBeforeTheHalfClose() throws Exception {
        ReplyQueue replies = new ReplyQueue(new Greet(ByteBuffer.wrap("Hello\n".getBytes(StandardCharsets.US_ASCII))));
        NarrowSink sink = new NarrowSink(4);
        replies.opened();
        assertThat(replies.flush(sink, 16)).isEqualTo(ReplyQueue.Next.WRITE);
        sink.room = 4;
        assertThat(replies.flush(sink, 16)).isEqualTo(ReplyQueue.Next.FINISH);
        assertThat(sink.text()).isEqualTo("Hello\n");
        assertThat(replies.callerEnded()).isFalse(); // so the driver lingers for the caller's EOF
    }

    @Test
    void drainRoundsAreBoundedSoOneStreamCannotStarveTheOthers() throws Exception {
        ReplyQueue replies = new ReplyQueue(new Chargen());
        NarrowSink sink = new NarrowSink(Integer.MAX_VALUE);
        replies.opened();
        assertThat(replies.flush(sink, 3)).isEqualTo(ReplyQueue.Next.WRITE);
        String once = sink.text();
        assertThat(replies.flush(sink, 3)).isEqualTo(ReplyQueue.Next.WRITE);
        // The first block and three drained rounds' blocks, then three more rounds' blocks.
        int block = once.length() / 4;
        assertThat(block % (Chargen.LINE_LENGTH + 2)).isZero();
        assertThat(sink.text()).hasSize(block * 7).startsWith(once);
    }

    @Test
    void afterTheCallersEndASilentProtocolIsDone() throws Exception {
        ReplyQueue replies = new ReplyQueue(new Discard());
        NarrowSink sink = new NarrowSink(100);
        replies.opened();
        assertThat(replies.flush(sink)).isEqualTo(ReplyQueue.Next.READ);
        replies.ended(); // Discard closes at the caller's EOF
        assertThat(replies.flush(sink)).isEqualTo(ReplyQueue.Next.FINISH);
        assertThat(replies.callerEnded()).isTrue(); // so the driver closes at once, no linger
    }
}
