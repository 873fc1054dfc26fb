package dev.switchboard.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;

/** A test's own upstream on 127.0.0.1, port 0: runs {@code session} for each caller on a virtual thread. */
final class LoopbackServer implements AutoCloseable {

    /** What the upstream does with one caller; exceptions end only that caller. */
    interface Session {
        void run(Socket s) throws Exception;
    }

    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    LoopbackServer(Session session) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.add(s);
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            session.run(s);
                        } catch (Exception ignored) {
                            // the test sees the effect on its side
                        }
                    });
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    String hostPort() {
        return "127.0.0.1:" + port();
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port());
    }

    @Override
    public void close() throws Exception {
        server.close();
        for (Socket s : accepted) s.close();
        acceptor.join(5000);
    }
}
