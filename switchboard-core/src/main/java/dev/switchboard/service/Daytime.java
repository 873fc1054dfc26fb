package dev.switchboard.service;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * RFC 867: on connect, writes the date and time as one human-readable line and closes. The
 * RFC leaves the format open; we send RFC 1123's ({@code Wed, 25 Nov 2026 19:10:15 GMT}) in
 * the clock's zone, since people and parsers both know it, then CRLF.
 */
public final class Daytime implements Protocol {

    private final Clock clock;

    public Daytime(Clock clock) {
        this.clock = clock;
    }

    /** The line for this instant, CRLF included. */
    static String line(Clock clock) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(clock)) + "\r\n";
    }

    @Override
    public void opened(Reply reply) {
        reply.send(ByteBuffer.wrap(line(clock).getBytes(StandardCharsets.US_ASCII)));
        reply.close();
    }

    @Override
    public void received(ByteBuffer data, Reply reply) {
        data.position(data.limit());
    }
}
