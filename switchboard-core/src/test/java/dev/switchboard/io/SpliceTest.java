package dev.switchboard.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class SpliceTest {

    /** Own threads: the common pool may have one thread on a small machine, and these block. */
    private static final ExecutorService THREADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r);
        t.setDaemon(true);
        return t;
    });

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] readToEof(SocketChannel ch) throws IOException {
        return Channels.newInputStream(ch).readAllBytes();
    }

    private static void send(SocketChannel ch, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) ch.write(b);
    }

    @Test
    void aReplySentAfterOurEofArrivesWhole() throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        try (SocketPairs net = SocketPairs.open()) {
            CompletableFuture<byte[]> server = CompletableFuture.supplyAsync(() -> {
                try {
                    byte[] request = readToEof(net.far()); // our EOF arrives as the peer's EOF
                    send(net.far(), ascii("reply to " + new String(request, StandardCharsets.US_ASCII)));
                    net.far().close();
                    return request;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, THREADS);
            Splice.Result r = Splice.between(Endpoint.of(new ByteArrayInputStream(ascii("request")), stdout),
                    Endpoint.of(net.near())).run();
            assertThat(server.get()).isEqualTo(ascii("request"));
            assertThat(stdout.toString(StandardCharsets.US_ASCII)).isEqualTo("reply to request");
            assertThat(r).isEqualTo(new Splice.Result(7, 16, Splice.Outcome.OK, null));
        }
    }

    @Test
    void thePeersHalfCloseLeavesOurDirectionOpen() throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PipedOutputStream typing = new PipedOutputStream();
        InputStream stdin = new PipedInputStream(typing);
        try (SocketPairs net = SocketPairs.open()) {
            send(net.far(), ascii("question"));
            net.far().shutdownOutput();
            CompletableFuture<Splice.Result> splice = CompletableFuture.supplyAsync(() -> {
                try {
                    return Splice.between(Endpoint.of(stdin, stdout), Endpoint.of(net.near())).run();
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
            }, THREADS);
            // The peer can still read what we send after its own EOF.
            typing.write(ascii("late answer"));
            typing.close();
            assertThat(readToEof(net.far())).isEqualTo(ascii("late answer"));
            Splice.Result r = splice.get();
            assertThat(stdout.toString(StandardCharsets.US_ASCII)).isEqualTo("question");
            assertThat(r.outcome()).isEqualTo(Splice.Outcome.OK);
            assertThat(r.aToB()).isEqualTo(11);
            assertThat(r.bToA()).isEqualTo(8);
        }
    }

    @Test
    void untilBEndsDoesNotWaitForAnOpenStdin() throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PipedOutputStream neverClosed = new PipedOutputStream();
        try (SocketPairs net = SocketPairs.open()) {
            send(net.far(), ascii("bye"));
            net.far().close();
            Splice.Result r = Splice.between(Endpoint.of(new PipedInputStream(neverClosed), stdout),
                    Endpoint.of(net.near())).untilBEnds().run();
            assertThat(stdout.toString(StandardCharsets.US_ASCII)).isEqualTo("bye");
            assertThat(r.outcome()).isEqualTo(Splice.Outcome.OK);
            assertThat(r.bToA()).isEqualTo(3);
        }
    }

    @Test
    void aResetOnOneSideAbortsTheOther() throws Exception {
        try (SocketPairs left = SocketPairs.open(); SocketPairs right = SocketPairs.open()) {
            CompletableFuture<Splice.Result> splice = CompletableFuture.supplyAsync(() -> {
                try {
                    return Splice.between(Endpoint.of(left.near()), Endpoint.of(right.near())).run();
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
            }, THREADS);
            send(left.far(), ascii("hello"));
            ByteBuffer five = ByteBuffer.allocate(5);
            while (five.hasRemaining()) right.far().read(five); // the splice is flowing
            right.far().setOption(StandardSocketOptions.SO_LINGER, 0);
            right.far().close(); // a reset
            Splice.Result r = splice.get();
            assertThat(r.outcome()).isEqualTo(Splice.Outcome.RESET);
            assertThat(r.failure()).isNotNull();
            assertThat(r.aToB()).isEqualTo(5);
            // The left caller learns of it as a reset too, not as a clean EOF.
            assertThatThrownBy(() -> readToEof(left.far())).isInstanceOf(IOException.class);
        }
    }

    @Test
    void anIdleTimeoutAbortsBothSides() throws Exception {
        try (SocketPairs left = SocketPairs.open(); SocketPairs right = SocketPairs.open()) {
            Splice.Result r = Splice.between(Endpoint.of(left.near()), Endpoint.of(right.near()))
                    .idleTimeout(Duration.ofMillis(200)).run();
            assertThat(r).isEqualTo(new Splice.Result(0, 0, Splice.Outcome.IDLE_TIMEOUT, null));
            assertThat(left.near().isOpen()).isFalse();
            assertThat(right.near().isOpen()).isFalse();
            assertThatThrownBy(() -> readToEof(left.far())).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aMebibyteEachWayArrivesExactlyAndIsCounted() throws Exception {
        byte[] up = new byte[1 << 20];
        byte[] down = new byte[(1 << 20) + 17];
        new Random(42).nextBytes(up);
        new Random(43).nextBytes(down);
        try (SocketPairs left = SocketPairs.open(); SocketPairs right = SocketPairs.open()) {
            CompletableFuture<Splice.Result> splice = CompletableFuture.supplyAsync(() -> {
                try {
                    return Splice.between(Endpoint.of(left.near()), Endpoint.of(right.near())).bufferSize(4096).run();
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
            }, THREADS);
            CompletableFuture<byte[]> atRight = CompletableFuture.supplyAsync(() -> {
                try {
                    return readToEof(right.far());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, THREADS);
            CompletableFuture<Void> rightSends = CompletableFuture.runAsync(() -> {
                try {
                    send(right.far(), down);
                    right.far().shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, THREADS);
            send(left.far(), up);
            left.far().shutdownOutput();
            assertThat(readToEof(left.far())).isEqualTo(down);
            assertThat(atRight.get()).isEqualTo(up);
            rightSends.get();
            assertThat(splice.get()).isEqualTo(new Splice.Result(up.length, down.length, Splice.Outcome.OK, null));
        }
    }

    /** Like a terminal's stdin: a read that blocks and that no close can wake. */
    private static InputStream deafStdin(CountDownLatch release) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                return -1;
            }
        };
    }

    @Test
    void aResetEndsTheSpliceEvenWhileStdinCannotBeWoken() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (SocketPairs net = SocketPairs.open()) {
            net.far().setOption(StandardSocketOptions.SO_LINGER, 0);
            net.far().close();
            Splice.Result r = Splice.between(Endpoint.of(deafStdin(release), new ByteArrayOutputStream()),
                    Endpoint.of(net.near())).run();
            assertThat(r.outcome()).isEqualTo(Splice.Outcome.RESET);
        } finally {
            release.countDown();
        }
    }

    @Test
    void anIdleTimeoutEndsTheSpliceEvenWhileStdinCannotBeWoken() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (SocketPairs net = SocketPairs.open()) {
            Splice.Result r = Splice.between(Endpoint.of(deafStdin(release), new ByteArrayOutputStream()),
                    Endpoint.of(net.near())).idleTimeout(Duration.ofMillis(100)).run();
            assertThat(r.outcome()).isEqualTo(Splice.Outcome.IDLE_TIMEOUT);
        } finally {
            release.countDown();
        }
    }

    /** An upstream that resets: writes to it fail; reading it gives what it sent before, once a write has failed, then its end. */
    private static Endpoint resetAfterAnswering(byte[] answer) {
        CountDownLatch writeFailed = new CountDownLatch(1);
        return new Endpoint() {
            private boolean answered;

            @Override
            public int read(ByteBuffer dst) throws IOException {
                try {
                    writeFailed.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                if (answered) return -1;
                answered = true;
                dst.put(answer);
                return answer.length;
            }

            @Override
            public void write(ByteBuffer src) throws IOException {
                writeFailed.countDown();
                throw new IOException("Connection reset by peer");
            }

            @Override
            public void shutdownOutput() {
            }

            @Override
            public void abort() {
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void drainBeforeResetPassesOnWhatTheFailedSideSentBeforeTheReset() throws Exception {
        try (SocketPairs caller = SocketPairs.open()) {
            send(caller.far(), ascii("an upload the upstream will not read"));
            Splice.Result r = Splice.between(Endpoint.of(caller.near()), resetAfterAnswering(ascii("413 too large\n")))
                    .drainBeforeReset().run();
            assertThat(r.outcome()).isEqualTo(Splice.Outcome.RESET);
            assertThat(r.bToA()).isEqualTo(14);
            ByteBuffer got = ByteBuffer.allocate(64);
            try {
                while (caller.far().read(got) >= 0) {
                    // until the end the splice passed on
                }
            } catch (IOException reset) {
                // the reset itself, after the answer
            }
            assertThat(new String(got.array(), 0, got.position(), StandardCharsets.US_ASCII)).isEqualTo("413 too large\n");
        }
    }

    @Test
    void drainBeforeResetStillEndsWhenTheOtherSideDoesNotRead() throws Exception {
        try (SocketPairs caller = SocketPairs.open(); SocketPairs upstream = SocketPairs.open()) {
            CompletableFuture<Splice.Result> splice = CompletableFuture.supplyAsync(() -> {
                try {
                    return Splice.between(Endpoint.of(caller.near()), Endpoint.of(upstream.near())).drainBeforeReset().run();
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
            }, THREADS);
            // The caller uploads until the upstream, which never reads, holds the splice back.
            caller.far().configureBlocking(false);
            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            long stalledSince = 0;
            while (true) {
                chunk.clear();
                if (caller.far().write(chunk) > 0) {
                    stalledSince = 0;
                } else if (stalledSince == 0) {
                    stalledSince = System.nanoTime();
                } else if (System.nanoTime() - stalledSince > TimeUnit.MILLISECONDS.toNanos(200)) {
                    break;
                } else {
                    Thread.sleep(1);
                }
            }
            caller.far().setOption(StandardSocketOptions.SO_LINGER, 0);
            caller.far().close(); // a reset
            send(upstream.far(), ascii("x")); // and a write towards it fails
            // What the caller sent is stuck behind an upstream that does not read: after a
            // bounded wait, both are reset anyway.
            Splice.Result r = splice.get(10, TimeUnit.SECONDS);
            assertThat(r.outcome()).isEqualTo(Splice.Outcome.RESET);
            assertThatThrownBy(() -> {
                while (upstream.far().read(ByteBuffer.allocate(64 * 1024)) >= 0) {
                    // drain until the reset
                }
            }).isInstanceOf(IOException.class);
        }
    }
}
