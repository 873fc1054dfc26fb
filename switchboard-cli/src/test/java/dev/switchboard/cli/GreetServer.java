package dev.switchboard.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A loopback greet server for the bench command's tests: greets each caller and closes. */
final class GreetServer implements AutoCloseable {

    private final ServerSocket server;

    GreetServer() throws IOException {
        server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write(("Hello, person from 127.0.0.1:" + s.getPort() + "\n")
                            .getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // Closed by the test, or a caller that left: keep going until closed.
                }
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    /** A loopback port nobody listens on. */
    static int refusingPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
