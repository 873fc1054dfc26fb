package dev.switchboard.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Tiny handlers and a client for server tests; the real services live in their own branch. */
final class TestHandlers {

    private TestHandlers() {
    }

    /** The tutorial's greeting, then close. */
    static final ConnectionHandler GREET = c -> c.write(ByteBuffer.wrap(
            ("Hello, person from " + c.remote().getAddress().getHostAddress() + ":" + c.remote().getPort() + "\n")
                    .getBytes(StandardCharsets.US_ASCII)));

    /** RFC 862 echo: everything back until the caller's EOF. */
    static final ConnectionHandler ECHO = c -> {
        ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
        while (c.read(buf) >= 0) {
            buf.flip();
            c.write(buf);
            buf.clear();
        }
    };

    static Socket connect(InetSocketAddress server) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.getPort()), 5000);
        s.setSoTimeout(20_000);
        return s;
    }

    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toByteArray();
    }

    /** Sends {@code data} (from another thread, so neither side's buffer can fill), half-closes, reads all. */
    static byte[] roundTrip(InetSocketAddress server, byte[] data) throws Exception {
        try (Socket s = connect(server)) {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    out.write(data);
                    out.flush();
                    s.shutdownOutput();
                } catch (IOException ignored) {
                    // the read side reports what went wrong
                }
            });
            byte[] got = readAll(s.getInputStream());
            writer.join();
            return got;
        }
    }
}
