package dev.switchboard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A stand-in for {@code switchboard serve SERVICE --model M --port 0} while the real one is
 * built elsewhere: serves greet or echo on loopback, serially for "serial" and a thread per
 * connection otherwise, and says {@code listening on ADDRESS:PORT} on stderr as serve does.
 * A model named "broken" exits at once, to test a server that never listens.
 */
public final class StandInServer {

    public static void main(String[] args) throws IOException {
        String service = args[0];
        String model = args[1];
        if (model.equals("broken")) {
            System.err.println("serve: unknown model broken");
            System.exit(2);
        }
        try (ServerSocket server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress())) {
            System.err.println("listening on 127.0.0.1:" + server.getLocalPort());
            while (true) {
                Socket s = server.accept();
                Runnable task = () -> serve(s, service);
                if (model.equals("serial")) {
                    task.run();
                } else {
                    Thread.ofPlatform().daemon().start(task);
                }
            }
        }
    }

    private static void serve(Socket s, String service) {
        try (s) {
            OutputStream out = s.getOutputStream();
            if (service.equals("greet")) {
                out.write(("Hello, person from " + s.getInetAddress().getHostAddress() + ":" + s.getPort() + "\n")
                        .getBytes(StandardCharsets.US_ASCII));
                return;
            }
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            // The client went away: nothing to serve.
        }
    }
}
