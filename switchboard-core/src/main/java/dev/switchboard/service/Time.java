package dev.switchboard.service;

import java.nio.ByteBuffer;
import java.time.Clock;

/**
 * RFC 868: on connect, writes the time as 32 bits, big-endian, in seconds since 1900-01-01
 * 00:00 UTC, and closes. The count is unsigned and wraps in 2036, as the RFC's own does.
 */
public final class Time implements Protocol {

    /** Seconds from 1900-01-01 to 1970-01-01, the RFC's and Unix's epochs. */
    public static final long EPOCH_OFFSET = 2_208_988_800L;

    private final Clock clock;

    public Time(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void opened(Reply reply) {
        long seconds = Math.floorDiv(clock.millis(), 1000) + EPOCH_OFFSET;
        reply.send(ByteBuffer.allocate(4).putInt(0, (int) seconds)); // low 32 bits, big-endian
        reply.close();
    }

    @Override
    public void received(ByteBuffer data, Reply reply) {
        data.position(data.limit());
    }
}
