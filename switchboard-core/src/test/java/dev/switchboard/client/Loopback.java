package dev.switchboard.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/** Test helpers for loopback sockets: free ports, IPv6 presence, a listener that never answers. */
final class Loopback {

    private Loopback() {
    }

    static final InetAddress V4 = InetAddress.getLoopbackAddress();

    /** Whether ::1 can be bound here (containers often lack it). */
    static boolean hasIpv6() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A port nothing listens on right now (bound, then released). */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, V4)) {
            return s.getLocalPort();
        }
    }

    /**
     * A listener whose accept queue is full, so further connects hang in SYN_SENT: a connect
     * timeout that never leaves loopback. Close the returned channels (listener first) after.
     */
    static List<AutoCloseable> blackHole(InetSocketAddress at) throws IOException {
        List<AutoCloseable> held = new ArrayList<>();
        ServerSocketChannel server = ServerSocketChannel.open().bind(at, 1);
        held.add(server);
        InetSocketAddress target = (InetSocketAddress) server.getLocalAddress();
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < 32; i++) {
                SocketChannel c = SocketChannel.open();
                held.add(c);
                c.configureBlocking(false);
                if (c.connect(target)) continue;
                c.register(selector, SelectionKey.OP_CONNECT);
                if (selector.select(500) == 0) {
                    return held; // this one hangs: the queue is full
                }
                selector.selectedKeys().clear();
                c.finishConnect();
                c.keyFor(selector).cancel();
                selector.selectNow();
            }
        }
        throw new IOException("could not fill the accept queue of " + target);
    }

    static InetSocketAddress address(List<AutoCloseable> blackHole) throws IOException {
        return (InetSocketAddress) ((ServerSocketChannel) blackHole.get(0)).getLocalAddress();
    }

    static void closeAll(List<AutoCloseable> things) throws Exception {
        for (AutoCloseable c : things) c.close();
    }
}
