package dev.switchboard.relay;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static dev.switchboard.relay.ChannelBytes.nameServer;
import static dev.switchboard.relay.ChannelBytes.random;
import static dev.switchboard.relay.ChannelBytes.readToEof;
import static dev.switchboard.relay.ChannelBytes.writeAllAndHalfClose;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.client.Dialer;
import dev.switchboard.proxy.ProxyHeader;
import dev.switchboard.proxy.ProxyHeaderReader;
import dev.switchboard.proxy.ProxyResult;
import dev.switchboard.server.Connection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
 * The relay handler on real loopback sockets, without a server: the test accepts the caller
 * itself, wraps it in a {@link Connection} and runs the handler on a thread, and plays the
 * upstream on a second listening socket.
 */
@Timeout(60)
class RelayTest {

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final LinkedBlockingQueue<RelayRecord> records = new LinkedBlockingQueue<>();
    private final List<AutoCloseable> closeMe = new ArrayList<>();
    private long nextId = 1;

    @AfterEach
    void cleanUp() throws Exception {
        threads.shutdownNow();
        for (AutoCloseable c : closeMe) c.close();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private ServerSocketChannel listen() throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        closeMe.add(s);
        return s;
    }

    private static Upstream upstreamAt(ServerSocketChannel s) throws IOException {
        return new Upstream("127.0.0.1", ((InetSocketAddress) s.getLocalAddress()).getPort());
    }

    /** A caller through the relay: the client's socket, the accepted connection, the handler's run. */
    private record Call(SocketChannel client, Connection connection, Future<Void> handled) {
    }

    private Call call(Relay relay) throws IOException {
        return call(relay, threads);
    }

    /** The handler runs on a thread of {@code model}: virtual, or platform as under the threads model. */
    private Call call(Relay relay, ExecutorService model) throws IOException {
        ServerSocketChannel front = listen();
        SocketChannel client = SocketChannel.open(front.getLocalAddress());
        closeMe.add(client);
        Connection c = new Connection(nextId++, front.accept());
        Future<Void> handled = model.submit(() -> {
            relay.handle(c);
            return null;
        });
        return new Call(client, c, handled);
    }

    private Relay relayTo(Upstream... to) {
        return Relay.to(new Upstreams(List.of(to), Duration.ofHours(1)))
                .withDialer(Dialer.defaults().withConnectTimeout(Duration.ofSeconds(5)))
                .withRecords(records::add);
    }

    private <T> Future<T> async(Callable<T> task) {
        return threads.submit(task);
    }

