package dev.switchboard.jmh;

import dev.switchboard.service.Echo;
import dev.switchboard.service.Protocol;
import dev.switchboard.service.ProtocolHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;

/**
 * Shows a regression in echo's 64-byte round trip without a socket: the protocol answering one
 * read ({@link #protocol}, the event loop's share: it should send the read buffer itself, not a
 * copy) and the blocking adapter's read/write loop per message ({@link #blocking}: a connection
 * of {@value #MESSAGES} messages, reported per message, so its read buffer and queue are
 * amortised as on a real connection).
 */
public class EchoBenchmark extends HotPathBenchmark {

    static final int MESSAGE = 64;
    static final int MESSAGES = 64;

    final Protocol echo = new Echo();
    final SentReply reply = new SentReply();
    byte[] message;
    ByteBuffer read;
    MemoryEndpoint connection;

    @Setup
    public void setup() {
        Random random = new Random(7);
        message = new byte[MESSAGE];
        random.nextBytes(message);
        read = ByteBuffer.allocate(16 * 1024);
        byte[] messages = new byte[MESSAGE * MESSAGES];
        random.nextBytes(messages);
        connection = new MemoryEndpoint(messages, MESSAGE, messages.length);
    }

    /** One 64-byte read handed to echo, as a driver hands it: filled, flipped, answered. */
    @Benchmark
    public ByteBuffer protocol() {
        read.clear();
        read.put(message).flip();
        echo.received(read, reply.reset());
        return reply.sent(0);
    }

    /** A connection of 64 messages through the blocking adapter, to EOF; time per message. */
    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public MemoryEndpoint blocking() throws IOException {
        ProtocolHandler.drive(echo, connection.reset());
        return connection;
    }
}
