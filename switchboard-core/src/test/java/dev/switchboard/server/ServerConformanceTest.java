package dev.switchboard.server;

import static dev.switchboard.server.TestHandlers.ECHO;
import static dev.switchboard.server.TestHandlers.GREET;
import static dev.switchboard.server.TestHandlers.connect;
import static dev.switchboard.server.TestHandlers.readAll;
import static dev.switchboard.server.TestHandlers.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.switchboard.model.ConcurrencyModel;
import dev.switchboard.model.EventLoop;
import dev.switchboard.model.ProcessPerConnection;
import dev.switchboard.model.Serial;
import dev.switchboard.model.ThreadPerConnection;
import dev.switchboard.model.VirtualThreadPerConnection;
import dev.switchboard.service.ProtocolHandler;
import dev.switchboard.service.Service;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same cases over every concurrency model: with plain blocking handlers, and with the
 * built-in services' protocols, which are all the event-loop model runs. Under fork the child
 * is a small program that does the handler's job ({@code cat} for echo, a shell
 * {@code printf} of the UCSPI variables for greet), so what is tested is the fork model
 * itself: a process per connection, spliced, with the caller's address in its environment.
 * (The real {@code switchboard handle} child is tested in switchboard-cli's ForkServeIT.)
 * Cases whose handler is Java code that can't move into a child skip fork.
 */
@Timeout(60)
class ServerConformanceTest {

    private final List<TcpServer> servers = new ArrayList<>();
    private final RecordingListener records = new RecordingListener();

    static final List<String> ECHO_CHILD = List.of("cat");
    static final List<String> GREET_CHILD = List.of("sh", "-c",
            "printf 'Hello, person from %s:%s\\n' \"$TCPREMOTEIP\" \"$TCPREMOTEPORT\"");

    /** A model and the greet and echo it serves: plain handlers or the built-in protocols. */
    record Served(ConcurrencyModel model, ConnectionHandler greet, ConnectionHandler echo, String shape) {
        /** The model as the greet cases run it: under fork, with a child that greets. */
        ConcurrencyModel greetModel() {
            return model instanceof ProcessPerConnection ? new ProcessPerConnection(GREET_CHILD) : model;
        }

        /** The model as the echo cases run it: under fork, with a child that echoes. */
        ConcurrencyModel echoModel() {
            return model instanceof ProcessPerConnection ? new ProcessPerConnection(ECHO_CHILD) : model;
        }

        @Override
        public String toString() {
            return model.name() + " " + shape;
        }
    }

    static Stream<ConcurrencyModel> models() {
        // fork's child is chosen per case, by serving()
        return Stream.of(new Serial(), new ThreadPerConnection(), new VirtualThreadPerConnection(),
                new ProcessPerConnection(List.of()));
    }

    /** The model as a case runs it: under fork, with the child that does the case's job. */
    private static ConcurrencyModel serving(ConcurrencyModel model, List<String> child) {
        return model instanceof ProcessPerConnection ? new ProcessPerConnection(child) : model;
    }

    /** How a clean end is logged: a child's exit status under fork. */
    private static String ok(ConcurrencyModel model) {
        return model instanceof ProcessPerConnection ? "exit=0" : "ok";
    }

    private static void assumeInProcess(ConcurrencyModel model) {
        assumeFalse(model instanceof ProcessPerConnection, "this case's handler is Java code, which fork can't run in a child");
    }

    static Stream<Served> served() {
        ConnectionHandler greet = new ProtocolHandler(Service.GREET.factory(Service.Options.DEFAULTS));
        ConnectionHandler echo = new ProtocolHandler(Service.ECHO.factory(Service.Options.DEFAULTS));
        Stream<Served> plain = models().map(m -> new Served(m, GREET, ECHO, "handlers"));
        Stream<Served> protocols = Stream.of(new Serial(), new ThreadPerConnection(), new VirtualThreadPerConnection(),
                new EventLoop(), new EventLoop(1)).map(m -> new Served(m, greet, echo, "protocols"
                + (m instanceof EventLoop l ? " (" + l.loops() + " loops)" : "")));
        return Stream.concat(plain, protocols);
    }

    private TcpServer start(TcpServerBuilder b) throws IOException {
        TcpServer s = b.address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).backlog(512)
                .listener(records).build().start();
        servers.add(s);
        return s;
    }

    @AfterEach
    void stop() {
        servers.forEach(TcpServer::closeNow);
    }

    @ParameterizedTest
    @MethodSource("served")
    void greetsWithTheCallersAddress(Served served) throws Exception {
        TcpServer server = start(TcpServer.builder().model(served.greetModel()).handler(served.greet()).service("greet"));
        try (Socket s = connect(server.localAddress())) {
            String text = new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII);
            assertThat(text).isEqualTo("Hello, person from 127.0.0.1:" + s.getLocalPort() + "\n");
        }
        assertThat(records.await(x -> true).outcome()).isEqualTo(ok(served.model())); // under fork: the child's exit
    }

    @ParameterizedTest
    @MethodSource("served")
    void echoesOneMebibyteByteForByte(Served served) throws Exception {
        TcpServer server = start(TcpServer.builder().model(served.echoModel()).handler(served.echo()));
        byte[] data = new byte[1 << 20];
        new Random(42).nextBytes(data);
        assertThat(roundTrip(server.localAddress(), data)).isEqualTo(data);
        ConnectionRecord r = records.await(x -> true);
        assertThat(r.in()).isEqualTo(data.length);
        assertThat(r.out()).isEqualTo(data.length);
        assertThat(r.outcome()).isEqualTo(ok(served.model()));
        assertThat(r.model()).isEqualTo(served.model().name());
    }

    @ParameterizedTest
    @MethodSource("served")
    void manyConcurrentClientsGetTheirOwnReplies(Served served) throws Exception {
        TcpServer server = start(TcpServer.builder().model(served.echoModel()).handler(served.echo()));
        // Serial answers one caller at a time, and fork starts a process for each: fewer callers
        // keep those quick and honest.
        int clients = served.model() instanceof Serial ? 20 : served.model() instanceof ProcessPerConnection ? 50 : 200;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> answers = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                byte[] mine = ("client " + i + " says " + "x".repeat(i)).getBytes(StandardCharsets.US_ASCII);
                answers.add(pool.submit(() -> Arrays.equals(roundTrip(server.localAddress(), mine), mine)));
            }
            for (Future<Boolean> f : answers) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isTrue();
            }
        }
        assertThat(records.await(x -> records.ended.size() == clients)).isNotNull();
        assertThat(records.ended).allMatch(r -> r.outcome().equals(ok(served.model())));
    }

    @ParameterizedTest
    @MethodSource("served")
    void theConnectionLimitKeepsTheNextCallerWaitingUntilOneEnds(Served served) throws Exception {
        int limit = served.model() instanceof Serial ? 1 : 2;
        TcpServer server = start(TcpServer.builder().model(served.echoModel()).handler(served.echo()).maxConnections(limit));
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < limit; i++) {
            Socket s = connect(server.localAddress());
            held.add(s);
            s.getOutputStream().write('a');
            assertThat(s.getInputStream().read()).isEqualTo('a'); // being served
        }
        try (Socket waiting = connect(server.localAddress())) { // the kernel's backlog completes it
            waiting.getOutputStream().write('b');
            waiting.setSoTimeout(300);
            assertThatThrownBy(() -> waiting.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            assertThat(server.openConnections()).isEqualTo(limit);
            held.get(0).close();
            waiting.setSoTimeout(10_000);
            assertThat(waiting.getInputStream().read()).isEqualTo('b');
        } finally {
            for (Socket s : held) s.close();
        }
    }

    @ParameterizedTest
    @MethodSource("served")
    void aGracefulStopLosesNoneOfAnOpenConnectionsData(Served served) throws Exception {
        TcpServer server = start(TcpServer.builder().model(served.echoModel()).handler(served.echo()).grace(Duration.ofSeconds(20)));
        byte[] data = new byte[256 * 1024];
        new Random(7).nextBytes(data);
        try (Socket s = connect(server.localAddress())) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(data, 0, 1000);
            assertThat(in.readNBytes(1000)).isEqualTo(Arrays.copyOf(data, 1000));
            Thread stopper = Thread.ofVirtual().start(server::close);
            // The listener closes at once: new callers are refused while this one goes on.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (canConnect(server.localAddress()) && System.nanoTime() < deadline) {
                Thread.sleep(10); // polling a deadline
            }
            assertThat(canConnect(server.localAddress())).isFalse();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(data, 1000, data.length - 1000);
                    s.shutdownOutput();
                } catch (IOException ignored) {
                    // the comparison below reports it
                }
            });
            assertThat(readAll(in)).isEqualTo(Arrays.copyOfRange(data, 1000, data.length));
            writer.join();
            assertThat(stopper.join(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(records.await(x -> true).outcome()).isEqualTo(ok(served.model()));
    }

    private static boolean canConnect(InetSocketAddress a) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", a.getPort()), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void serialServesOneCallerAtATimeAndTheOthersDoNot(ConcurrencyModel model) throws Exception {
        assumeInProcess(model);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        CountDownLatch bothArrived = new CountDownLatch(2);
        ConnectionHandler h = c -> {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                bothArrived.countDown();
                // Serial: the second caller can't arrive while we hold the loop, so don't wait long.
                bothArrived.await(model instanceof Serial ? 300 : 10_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                running.decrementAndGet();
            }
            GREET.handle(c);
        };
        TcpServer server = start(TcpServer.builder().model(model).handler(h));
        try (Socket a = connect(server.localAddress()); Socket b = connect(server.localAddress())) {
            assertThat(readAll(a.getInputStream())).isNotEmpty();
            assertThat(readAll(b.getInputStream())).isNotEmpty();
        }
        assertThat(mostAtOnce.get()).isEqualTo(model instanceof Serial ? 1 : 2);
    }

    @ParameterizedTest
    @MethodSource("models")
    void aHandlerThatThrowsLeavesTheServerServing(ConcurrencyModel model) throws Exception {
        assumeInProcess(model);
        AtomicInteger calls = new AtomicInteger();
        ConnectionHandler h = c -> {
            if (calls.incrementAndGet() == 1) throw new IllegalStateException("a bug in the handler");
            GREET.handle(c);
        };
        TcpServer server = start(TcpServer.builder().model(model).handler(h));
        try (Socket s = connect(server.localAddress())) {
            assertThat(readAll(s.getInputStream())).isEmpty();
        }
        try (Socket s = connect(server.localAddress())) {
            assertThat(new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII)).startsWith("Hello");
        }
        ConnectionRecord failed = records.await(r -> r.id() == 1);
        assertThat(failed.outcome()).isEqualTo("error=IllegalStateException");
        assertThat(failed.fields()).containsEntry("cause", "a bug in the handler");
    }

    @ParameterizedTest
    @MethodSource("served")
    void idleConnectionsAreClosedByTheTimeout(Served served) throws Exception {
        TcpServer server = start(TcpServer.builder().model(served.echoModel()).handler(served.echo()).idleTimeout(Duration.ofMillis(300)));
        try (Socket s = connect(server.localAddress())) {
            s.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
            assertThat(s.getInputStream().readNBytes(2)).isEqualTo("hi".getBytes(StandardCharsets.US_ASCII));
            // Then silence: the server must end it (EOF or reset, either way not a timeout here).
            try {
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            } catch (IOException reset) {
                assertThat(reset).isNotInstanceOf(SocketTimeoutException.class);
            }
        }
        ConnectionRecord r = records.await(x -> true);
        assertThat(r.outcome()).isEqualTo("idle-timeout");
        assertThat(r.in()).isEqualTo(2);
        assertThat(r.ms()).isGreaterThanOrEqualTo(300);
    }
}
