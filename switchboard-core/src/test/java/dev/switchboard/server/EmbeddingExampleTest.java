package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The embedding example of README (Embedding: TcpServer), kept compiling and working. */
@Timeout(20)
class EmbeddingExampleTest {

    @Test
    void theReadmeEchoServerEchoes() throws Exception {
        // --- as in README (port 0 here instead of 9234) ---
        try (TcpServer server = TcpServer.builder()
                .address(new InetSocketAddress("127.0.0.1", 0))
                .maxConnections(100)
                .handler(c -> c.input().transferTo(c.output()))   // echo, as plain blocking code
                .build()
                .start()) {
            System.err.println("listening on " + server.localAddress());
            // --- end of example ---
            try (Socket s = new Socket("127.0.0.1", server.localAddress().getPort())) {
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                out.write("hello\n".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello\n");
            }
        }
    }
}
