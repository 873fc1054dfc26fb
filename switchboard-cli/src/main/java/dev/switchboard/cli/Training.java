package dev.switchboard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * The training run behind the launcher's start-up cache: {@code connect} end to end, as a
 * user's one-shot runs it, against a server in this process that sends a line and closes;
 * once through picocli (what every command but the plain connect takes) and once on the plain
 * connect's own path. The launcher runs it once per jar and JDK under the option that records
 * what a run loads (JDK 24 and later: {@code -XX:AOTMode=record}; before:
 * {@code -XX:ArchiveClassesAtExit}), so the cache is the same whatever command the user
 * happens to run first. Not a command of the tool.
 */
final class Training {

    private Training() {
    }

    public static void main(String[] args) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        Thread greeter = new Thread(() -> {
            while (true) {
                try (SocketChannel caller = server.accept()) {
                    caller.write(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException e) {
                    return; // connect then fails and says so; what it loaded on the way still counts
                }
            }
        }, "training-server");
        greeter.setDaemon(true);
        greeter.start();
        String port = Integer.toString(((InetSocketAddress) server.getLocalAddress()).getPort());

        // Through picocli, with streams of its own: the run below still needs stdin and stdout.
        String[] withOption = {"connect", "-v", "127.0.0.1", port};
        CommandLine cli = Main.commandLine(withOption);
        ((ConnectCommand) cli.getSubcommands().get("connect").getCommand()).stdio =
                new Stdio(InputStream.nullInputStream(), OutputStream.nullOutputStream());
        cli.setOut(new PrintWriter(Writer.nullWriter()));
        cli.setErr(new PrintWriter(Writer.nullWriter()));
        cli.execute(withOption);

        Main.main(new String[] {"connect", "127.0.0.1", port}); // the plain connect; exits
    }
}
