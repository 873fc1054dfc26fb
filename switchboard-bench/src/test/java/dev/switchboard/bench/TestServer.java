package dev.switchboard.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Tiny loopback servers that behave well or badly on purpose, for the generator's tests. */
final class TestServer implements AutoCloseable {

    enum Behaviour {
        /** Sends a greeting and closes. */
        GREET,
        /** Echoes every byte. */
        ECHO,
        /** Echoes every byte, one connection at a time: the others wait in the backlog. */
        SERIAL_ECHO,
        /** Echoes the first read, then closes. */
        ECHO_ONCE,
        /** Echoes every byte, off by one. */
        CORRUPT_ECHO,
        /** Accepts and resets (SO_LINGER 0). */
        RESET,
        /** Accepts and never says a word. */
        SILENT
    }

    private final ServerSocket server;
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private TestServer(Behaviour b) throws IOException {
        server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("test-server").start(() -> acceptLoop(b));
    }

    static TestServer start(Behaviour b) throws IOException {
        return new TestServer(b);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    /** A loopback port nobody listens on: bound once to learn a free one, then closed. */
    static InetSocketAddress refusingAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
    }

    private void acceptLoop(Behaviour b) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                switch (b) {
                    case GREET -> {
                        try (s) {
                            s.getOutputStream().write(("Hello, person from 127.0.0.1:" + s.getPort() + "\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                        }
                    }
                    case RESET -> {
                        s.setSoLinger(true, 0);
                        s.close();
                    }
                    case SILENT -> open.add(s);
                    case ECHO_ONCE -> Thread.ofPlatform().daemon().start(() -> echoOnce(s));
                    case SERIAL_ECHO -> {
                        open.add(s);
                        echo(s, false);
                    }
                    case ECHO, CORRUPT_ECHO -> {
                        open.add(s);
                        Thread.ofPlatform().daemon().start(() -> echo(s, b == Behaviour.CORRUPT_ECHO));
                    }
                }
            } catch (IOException e) {
                // Closed by the test, or a client that went away: keep accepting until closed.
            }
        }
    }

    private static void echoOnce(Socket s) {
        try (s) {
            byte[] buf = new byte[65536];
            int n = s.getInputStream().read(buf);
            if (n > 0) {
                s.getOutputStream().write(buf, 0, n);
            }
        } catch (IOException e) {
            // The client left.
        }
    }

    private static void echo(Socket s, boolean corrupt) {
        try (s) {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) {
                if (corrupt) {
                    buf[0]++;
                }
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            // The client left.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
