package dev.switchboard.relay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.ExecutorService;

/** The byte-moving steps both relay tests use: seeded data, write-then-half-close, read to EOF, a named upstream. */
final class ChannelBytes {

    private ChannelBytes() {
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static Void writeAllAndHalfClose(SocketChannel ch, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) ch.write(b);
        ch.shutdownOutput();
        return null;
    }

    static byte[] readToEof(SocketChannel ch) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        while (ch.read(buf) >= 0) {
            all.write(buf.array(), 0, buf.position());
            buf.clear();
        }
        return all.toByteArray();
    }

    /** An upstream, run on {@code threads}, that answers every caller with its name and closes. */
    static void nameServer(ExecutorService threads, ServerSocketChannel s, String name) {
        threads.submit(() -> {
            while (true) {
                SocketChannel ch = s.accept();
                threads.submit(() -> {
                    try (ch) {
                        writeAllAndHalfClose(ch, name.getBytes(StandardCharsets.US_ASCII));
                        readToEof(ch);
                    }
                    return null;
                });
            }
        });
    }
}
