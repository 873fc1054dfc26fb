package dev.switchboard.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The training run behind the launcher's start-up cache: one {@code connect} end to end, as a
 * user's one-shot runs it, against a server in this process that sends a line and closes. The
 * launcher runs it once per jar and JDK under the option that records what a run loads (JDK
 * 24 and later: {@code -XX:AOTMode=record}; before: {@code -XX:ArchiveClassesAtExit}), so the
 * cache holds what a one-shot needs whatever command the user happened to run first. Not a
 * command of the tool.
 */
final class Training {

    private Training() {
    }

    public static void main(String[] args) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        Thread greeter = new Thread(() -> {
            try (SocketChannel caller = server.accept()) {
                caller.write(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.US_ASCII)));
            } catch (IOException e) {
                // connect then fails and says so; what it loaded on the way still counts
            }
        }, "training-server");
        greeter.setDaemon(true);
        greeter.start();
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        Main.main(new String[] {"connect", "127.0.0.1", Integer.toString(port)}); // exits
    }
}
