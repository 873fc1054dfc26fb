package dev.switchboard.relay;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static dev.switchboard.relay.ChannelBytes.nameServer;
import static dev.switchboard.relay.ChannelBytes.random;
import static dev.switchboard.relay.ChannelBytes.readToEof;
import static dev.switchboard.relay.ChannelBytes.writeAllAndHalfClose;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.client.Dialer;
import dev.switchboard.model.EventLoop;
import dev.switchboard.proxy.ProxyHeader;
import dev.switchboard.proxy.ProxyHeaderReader;
import dev.switchboard.proxy.ProxyResult;
import dev.switchboard.server.ConnectionRecord;
import dev.switchboard.server.TcpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The relay on the event loop ({@code model/LoopRelay}), through a real server with one loop:
 * every byte both ways, half-close end to end both ways, resets passed on, the dial's
 * outcomes (refused, timed out, round-robin past a dead upstream), {@code --send-proxy}, the
 * server's idle timeout and graceful stop, and both records (the relay's and the server's).
 */
@Timeout(60)
class LoopRelayTest {

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final LinkedBlockingQueue<RelayRecord> relayed = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<ConnectionRecord> closed = new LinkedBlockingQueue<>();
    private final List<AutoCloseable> closeMe = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : closeMe.reversed()) c.close();
        threads.shutdownNow();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private ServerSocketChannel listen() throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        closeMe.add(s);
        return s;
    }

    private static Upstream at(ServerSocketChannel s) throws IOException {
        return new Upstream("127.0.0.1", ((InetSocketAddress) s.getLocalAddress()).getPort());
    }

    private Relay relayTo(Upstream... to) {
        return Relay.to(new Upstreams(List.of(to), Duration.ofHours(1)))
                .withDialer(Dialer.defaults().withConnectTimeout(Duration.ofSeconds(5)))
                .withRecords(relayed::add);
    }

    private TcpServer serve(Relay relay) throws IOException {
        return serve(relay, null);
    }

    private TcpServer serve(Relay relay, Duration idle) throws IOException {
        TcpServer server = TcpServer.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .model(new EventLoop(1)).handler(relay).service("relay").idleTimeout(idle)
                .grace(Duration.ofSeconds(5)).listener(closed::add).build().start();
        closeMe.add(server::closeNow);
        return server;
    }

    private SocketChannel call(TcpServer server) throws IOException {
        SocketChannel c = SocketChannel.open(server.localAddress());
        closeMe.add(c);
        return c;
    }

    private SocketChannel accept(ServerSocketChannel upstream) throws IOException {
        SocketChannel s = upstream.accept();
        closeMe.add(s);
        return s;
    }

    private <T> Future<T> async(Callable<T> task) {
        return threads.submit(task);
    }

    /** True when the socket's next read says it is over: EOF, or a reset. */
    private static boolean endsWithoutData(SocketChannel ch) {
        try {
            return ch.read(ByteBuffer.allocate(1)) == -1;
        } catch (IOException reset) {
            return true;
        }
    }

    private RelayRecord relayRecord() throws InterruptedException {
        RelayRecord r = relayed.poll(20, TimeUnit.SECONDS);
        assertThat(r).as("the relay's record").isNotNull();
        return r;
    }

    private ConnectionRecord serverRecord() throws InterruptedException {
        ConnectionRecord r = closed.poll(20, TimeUnit.SECONDS);
        assertThat(r).as("the server's record").isNotNull();
        return r;
    }

    @Test
    void tenMegabytesEachWayAtOnceArriveExactlyAndBothRecordsCountThem() throws Exception {
        ServerSocketChannel upstream = listen();
        byte[] up = random(10 << 20, 1);
        byte[] down = random(10 << 20, 2);
        SocketChannel client = call(serve(relayTo(at(upstream))));
        SocketChannel server = accept(upstream);

        Future<Void> clientWrites = async(() -> writeAllAndHalfClose(client, up));
        Future<Void> serverWrites = async(() -> writeAllAndHalfClose(server, down));
        Future<byte[]> serverGot = async(() -> readToEof(server));
        assertThat(readToEof(client)).isEqualTo(down);
        assertThat(serverGot.get()).isEqualTo(up);
        clientWrites.get();
        serverWrites.get();

        RelayRecord r = relayRecord();
        assertThat(r.outcome()).isEqualTo("ok");
        assertThat(r.upstream()).isEqualTo(at(upstream).toString());
        assertThat(r.bytesToUpstream()).isEqualTo(up.length);
        assertThat(r.bytesToClient()).isEqualTo(down.length);
        ConnectionRecord c = serverRecord();
        assertThat(c.model()).isEqualTo("loop");
        assertThat(c.outcome()).isEqualTo("ok");
        assertThat(c.in()).isEqualTo(up.length);
        assertThat(c.out()).isEqualTo(down.length);
        assertThat(c.fields()).containsEntry("upstream", at(upstream).toString());
    }

    @Test
    void aRecordsConsumerThatThrowsCostsNeitherTheLoopNorAnotherCallersBytes() throws Exception {
        ServerSocketChannel upstream = listen();
        TcpServer server = serve(relayTo(at(upstream)).withRecords(r -> {
            throw new IllegalStateException("a log that fails");
        }));
        SocketChannel other = call(server); // on the same, only loop
        SocketChannel otherUp = accept(upstream);
        SocketChannel resetting = call(server);
        accept(upstream);
        resetting.setOption(StandardSocketOptions.SO_LINGER, 0);
        resetting.close(); // its relay ends with a reset, and a record for the consumer
        assertThat(serverRecord().outcome()).isEqualTo("reset");

        writeAllAndHalfClose(other, "still here".getBytes(US_ASCII));
        assertThat(new String(readToEof(otherUp), US_ASCII)).isEqualTo("still here");
        writeAllAndHalfClose(otherUp, "and served".getBytes(US_ASCII));
        assertThat(new String(readToEof(other), US_ASCII)).isEqualTo("and served");
        assertThat(serverRecord().outcome()).isEqualTo("ok");
    }

    @Test
    void aLateReplyAfterTheCallersHalfCloseArrivesWhole() throws Exception {
        ServerSocketChannel upstream = listen();
        byte[] reply = random(1 << 20, 3);
        SocketChannel client = call(serve(relayTo(at(upstream))));
        SocketChannel server = accept(upstream);

        writeAllAndHalfClose(client, "question".getBytes(US_ASCII));
        // The upstream answers only after the caller's EOF has reached it.
        assertThat(new String(readToEof(server), US_ASCII)).isEqualTo("question");
        async(() -> writeAllAndHalfClose(server, reply));
        assertThat(readToEof(client)).isEqualTo(reply);
        assertThat(relayRecord().outcome()).isEqualTo("ok");
    }

    @Test
    void aLateWriteAfterTheUpstreamsHalfCloseArrivesWhole() throws Exception {
        ServerSocketChannel upstream = listen();
        byte[] late = random(1 << 20, 4);
        SocketChannel client = call(serve(relayTo(at(upstream))));
        SocketChannel server = accept(upstream);

        writeAllAndHalfClose(server, "banner".getBytes(US_ASCII));
        assertThat(new String(readToEof(client), US_ASCII)).isEqualTo("banner");
        async(() -> writeAllAndHalfClose(client, late));
        assertThat(readToEof(server)).isEqualTo(late);
        RelayRecord r = relayRecord();
        assertThat(r.bytesToUpstream()).isEqualTo(late.length);
        assertThat(r.bytesToClient()).isEqualTo(6);
    }

    @Test
    void aRefusingUpstreamClosesTheCallerPromptlyWithTheOutcome() throws Exception {
        ServerSocketChannel gone = listen();
        Upstream dead = at(gone);
        gone.close(); // nothing listens there now: the kernel refuses
        SocketChannel client = call(serve(relayTo(dead)));
        assertThat(endsWithoutData(client)).as("the caller sees its connection end").isTrue();
        assertThat(relayRecord().outcome()).isEqualTo("upstream-refused");
        ConnectionRecord c = serverRecord();
        assertThat(c.outcome()).isEqualTo("upstream-refused");
        assertThat(c.fields()).containsEntry("upstream", dead.toString());
    }

    @Test
    void anUpstreamThatNeverAnswersTimesOutAndTheCallerIsClosed() throws Exception {
        // A listener whose accept queue is full: the kernel drops further SYNs, so a connect
        // neither succeeds nor fails, the honest stand-in for a silent host.
        ServerSocketChannel full = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
        closeMe.add(full);
        boolean filled = false;
        for (int i = 0; i < 16 && !filled; i++) {
            Socket s = new Socket();
            closeMe.add(s);
            try {
                s.connect(full.getLocalAddress(), 300);
            } catch (SocketTimeoutException e) {
                filled = true;
            }
        }
        assertThat(filled).as("the listener's queue filled up").isTrue();
        Relay relay = relayTo(at(full)).withDialer(Dialer.defaults().withConnectTimeout(Duration.ofMillis(300)));
        long start = System.nanoTime();
        SocketChannel client = call(serve(relay));
        assertThat(endsWithoutData(client)).isTrue();
        assertThat(relayRecord().outcome()).isEqualTo("upstream-timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void roundRobinSkipsARefusingUpstreamAndKeepsEveryCaller() throws Exception {
        ServerSocketChannel gone = listen();
        Upstream dead = at(gone);
        gone.close();
        ServerSocketChannel one = listen();
        ServerSocketChannel two = listen();
        nameServer(threads, one, "one");
        nameServer(threads, two, "two");
        Upstreams upstreams = new Upstreams(List.of(dead, at(one), at(two)), Duration.ofHours(1));
        TcpServer server = serve(new Relay(upstreams, relayTo(dead).dialer(), SendProxy.NONE, null, relayed::add));
        List<String> answers = new ArrayList<>();
        List<String> used = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            SocketChannel client = call(server);
            client.shutdownOutput();
            answers.add(new String(readToEof(client), US_ASCII));
            used.add(relayRecord().upstream());
        }
        assertThat(answers).containsOnly("one", "two").contains("one", "two");
        assertThat(used).doesNotContain(dead.toString());
        assertThat(upstreams.plan()).as("the dead one is backing off").doesNotContain(dead).hasSize(2);
    }

    @Test
    void aResetFromTheUpstreamResetsTheCaller() throws Exception {
        ServerSocketChannel upstream = listen();
        SocketChannel client = call(serve(relayTo(at(upstream))));
        SocketChannel server = accept(upstream);
        server.write(ByteBuffer.wrap(new byte[] {'x'}));
        assertThat(client.read(ByteBuffer.allocate(1))).as("the relay is copying").isEqualTo(1);
        server.setOption(StandardSocketOptions.SO_LINGER, 0);
        server.close(); // a reset
        assertThat(endsWithoutData(client)).as("the caller's connection ends").isTrue();
        assertThat(relayRecord().outcome()).isEqualTo("reset");
        assertThat(serverRecord().outcome()).isEqualTo("reset");
    }

    @Test
    void anAnswerTheUpstreamSendsJustBeforeItResetsReachesTheCaller() throws Exception {
        ServerSocketChannel upstream = listen();
        SocketChannel client = call(serve(relayTo(at(upstream))));
        SocketChannel server = accept(upstream);
        // An upload the upstream does not read, until the relay holds the rest back: the
        // upstream's side is then waited on for writing as well as for reading.
        client.configureBlocking(false);
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long stalledSince = 0;
        while (System.nanoTime() < deadline) {
            chunk.clear();
            if (client.write(chunk) > 0) {
                stalledSince = 0;
            } else if (stalledSince == 0) {
                stalledSince = System.nanoTime();
            } else if (System.nanoTime() - stalledSince > TimeUnit.MILLISECONDS.toNanos(200)) {
                break; // nothing taken for a while: the relay holds the upload back
            } else {
                Thread.sleep(1);
            }
        }
        client.configureBlocking(true);
        // What an HTTP server does with an upload it refuses: answers, then closes with the
        // upload unread, which the kernel sends as a reset.
        server.write(ByteBuffer.wrap("413 too large\n".getBytes(US_ASCII)));
        server.setOption(StandardSocketOptions.SO_LINGER, 0);
        server.close();
        ByteBuffer got = ByteBuffer.allocate(64);
        try {
            while (client.read(got) >= 0) {
                // until the end the relay passed on
            }
        } catch (IOException reset) {
            // the reset passed on, after the answer
        }
        assertThat(new String(got.array(), 0, got.position(), US_ASCII)).isEqualTo("413 too large\n");
        RelayRecord r = relayRecord();
        assertThat(r.outcome()).isEqualTo("reset");
        assertThat(r.bytesToClient()).isEqualTo(14);
    }

    @Test
    void aResetFromTheCallerResetsTheUpstream() throws Exception {
        ServerSocketChannel upstream = listen();
        SocketChannel client = call(serve(relayTo(at(upstream))));
        SocketChannel server = accept(upstream);
        client.write(ByteBuffer.wrap(new byte[] {'x'}));
        assertThat(server.read(ByteBuffer.allocate(1))).as("the relay is copying").isEqualTo(1);
        client.setOption(StandardSocketOptions.SO_LINGER, 0);
        client.close();
        assertThat(endsWithoutData(server)).as("the upstream's connection ends").isTrue();
        assertThat(relayRecord().outcome()).isEqualTo("reset");
    }

    @ParameterizedTest
    @EnumSource(value = SendProxy.class, names = {"V1", "V2"})
    void sendProxyPutsTheHeaderFirstAndItParses(SendProxy version) throws Exception {
        ServerSocketChannel upstream = listen();
        SocketChannel client = call(serve(relayTo(at(upstream)).withSendProxy(version)));
        SocketChannel server = accept(upstream);
        writeAllAndHalfClose(client, "payload".getBytes(US_ASCII));

        ProxyResult r = new ProxyHeaderReader().read(server);
        assertThat(r).isInstanceOf(ProxyResult.Accepted.class);
        assertThat(((ProxyResult.Accepted) r).header()).isEqualTo(new ProxyHeader.Proxied(
                (InetSocketAddress) client.getLocalAddress(), (InetSocketAddress) client.getRemoteAddress(),
                version == SendProxy.V1 ? 1 : 2));
        assertThat(new String(readToEof(server), US_ASCII)).isEqualTo("payload");
        server.shutdownOutput();
        assertThat(readToEof(client)).isEmpty();
        assertThat(relayRecord().bytesToUpstream()).isEqualTo(7); // the caller's bytes, not the header
    }

    @Test
    void theServersIdleTimeoutResetsBothSides() throws Exception {
        ServerSocketChannel upstream = listen();
        SocketChannel client = call(serve(relayTo(at(upstream)), Duration.ofMillis(300)));
        SocketChannel server = accept(upstream);
        assertThat(endsWithoutData(client)).as("the caller's connection was cut").isTrue();
        assertThat(endsWithoutData(server)).as("the upstream's connection was cut").isTrue();
        assertThat(relayRecord().outcome()).isEqualTo("idle-timeout");
        assertThat(serverRecord().outcome()).isEqualTo("idle-timeout");
    }

    @Test
    void theRelaysOwnIdleTimeoutResetsBothSides() throws Exception {
        ServerSocketChannel upstream = listen();
        SocketChannel client = call(serve(relayTo(at(upstream)).withIdleTimeout(Duration.ofMillis(300))));
        SocketChannel server = accept(upstream);
        client.write(ByteBuffer.wrap(new byte[] {'x'}));
        assertThat(server.read(ByteBuffer.allocate(1))).as("the relay is copying").isEqualTo(1);
        assertThat(endsWithoutData(client)).as("the caller's connection was cut").isTrue();
        assertThat(endsWithoutData(server)).as("the upstream's connection was cut").isTrue();
        assertThat(relayRecord().outcome()).isEqualTo("idle-timeout");
    }

    @Test
    void aGracefulStopLetsARelayedExchangeFinish() throws Exception {
        ServerSocketChannel upstream = listen();
        TcpServer relay = serve(relayTo(at(upstream)));
        SocketChannel client = call(relay);
        SocketChannel server = accept(upstream);
        Future<?> stopped = async(() -> {
            relay.close();
            return null;
        });
        // The listener is closed at once; the open exchange still completes within the grace.
        writeAllAndHalfClose(client, "late question".getBytes(US_ASCII));
        assertThat(new String(readToEof(server), US_ASCII)).isEqualTo("late question");
        writeAllAndHalfClose(server, "answer".getBytes(US_ASCII));
        assertThat(new String(readToEof(client), US_ASCII)).isEqualTo("answer");
        stopped.get(10, TimeUnit.SECONDS);
        assertThat(relayRecord().outcome()).isEqualTo("ok");
    }

    @Test
    void aGracefulStopResetsWhatIsStillOpenAfterTheGrace() throws Exception {
        ServerSocketChannel upstream = listen();
        TcpServer relay = serve(relayTo(at(upstream)));
        SocketChannel client = call(relay);
        SocketChannel server = accept(upstream);
        relay.close(Duration.ofMillis(200));
        assertThat(endsWithoutData(client)).isTrue();
        assertThat(endsWithoutData(server)).isTrue();
        assertThat(relayRecord().outcome()).isEqualTo("shutdown");
    }
}
