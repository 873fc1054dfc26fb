package dev.switchboard.relay;

import dev.switchboard.server.Connection;
import java.net.*;
import java.nio.ByteBuffer;
import java.nio.channels.*;
import java.time.Duration;
import java.util.List;

/**
 * A measurement, not a test (surefire does not run it): one relayed stream's throughput and
 * 64-byte round trips per second through the relay handler (run on a platform thread as under
 * the threads model, and on a virtual thread), against a direct connection and socat doing
 * the same forwarding, three rounds. Run:
 * {@code ./mvnw -q -pl switchboard-core test-compile && java -cp
 * switchboard-core/target/classes:switchboard-core/target/test-classes dev.switchboard.relay.RelayMeasure}
 */
final class RelayMeasure {
    static final long TOTAL = 2L << 30;

    public static void main(String[] args) throws Exception {
        new RelayMeasure().measure();
    }

    void measure() throws Exception {
        for (int round = 0; round < 3; round++) {
            System.out.printf("stream (2 GiB) MB/s: direct %.0f  relay(threads) %.0f  relay(virtual) %.0f  socat %.0f%n", stream(0), stream(1), stream(3), stream(2));
            System.out.printf("64 B round trips/s: direct %.0f  relay(threads) %.0f  relay(virtual) %.0f  socat %.0f%n", pingpong(0), pingpong(1), pingpong(3), pingpong(2));
        }
    }

    /** 0: the sink itself; 1: a relay on a platform thread; 2: socat; 3: a relay on a virtual thread. */
    SocketAddress front(ServerSocketChannel sink, int relayed) throws Exception {
        if (relayed == 0) return sink.getLocalAddress();
        if (relayed == 2) {
            int p;
            try (ServerSocketChannel probe = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                p = ((InetSocketAddress) probe.getLocalAddress()).getPort();
            }
            int sp = ((InetSocketAddress) sink.getLocalAddress()).getPort();
            new ProcessBuilder("socat", "-b65536", "TCP-LISTEN:" + p + ",bind=127.0.0.1,reuseaddr", "TCP:127.0.0.1:" + sp).inheritIO().start();
            InetSocketAddress a = new InetSocketAddress("127.0.0.1", p);
            return a; // connect() retries until socat listens
        }
        ServerSocketChannel f = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = ((InetSocketAddress) sink.getLocalAddress()).getPort();
        Relay relay = Relay.to(new Upstreams(List.of(new Upstream("127.0.0.1", port)), Duration.ofSeconds(1)));
        (relayed == 3 ? Thread.ofVirtual() : Thread.ofPlatform()).start(() -> {
            try (f) {
                SocketChannel ch = f.accept();
                relay.handle(new Connection(1, ch));
            } catch (Exception e) { e.printStackTrace(); }
        });
        return f.getLocalAddress();
    }

    static SocketChannel connect(SocketAddress a) throws Exception {
        for (int i = 0; ; i++) {
            try { return SocketChannel.open(a); } catch (java.net.ConnectException e) { if (i > 200) throw e; Thread.sleep(10); }
        }
    }

    double stream(int relayed) throws Exception {
        ServerSocketChannel sink = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = Thread.ofPlatform().start(() -> {
            try (sink; SocketChannel s = sink.accept()) {
                ByteBuffer b = ByteBuffer.allocateDirect(256 << 10);
                while (s.read(b) >= 0) b.clear();
            } catch (Exception e) { e.printStackTrace(); }
        });
        SocketChannel c = connect(front(sink, relayed));
        ByteBuffer b = ByteBuffer.allocateDirect(256 << 10);
        long start = System.nanoTime();
        for (long sent = 0; sent < TOTAL; ) {
            b.clear();
            sent += c.write(b);
        }
        c.shutdownOutput();
        t.join();
        double s = (System.nanoTime() - start) / 1e9;
        c.close();
        return TOTAL / s / 1e6;
    }

    double pingpong(int relayed) throws Exception {
        ServerSocketChannel sink = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = Thread.ofPlatform().start(() -> {
            try (sink; SocketChannel s = sink.accept()) {
                s.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ByteBuffer b = ByteBuffer.allocate(64);
                while (true) {
                    b.clear();
                    while (b.hasRemaining()) if (s.read(b) < 0) return;
                    b.flip();
                    while (b.hasRemaining()) s.write(b);
                }
            } catch (Exception e) { e.printStackTrace(); }
        });
        SocketChannel c = connect(front(sink, relayed));
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ByteBuffer b = ByteBuffer.allocate(64);
        long n = 0, start = System.nanoTime(), end = start + 3_000_000_000L;
        while (System.nanoTime() < end) {
            b.clear();
            while (b.hasRemaining()) c.write(b);
            b.clear();
            while (b.hasRemaining()) c.read(b);
            n++;
        }
        double s = (System.nanoTime() - start) / 1e9;
        c.close();
        t.join();
        return n / s;
    }
}