    private RelayRecord record() throws InterruptedException {
        RelayRecord r = records.poll(20, TimeUnit.SECONDS);
        assertThat(r).as("the relay's record").isNotNull();
        return r;
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void tenMegabytesEachWayAtOnceArriveExactly(boolean virtual) throws Exception {
        ServerSocketChannel upstream = listen();
        byte[] up = random(10 << 20, 1);
        byte[] down = random(10 << 20, 2);
        ExecutorService platform = Executors.newCachedThreadPool();
        closeMe.add(platform::shutdownNow);
        Call call = call(relayTo(upstreamAt(upstream)), virtual ? threads : platform);
        SocketChannel server = upstream.accept();
        closeMe.add(server);

        Future<Void> clientWrites = async(() -> writeAllAndHalfClose(call.client(), up));
        Future<Void> serverWrites = async(() -> writeAllAndHalfClose(server, down));
        Future<byte[]> serverGot = async(() -> readToEof(server));
        Future<byte[]> clientGot = async(() -> readToEof(call.client()));

        assertThat(serverGot.get()).isEqualTo(up);
        assertThat(clientGot.get()).isEqualTo(down);
        clientWrites.get();
        serverWrites.get();
        call.handled().get();
        RelayRecord r = record();
        assertThat(r).isEqualTo(new RelayRecord(call.connection().id(), upstreamAt(upstream).toString(), "ok",
                up.length, down.length));
        assertThat(call.connection().outcome()).isEqualTo("ok");
        assertThat(call.connection().fields()).containsEntry("upstream", upstreamAt(upstream).toString());
        assertThat(call.connection().bytesIn()).isEqualTo(up.length);
        assertThat(call.connection().bytesOut()).isEqualTo(down.length);
    }

    @Test
    void aLateReplyAfterTheCallersHalfCloseArrivesWhole() throws Exception {
        ServerSocketChannel upstream = listen();
        byte[] reply = random(1 << 20, 3);
        Call call = call(relayTo(upstreamAt(upstream)));
        SocketChannel server = upstream.accept();
        closeMe.add(server);

        writeAllAndHalfClose(call.client(), "question".getBytes(US_ASCII));
        // The upstream answers only after the caller's EOF has reached it.
        assertThat(new String(readToEof(server), US_ASCII)).isEqualTo("question");
        async(() -> writeAllAndHalfClose(server, reply));
        assertThat(readToEof(call.client())).isEqualTo(reply);
        call.handled().get();
        assertThat(record().outcome()).isEqualTo("ok");
    }

    @Test
    void aLateWriteAfterTheUpstreamsHalfCloseArrivesWhole() throws Exception {
        ServerSocketChannel upstream = listen();
        byte[] late = random(1 << 20, 4);
        Call call = call(relayTo(upstreamAt(upstream)));
        SocketChannel server = upstream.accept();
        closeMe.add(server);

        writeAllAndHalfClose(server, "banner".getBytes(US_ASCII));
        assertThat(new String(readToEof(call.client()), US_ASCII)).isEqualTo("banner");
        async(() -> writeAllAndHalfClose(call.client(), late));
        assertThat(readToEof(server)).isEqualTo(late);
        call.handled().get();
        RelayRecord r = record();
        assertThat(r.bytesToUpstream()).isEqualTo(late.length);
        assertThat(r.bytesToClient()).isEqualTo(6);
    }

    @Test
    void aRefusingUpstreamClosesTheCallerPromptlyWithTheOutcome() throws Exception {
        ServerSocketChannel gone = listen();
        Upstream dead = upstreamAt(gone);
        gone.close(); // nothing listens there now: the kernel refuses
        Call call = call(relayTo(dead));
        assertThat(endsWithoutData(call.client())).as("the caller sees its connection end").isTrue();
        call.handled().get();
        assertThat(record()).isEqualTo(new RelayRecord(call.connection().id(), dead.toString(), "upstream-refused", 0, 0));
        assertThat(call.connection().outcome()).isEqualTo("upstream-refused");
        assertThat(call.connection().fields()).containsEntry("upstream", dead.toString());
        assertThat(call.connection().isOpen()).isFalse();
    }

    @Test
    void aResetFromTheUpstreamEndsTheCallerPromptly() throws Exception {
        ServerSocketChannel upstream = listen();
        Call call = call(relayTo(upstreamAt(upstream)));
        SocketChannel server = upstream.accept();
        server.write(ByteBuffer.wrap(new byte[] {'x'}));
        assertThat(call.client().read(ByteBuffer.allocate(1))).as("the splice is running").isEqualTo(1);
        server.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
        server.close(); // a reset
        assertThat(endsWithoutData(call.client())).as("the caller's connection ends").isTrue();
        call.handled().get();
        assertThat(record().outcome()).isEqualTo("reset");
    }

    @Test
    void anIdleRelayedConnectionIsEndedByTheIdleTimeout() throws Exception {
        ServerSocketChannel upstream = listen();
        Call call = call(relayTo(upstreamAt(upstream)).withIdleTimeout(Duration.ofMillis(300)));
        SocketChannel server = upstream.accept();
        closeMe.add(server);
        call.handled().get(20, TimeUnit.SECONDS);
        assertThat(record().outcome()).isEqualTo("idle-timeout");
        assertThat(endsWithoutData(server)).as("the upstream's connection was aborted").isTrue();
        assertThat(endsWithoutData(call.client())).as("the caller's connection was aborted").isTrue();
    }

    /** True when the socket's next read says it is over: EOF, or a reset. */
    private static boolean endsWithoutData(SocketChannel ch) {
        try {
            return ch.read(ByteBuffer.allocate(1)) == -1;
        } catch (IOException reset) {
            return true;
        }
    }

    @Test
    void roundRobinSkipsARefusingUpstreamAndKeepsEveryCaller() throws Exception {
        ServerSocketChannel gone = listen();
        Upstream dead = upstreamAt(gone);
        gone.close();
        ServerSocketChannel one = listen();
        ServerSocketChannel two = listen();
        nameServer(threads, one, "one");
        nameServer(threads, two, "two");
        Upstreams upstreams = new Upstreams(List.of(dead, upstreamAt(one), upstreamAt(two)), Duration.ofHours(1));
        Relay relay = new Relay(upstreams, relayTo(dead).dialer(), SendProxy.NONE, null, records::add);
        List<String> answers = new ArrayList<>();
        List<String> upstreamsUsed = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Call call = call(relay);
            call.client().shutdownOutput();
            answers.add(new String(readToEof(call.client()), US_ASCII));
            call.handled().get();
            upstreamsUsed.add(record().upstream());
        }
        // The dead one refused the first caller, who went on to the next; after that it is
        // skipped for its back-off, and the two live ones share the callers.
        assertThat(answers).containsOnly("one", "two").contains("one", "two");
        assertThat(upstreamsUsed).doesNotContain(dead.toString());
        assertThat(upstreams.plan()).as("the dead one is backing off").doesNotContain(dead).hasSize(2);
    }

    @ParameterizedTest
    @EnumSource(value = SendProxy.class, names = {"V1", "V2"})
    void sendProxyPutsTheHeaderFirstAndItParses(SendProxy version) throws Exception {
        ServerSocketChannel upstream = listen();
        Call call = call(relayTo(upstreamAt(upstream)).withSendProxy(version));
        SocketChannel server = upstream.accept();
        closeMe.add(server);
        writeAllAndHalfClose(call.client(), "payload".getBytes(US_ASCII));

        ProxyResult r = new ProxyHeaderReader().read(server);
        assertThat(r).isInstanceOf(ProxyResult.Accepted.class);
        ProxyHeader h = ((ProxyResult.Accepted) r).header();
        assertThat(h).isEqualTo(new ProxyHeader.Proxied((InetSocketAddress) call.client().getLocalAddress(),
                (InetSocketAddress) call.client().getRemoteAddress(), version == SendProxy.V1 ? 1 : 2));
        assertThat(new String(readToEof(server), US_ASCII)).isEqualTo("payload");
        server.shutdownOutput();
        call.handled().get();
        assertThat(record().bytesToUpstream()).isEqualTo(7); // the caller's bytes, not the header
    }

    @Test
    void aZeroOrNegativeIdleTimeoutIsRefusedWhenSet() {
        // Before: taken, and every relayed connection was then reset at once as idle.
        Relay relay = Relay.to(new Upstreams(List.of(Upstream.parse("127.0.0.1:7")), Upstreams.DEFAULT_BACKOFF));
        for (Duration bad : List.of(Duration.ZERO, Duration.ofSeconds(-1))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> relay.withIdleTimeout(bad)).as(bad.toString())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idle timeout must be positive");
        }
        assertThat(relay.withIdleTimeout(null).idleTimeout()).isNull();
    }
}
