package dev.switchboard.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the process-level tests need from the machine: free ports, real peers, a black hole. */
final class Peers {

    private Peers() {
    }

    /** A port free right now (bound, then released), for peers that cannot print theirs. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Whether a program is on PATH (the interop tests skip, visibly, without it). */
    static boolean installed(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }

    /** Whether this nc is OpenBSD's (Debian's netcat-openbsd), whose options the tests use. */
    static boolean openBsdNetcat() {
        if (!installed("nc")) return false;
        try {
            Process p = new ProcessBuilder(List.of("nc", "-h")).redirectErrorStream(true).start();
            String help = new String(p.getInputStream().readAllBytes());
            p.waitFor(5, TimeUnit.SECONDS);
            return help.contains("OpenBSD netcat");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /**
     * A listener whose accept queue is full, so a further connect hangs unanswered: a connect
     * timeout that never leaves loopback. Close what it returns (the listener is first).
     */
    static List<AutoCloseable> blackHole() throws IOException {
        List<AutoCloseable> held = new ArrayList<>();
        ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
        held.add(server);
        SocketAddress target = server.getLocalAddress();
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < 32; i++) {
                SocketChannel c = SocketChannel.open();
                held.add(c);
                c.configureBlocking(false);
                if (c.connect(target)) continue;
                SelectionKey key = c.register(selector, SelectionKey.OP_CONNECT);
                if (selector.select(500) == 0) return held; // this one hangs: the queue is full
                selector.selectedKeys().clear();
                c.finishConnect();
                key.cancel();
                selector.selectNow();
            }
        }
        throw new IOException("could not fill the accept queue of " + target);
    }

    static int port(List<AutoCloseable> blackHole) throws IOException {
        return ((InetSocketAddress) ((ServerSocketChannel) blackHole.get(0)).getLocalAddress()).getPort();
    }

    static void closeAll(List<AutoCloseable> things) throws Exception {
        for (AutoCloseable c : things) c.close();
    }

    static boolean hasIpv6() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
