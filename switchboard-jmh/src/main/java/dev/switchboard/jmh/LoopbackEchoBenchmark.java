package dev.switchboard.jmh;

import dev.switchboard.model.ConcurrencyModel;
import dev.switchboard.model.EventLoop;
import dev.switchboard.model.VirtualThreadPerConnection;
import dev.switchboard.server.TcpServer;
import dev.switchboard.service.ProtocolHandler;
import dev.switchboard.service.Service;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Timeout;

/**
 * Shows a regression anywhere on a served connection's data path, end to end: an echo
 * {@link TcpServer} on 127.0.0.1 (the event loop or a virtual thread per connection) and one
 * blocking client doing 64-byte round trips over loopback. Kernel time is most of it, so
 * compare runs on the same machine only.
 */
@Timeout(time = 30) // a server that stops answering fails the iteration instead of hanging the run
public class LoopbackEchoBenchmark extends HotPathBenchmark {

    static final int MESSAGE = 64;

    /** The echo server, one for the whole run (every benchmark thread calls it). */
    @State(Scope.Benchmark)
    public static class Server {

        @Param({"loop", "virtual"})
        public String model;

        TcpServer server;

        @Setup(Level.Trial)
        public void start() throws IOException {
            ConcurrencyModel m = model.equals("loop") ? new EventLoop() : new VirtualThreadPerConnection();
            server = TcpServer.builder()
                    .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .model(m)
                    .service("echo")
                    .handler(new ProtocolHandler(Service.ECHO.factory(Service.Options.DEFAULTS)))
                    .build()
                    .start();
        }

        @TearDown(Level.Trial)
        public void stop() {
            server.closeNow();
        }
    }

    /** One connected client per benchmark thread, with its message and answer buffers. */
    @State(Scope.Thread)
    public static class Client {

        SocketChannel channel;
        ByteBuffer message;
        ByteBuffer answer;

        @Setup(Level.Trial)
        public void connect(Server server) throws IOException {
            channel = SocketChannel.open(server.server.localAddress());
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            byte[] bytes = new byte[MESSAGE];
            new Random(7).nextBytes(bytes);
            message = ByteBuffer.wrap(bytes);
            answer = ByteBuffer.allocate(MESSAGE);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            channel.close();
        }
    }

    /** One round trip: 64 bytes written, the 64 echoed read back. */
    @Benchmark
    public ByteBuffer roundTrip(Client client) throws IOException {
        SocketChannel ch = client.channel;
        ByteBuffer out = client.message.clear();
        while (out.hasRemaining()) ch.write(out);
        ByteBuffer in = client.answer.clear();
        while (in.hasRemaining()) {
            if (ch.read(in) < 0) throw new EOFException("the server closed after " + in.position() + " bytes");
        }
        return in.flip();
    }
}
