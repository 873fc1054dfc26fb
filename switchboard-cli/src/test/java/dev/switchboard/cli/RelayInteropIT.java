package dev.switchboard.cli;

import static dev.switchboard.cli.RelayIT.connect;
import static dev.switchboard.cli.RelayIT.readAll;
import static dev.switchboard.cli.RelayIT.relay;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay between real peers: OpenBSD netcat and socat as upstreams (a test client calls
 * through the relay) and as clients (calling a test upstream through the relay). Each side
 * sends a line and half-closes; both lines must arrive. Skips, saying why, without the peer.
 */
@Timeout(60)
class RelayInteropIT {

    private static final Duration EXIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    /** A test client through the relay to {@code upstream}, a peer listening on {@code port}. */
    private void clientThroughRelayTo(List<String> upstream, String readyLine, int port) throws Exception {
        Path theirOut = dir.resolve("their.out");
        Path theirIn = Files.writeString(dir.resolve("their.in"), "from the peer\n");
        try (Proc peer = Proc.start(upstream, theirIn, theirOut);
             ServerProcess relay = relay("--listen", "127.0.0.1:0", "--to", "127.0.0.1:" + port)) {
            peer.awaitLine(readyLine, EXIT);
            try (Socket s = connect(relay.listening())) {
                s.getOutputStream().write("from the client\n".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                assertThat(new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII)).isEqualTo("from the peer\n");
            }
            assertThat(peer.exit(EXIT)).as(peer.stderr()).isZero();
            assertThat(relay.awaitLine(l -> l.startsWith("event=close"))).contains(" outcome=ok");
        }
        assertThat(Files.readString(theirOut)).isEqualTo("from the client\n");
    }

    /** A peer client (the relay's port appended by {@code client}) through the relay to a test upstream. */
    private void peerClientThroughRelay(java.util.function.IntFunction<List<String>> client) throws Exception {
        Path theirOut = dir.resolve("their.out");
        Path theirIn = Files.writeString(dir.resolve("their.in"), "from the peer\n");
        java.util.concurrent.CompletableFuture<String> upstreamGot = new java.util.concurrent.CompletableFuture<>();
        try (LoopbackServer upstream = new LoopbackServer(s -> {
                s.getOutputStream().write("from the upstream\n".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                upstreamGot.complete(new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII));
            });
             ServerProcess relay = relay("--listen", "127.0.0.1:0", "--to", upstream.hostPort())) {
            int port = relay.listening().getPort();
            try (Proc peer = Proc.start(client.apply(port), theirIn, theirOut)) {
                assertThat(peer.exit(EXIT)).as(peer.stderr()).isZero();
            }
            assertThat(upstreamGot.get()).isEqualTo("from the peer\n");
        }
        assertThat(Files.readString(theirOut)).isEqualTo("from the upstream\n");
    }

    @Test
    void netcatAsUpstream() throws Exception {
        assumeTrue(Peers.openBsdNetcat(), "OpenBSD netcat (nc) is not installed; script/test installs netcat-openbsd");
        int port = Peers.freePort();
        clientThroughRelayTo(List.of("nc", "-v", "-N", "-l", "127.0.0.1", "" + port), "^Listening on", port);
    }

    @Test
    void socatAsUpstream() throws Exception {
        assumeTrue(Peers.installed("socat"), "socat is not installed; script/test installs it");
        int port = Peers.freePort();
        clientThroughRelayTo(List.of("socat", "-d", "-d", "-", "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr"),
                "listening on", port);
    }

    @Test
    void netcatAsClient() throws Exception {
        assumeTrue(Peers.openBsdNetcat(), "OpenBSD netcat (nc) is not installed; script/test installs netcat-openbsd");
        peerClientThroughRelay(port -> List.of("nc", "-N", "127.0.0.1", "" + port));
    }

    @Test
    void socatAsClient() throws Exception {
        assumeTrue(Peers.installed("socat"), "socat is not installed; script/test installs it");
        peerClientThroughRelay(port -> List.of("socat", "-", "TCP:127.0.0.1:" + port));
    }
}
