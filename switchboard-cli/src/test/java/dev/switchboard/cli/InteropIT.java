package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our connect and listen against the real thing: OpenBSD netcat and socat, each as server and
 * as client, each side sending a line and half-closing. Skips, saying why, when a peer is
 * missing (script/test installs them).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InteropIT {

    static final Duration EXIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private Path file(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    private String read(Path p) throws Exception {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    /** Runs our connect against a peer server started by {@code server}, which says it is ready on stderr. */
    private void ourConnectAgainst(List<String> server, String readyLine, int port) throws Exception {
        Path theirOut = dir.resolve("their.out");
        Path ourOut = dir.resolve("our.out");
        try (Proc peer = Proc.start(server, file("their.in", "from the peer\n"), theirOut)) {
            peer.awaitLine(readyLine, EXIT);
            try (Proc us = Proc.start(Proc.switchboard("connect", "127.0.0.1", "" + port), file("our.in", "from switchboard\n"), ourOut)) {
                assertThat(us.exit(EXIT)).as(us.stderr()).isZero();
            }
            assertThat(peer.exit(EXIT)).as(peer.stderr()).isZero();
        }
        assertThat(read(theirOut)).isEqualTo("from switchboard\n");
        assertThat(read(ourOut)).isEqualTo("from the peer\n");
    }

    /** Runs a peer client (the port appended by {@code client}) against our listen. */
    private void peerClientAgainstOurListen(java.util.function.IntFunction<List<String>> client) throws Exception {
        Path theirOut = dir.resolve("their.out");
        Path ourOut = dir.resolve("our.out");
        try (Proc us = Proc.start(Proc.switchboard("listen", "-s", "127.0.0.1", "0"), file("our.in", "from switchboard\n"), ourOut)) {
            int port = us.awaitListening();
            try (Proc peer = Proc.start(client.apply(port), file("their.in", "from the peer\n"), theirOut)) {
                assertThat(peer.exit(EXIT)).as(peer.stderr()).isZero();
            }
            assertThat(us.exit(EXIT)).as(us.stderr()).isZero();
        }
        assertThat(read(theirOut)).isEqualTo("from switchboard\n");
        assertThat(read(ourOut)).isEqualTo("from the peer\n");
    }

    @Test
    void ourConnectAgainstNetcatListen() throws Exception {
        assumeTrue(Peers.openBsdNetcat(), "OpenBSD netcat (nc) is not installed; script/test installs netcat-openbsd");
        int port = Peers.freePort();
        // -N: netcat half-closes at its stdin's EOF, as we do.
        ourConnectAgainst(List.of("nc", "-v", "-N", "-l", "127.0.0.1", "" + port), "^Listening on", port);
    }

    @Test
    void netcatClientAgainstOurListen() throws Exception {
        assumeTrue(Peers.openBsdNetcat(), "OpenBSD netcat (nc) is not installed; script/test installs netcat-openbsd");
        peerClientAgainstOurListen(port -> List.of("nc", "-N", "127.0.0.1", "" + port));
    }

    @Test
    void ourConnectAgainstSocatListen() throws Exception {
        assumeTrue(Peers.installed("socat"), "socat is not installed; script/test installs it");
        int port = Peers.freePort();
        ourConnectAgainst(List.of("socat", "-d", "-d", "-", "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr"),
                "listening on", port);
    }

    @Test
    void socatClientAgainstOurListen() throws Exception {
        assumeTrue(Peers.installed("socat"), "socat is not installed; script/test installs it");
        peerClientAgainstOurListen(port -> List.of("socat", "-", "TCP:127.0.0.1:" + port));
    }
}
