package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code switchboard relay} as a real process between a test client and a test upstream:
 * every byte both ways at once, half-close end to end with late replies, backpressure with
 * bounded memory, and the log record; each case on virtual threads and on the event loop.
 */
@Timeout(120)
class RelayIT {

    /** How late the slow peer answers: past socat's 0.5 s, which would cut the reply off. */
    private static final long LATE_MS = 800;

    static ServerProcess relay(String... args) throws IOException {
        String[] all = new String[args.length + 1];
        all[0] = "relay";
        System.arraycopy(args, 0, all, 1, args.length);
        return ServerProcess.of(new ProcessBuilder(Proc.switchboard(all)));
    }

    /** The relay under one model: each case runs on a blocking model and on the event loop. */
    static ServerProcess relayOn(String model, String... args) throws IOException {
        String[] all = new String[args.length + 2];
        all[0] = "--model";
        all[1] = model;
        System.arraycopy(args, 0, all, 2, args.length);
        return relay(all);
    }

    static Socket connect(InetSocketAddress a) throws IOException {
        Socket s = new Socket();
        s.connect(a, 5000);
        s.setSoTimeout(60_000);
        return s;
    }

    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toByteArray();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "loop"})
    void tenMegabytesEachWayAtOnceArriveByteExactAndTheRecordCountsThem(String model) throws Exception {
        byte[] up = random(10 << 20, 1);
        byte[] down = random(10 << 20, 2);
        CompletableFuture<byte[]> upstreamGot = new CompletableFuture<>();
        try (LoopbackServer upstream = new LoopbackServer(s -> {
                CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                    try {
                        s.getOutputStream().write(down);
                        s.shutdownOutput();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                upstreamGot.complete(readAll(s.getInputStream()));
                sent.get(60, TimeUnit.SECONDS);
            });
             ServerProcess relay = relayOn(model, "--listen", "127.0.0.1:0", "--to", upstream.hostPort())) {
            try (Socket s = connect(relay.listening())) {
                CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                    try {
                        s.getOutputStream().write(up);
                        s.shutdownOutput();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                assertThat(readAll(s.getInputStream())).isEqualTo(down);
                sent.get(60, TimeUnit.SECONDS);
            }
            assertThat(upstreamGot.get(60, TimeUnit.SECONDS)).isEqualTo(up);
            String record = relay.awaitLine(l -> l.startsWith("event=close"));
            assertThat(record).contains(" service=relay ", " in=" + up.length + " ", " out=" + down.length + " ",
                    " outcome=ok", " upstream=" + upstream.hostPort());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "loop"})
    void aLateReplyAfterTheCallersHalfCloseArrivesWhole(String model) throws Exception {
        byte[] reply = random(1 << 20, 3);
        try (LoopbackServer upstream = new LoopbackServer(s -> {
                byte[] request = readAll(s.getInputStream()); // to the caller's EOF
                TimeUnit.MILLISECONDS.sleep(LATE_MS); // a slow upstream, on purpose: nothing waits on this
                s.getOutputStream().write(("got " + request.length + "\n").getBytes());
                s.getOutputStream().write(reply);
            });
             ServerProcess relay = relayOn(model, "--listen", "127.0.0.1:0", "--to", upstream.hostPort())) {
            try (Socket s = connect(relay.listening())) {
                s.getOutputStream().write("question".getBytes());
                s.shutdownOutput();
                byte[] got = readAll(s.getInputStream());
                assertThat(new String(got, 0, 6)).isEqualTo("got 8\n");
                assertThat(java.util.Arrays.copyOfRange(got, 6, got.length)).isEqualTo(reply);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "loop"})
    void aLateWriteAfterTheUpstreamsHalfCloseArrivesWhole(String model) throws Exception {
        byte[] late = random(1 << 20, 4);
        CompletableFuture<byte[]> upstreamGot = new CompletableFuture<>();
        try (LoopbackServer upstream = new LoopbackServer(s -> {
                s.getOutputStream().write("say it\n".getBytes());
                s.shutdownOutput(); // the upstream is done talking, not listening
                upstreamGot.complete(readAll(s.getInputStream()));
            });
             ServerProcess relay = relayOn(model, "--listen", "127.0.0.1:0", "--to", upstream.hostPort())) {
            try (Socket s = connect(relay.listening())) {
                assertThat(readAll(s.getInputStream())).isEqualTo("say it\n".getBytes());
                TimeUnit.MILLISECONDS.sleep(LATE_MS); // a slow caller, on purpose
                s.getOutputStream().write(late);
                s.shutdownOutput();
                assertThat(upstreamGot.get(60, TimeUnit.SECONDS)).isEqualTo(late);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "loop"})
    void aSlowReaderHoldsTheUpstreamBackAndTheRelaysMemoryStaysBounded(String model) throws Exception {
        AtomicLong offered = new AtomicLong();
        byte[] chunk = random(64 << 10, 5);
        long hundredMegabytes = 100L << 20;
        try (LoopbackServer upstream = new LoopbackServer(s -> {
                while (offered.get() < hundredMegabytes) {
                    s.getOutputStream().write(chunk); // blocks once the relay stops taking
                    offered.addAndGet(chunk.length);
                }
            });
             ServerProcess relay = relayOn(model, "--listen", "127.0.0.1:0", "--to", upstream.hostPort())) {
            InetSocketAddress at = relay.listening();
            long rssBefore = rssKb(relay.process.pid());
            long read = 0;
            try (Socket s = new Socket()) {
                s.setReceiveBufferSize(16 << 10);
                s.connect(at, 5000);
                InputStream in = s.getInputStream();
                byte[] kb = new byte[1024];
                long peakRss = rssBefore;
                // A reader taking about 10 KB/s for 3 s: the pace is the test's point, not a wait.
                for (int i = 0; i < 30; i++) {
                    read += in.readNBytes(kb, 0, kb.length);
                    peakRss = Math.max(peakRss, rssKb(relay.process.pid()));
                    TimeUnit.MILLISECONDS.sleep(100);
                }
                long inFlight = offered.get() - read;
                // What the upstream got rid of is what sits in socket buffers and the relay's
                // two fixed buffers: a few megabytes, not the hundred it wanted to send.
                assertThat(inFlight).as("bytes the upstream wrote that the reader has not read")
                        .isLessThan(32L << 20);
                assertThat(peakRss - rssBefore).as("the relay's RSS growth, KB").isLessThan(64L << 10);
            }
        }
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new AssertionError("no VmRSS for " + pid);
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "loop"})
    void theServersIdleTimeoutEndsBothSides(String model) throws Exception {
        CompletableFuture<Boolean> upstreamSawTheEnd = new CompletableFuture<>();
        try (LoopbackServer upstream = new LoopbackServer(s -> {
                try {
                    upstreamSawTheEnd.complete(s.getInputStream().read() < 0);
                } catch (IOException reset) {
                    upstreamSawTheEnd.complete(true);
                }
            });
             ServerProcess relay = relayOn(model, "--listen", "127.0.0.1:0", "--to", upstream.hostPort(), "--idle-timeout", "1")) {
            try (Socket s = connect(relay.listening())) {
                try {
                    assertThat(s.getInputStream().read()).isEqualTo(-1);
                } catch (IOException reset) {
                    // a reset is how an idle connection is cut
                }
            }
            assertThat(upstreamSawTheEnd.get(30, TimeUnit.SECONDS)).isTrue();
            assertThat(relay.awaitLine(l -> l.startsWith("event=close"))).contains(" outcome=idle-timeout");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "loop"})
    void severalUpstreamsRoundRobinAndOneThatRefusesIsPassedOver(String model) throws Exception {
        int dead = Peers.freePort();
        try (LoopbackServer one = new LoopbackServer(s -> s.getOutputStream().write("one\n".getBytes()));
             LoopbackServer two = new LoopbackServer(s -> s.getOutputStream().write("two\n".getBytes()));
             ServerProcess relay = relayOn(model, "--listen", "127.0.0.1:0", "--to", one.hostPort(), "--to", "127.0.0.1:" + dead,
                     "--to", two.hostPort())) {
            InetSocketAddress at = relay.listening();
            java.util.List<String> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                try (Socket s = connect(at)) {
                    answers.add(new String(readAll(s.getInputStream())));
                }
            }
            // Every caller is served, by both live upstreams; the dead one costs nobody a call.
            assertThat(answers).containsOnly("one\n", "two\n").contains("one\n", "two\n");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "loop"})
    void aRefusingUpstreamClosesTheCallerAtOnceAndSaysSo(String model) throws Exception {
        int dead = Peers.freePort();
        try (ServerProcess relay = relayOn(model, "--listen", "127.0.0.1:0", "--to", "127.0.0.1:" + dead)) {
            try (Socket s = connect(relay.listening())) {
                assertThat(readAll(s.getInputStream())).isEmpty();
            }
            assertThat(relay.awaitLine(l -> l.startsWith("event=close")))
                    .contains(" outcome=upstream-refused", " upstream=127.0.0.1:" + dead);
        }
    }
}
