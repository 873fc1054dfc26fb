package dev.switchboard.faults;

import dev.switchboard.model.ConcurrencyModel;
import dev.switchboard.model.EventLoop;
import dev.switchboard.model.ProcessPerConnection;
import dev.switchboard.model.Serial;
import dev.switchboard.model.ThreadPerConnection;
import dev.switchboard.model.VirtualThreadPerConnection;
import dev.switchboard.relay.Relay;
import dev.switchboard.relay.Upstream;
import dev.switchboard.relay.Upstreams;
import dev.switchboard.server.ConnectionHandler;
import dev.switchboard.server.ConnectionListener;
import dev.switchboard.server.ConnectionRecord;
import dev.switchboard.server.TcpServer;
import dev.switchboard.server.TcpServerBuilder;
import dev.switchboard.service.Exec;
import dev.switchboard.service.ProtocolHandler;
import dev.switchboard.service.Service;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The fault suite's servers, in process: each service (echo, exec of {@code cat}, relay to an
 * echo upstream) under each model, every connection's record kept, every server closed at the end.
 */
final class Harness implements AutoCloseable, ConnectionListener {

    /** The services the abuse is aimed at. */
    enum Kind { ECHO, EXEC, RELAY, GREET }

    /**
     * The models by name; fork runs exec's program as the child (built-ins need the jar: the
     * CLI suite); the loop runs the built-ins and the relay, not exec.
     */
    enum Model {
        SERIAL, THREADS, VIRTUAL, FORK, LOOP;

        ConcurrencyModel create() {
            return switch (this) {
                case SERIAL -> new Serial();
                case THREADS -> new ThreadPerConnection();
                case VIRTUAL -> new VirtualThreadPerConnection();
                case FORK -> new ProcessPerConnection((Exec) null);
                case LOOP -> new EventLoop();
            };
        }
    }

    final List<ConnectionRecord> ended = new CopyOnWriteArrayList<>();
    /** Connections between their open and close records now, and the most there ever were. */
    final AtomicInteger live = new AtomicInteger();
    final AtomicInteger peak = new AtomicInteger();
    /** Records ended with an {@code error=} outcome (counted even when records are not kept). */
    final AtomicInteger errors = new AtomicInteger();
    /** Keep every record (a soak turns this off: a hundred thousand records would be the growth it measures). */
    volatile boolean keepRecords = true;
    private final List<TcpServer> servers = new ArrayList<>();
    private TcpServer upstream;

    @Override
    public void opened(ConnectionRecord record) {
        peak.accumulateAndGet(live.incrementAndGet(), Math::max);
    }

    @Override
    public void ended(ConnectionRecord record) {
        if (!"denied".equals(record.outcome()) && !"over-limit".equals(record.outcome())) live.decrementAndGet();
        if (record.outcome().startsWith("error")) errors.incrementAndGet();
        if (keepRecords) ended.add(record);
    }

    /** A server for {@code kind} under {@code model}; {@code tune} may add limits. */
    TcpServer start(Kind kind, Model model, Consumer<TcpServerBuilder> tune) throws IOException {
        TcpServerBuilder b = TcpServer.builder()
                .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).backlog(4096)
                .model(model.create()).handler(handler(kind)).service(kind.name().toLowerCase())
                .grace(Duration.ofSeconds(2)).listener(this);
        tune.accept(b);
        TcpServer s = b.build().start();
        servers.add(s);
        return s;
    }

    TcpServer start(Kind kind, Model model) throws IOException {
        return start(kind, model, b -> { });
    }

    private ConnectionHandler handler(Kind kind) throws IOException {
        return switch (kind) {
            case ECHO -> new ProtocolHandler(Service.ECHO.factory(Service.Options.DEFAULTS));
            case GREET -> new ProtocolHandler(Service.GREET.factory(Service.Options.DEFAULTS));
            case EXEC -> Exec.of(List.of("cat")).withStderr(line -> { });
            case RELAY -> Relay.to(new Upstreams(List.of(upstreamEcho()), Upstreams.DEFAULT_BACKOFF));
        };
    }

    /** One echo server behind every relay of this harness (its records are not kept). */
    private Upstream upstreamEcho() throws IOException {
        if (upstream == null) {
            upstream = TcpServer.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .backlog(4096).handler(new ProtocolHandler(Service.ECHO.factory(Service.Options.DEFAULTS)))
                    .build().start();
        }
        return new Upstream("127.0.0.1", upstream.localAddress().getPort());
    }

    /** Records matching, once {@code count} of them have arrived (polls up to {@code wait}). */
    List<ConnectionRecord> await(Predicate<ConnectionRecord> match, int count, Duration wait)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            List<ConnectionRecord> hits = ended.stream().filter(match).toList();
            if (hits.size() >= count || System.nanoTime() > deadline) return hits;
            Thread.sleep(20); // polling a deadline
        }
    }

    /** Sends {@code data}, half-closes, and returns everything the server sent back. */
    static byte[] roundTrip(InetSocketAddress at, byte[] data) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(at, 5000);
            s.setSoTimeout(20_000);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    s.getOutputStream().write(data);
                    s.shutdownOutput();
                } catch (IOException ignored) {
                    // the read side reports what came back
                }
            });
            byte[] back = readAll(s.getInputStream());
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return back;
        }
    }

    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    /** Threads alive in this JVM now. */
    static int threads() {
        return Thread.activeCount();
    }

    /** Heap in use after a collection, in bytes (good enough to compare two moments). */
    static long heapUsed() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Override
    public void close() {
        servers.forEach(TcpServer::closeNow);
        if (upstream != null) upstream.closeNow();
    }
}
