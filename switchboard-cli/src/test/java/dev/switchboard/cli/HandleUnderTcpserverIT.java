package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchboard.client.Dialer;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Interop: {@code switchboard handle} is a UCSPI-TCP program, so the real tcpserver (ucspi-tcp)
 * can run it per connection, and greet names the caller from tcpserver's environment.
 */
@Timeout(60)
class HandleUnderTcpserverIT {

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, program).canExecute()) return true;
        }
        return false;
    }

    @Test
    void tcpserverRunsHandleGreetPerConnection() throws Exception {
        assumeTrue(onPath("tcpserver"), "tcpserver (ucspi-tcp) is not installed");
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of("tcpserver", "-1", "-R", "-H", "-l0", "127.0.0.1", "0"));
        command.addAll(List.of(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("switchboard.jar"),
                Main.class.getName(), "handle", "greet", "--message", "hi {remote} at {local_port}"));
        Process tcpserver = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            // -1: tcpserver prints the port it bound on stdout.
            String port = new BufferedReader(new InputStreamReader(tcpserver.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            assertThat(port).matches("\\d+");
            for (int i = 0; i < 2; i++) {
                try (SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", Integer.parseInt(port)))) {
                    String reply = new String(Channels.newInputStream(client).readAllBytes(), StandardCharsets.US_ASCII);
                    assertThat(reply).isEqualTo("hi " + Dialer.hostPort((InetSocketAddress) client.getLocalAddress())
                            + " at " + port + "\n");
                }
            }
        } finally {
            tcpserver.destroy();
            tcpserver.waitFor();
        }
    }

    /**
     * A caller that resets is the caller's business, not an error of ours: under serve --model
     * fork the child's "switchboard: Connection reset by peer" landed in the server's log as a
     * [#id] line, where a reset is logged only with -v. The exit status still says it.
     */
    @Test
    void aCallersResetEndsTheChildWithoutALineOnStderr() throws Exception {
        assumeTrue(onPath("tcpserver"), "tcpserver (ucspi-tcp) is not installed");
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of("tcpserver", "-1", "-v", "-R", "-H", "-l0", "127.0.0.1", "0"));
        command.addAll(List.of(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("switchboard.jar"),
                Main.class.getName(), "handle", "chargen"));
        Process tcpserver = new ProcessBuilder(command).start();
        try {
            String port = new BufferedReader(new InputStreamReader(tcpserver.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            try (Socket s = new Socket("127.0.0.1", Integer.parseInt(port))) {
                s.setSoTimeout(20_000);
                assertThat(s.getInputStream().readNBytes(1000)).hasSize(1000);
                s.setSoLinger(true, 0); // close with a reset while chargen is still writing
            }
            BufferedReader err = new BufferedReader(new InputStreamReader(tcpserver.getErrorStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            for (String line; (line = err.readLine()) != null; ) {
                lines.add(line);
                if (line.matches("tcpserver: end \\d+ status \\d+")) break; // the child is gone
            }
            assertThat(lines).anyMatch(l -> l.startsWith("tcpserver: end ")).noneMatch(l -> l.startsWith("switchboard"));
        } finally {
            tcpserver.destroy();
            tcpserver.waitFor();
        }
    }
}
