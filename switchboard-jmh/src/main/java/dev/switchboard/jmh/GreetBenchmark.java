package dev.switchboard.jmh;

import dev.switchboard.service.Greet;
import dev.switchboard.service.GreetTemplate;
import dev.switchboard.service.ProtocolHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Shows a regression in what greet does per connection: rendering the default template for one
 * caller (the address formatted and encoded) and answering {@code opened}, alone
 * ({@link #protocol}, the event loop's share) and through the blocking adapter over an
 * in-memory connection ({@link #blocking}, what the thread models add per connection).
 */
public class GreetBenchmark extends HotPathBenchmark {

    /** The caller's family: a public IPv4 or IPv6 address, as a server on the internet sees. */
    @Param({"ipv4", "ipv6"})
    public String family;

    GreetTemplate template;
    InetSocketAddress local;
    InetSocketAddress remote;
    final SentReply reply = new SentReply();
    final MemoryEndpoint connection = new MemoryEndpoint(new byte[0], 1, 256);

    @Setup
    public void setup() throws IOException {
        template = GreetTemplate.parse(GreetTemplate.DEFAULT);
        boolean v6 = family.equals("ipv6");
        local = new InetSocketAddress(InetAddress.getByName(v6 ? "2001:db8::1" : "192.0.2.1"), 7000);
        remote = new InetSocketAddress(InetAddress.getByName(v6 ? "2001:db8:4:2::33" : "198.51.100.33"), 51234);
    }

    /** The greeting for one connection, as a driver receives it from {@code opened}. */
    @Benchmark
    public ByteBuffer protocol() {
        new Greet(template.render(local, remote)).opened(reply.reset());
        return reply.sent(0);
    }

    /** One connection served by the blocking adapter: rendered, written, half-closed, closed. */
    @Benchmark
    public MemoryEndpoint blocking() throws IOException {
        ProtocolHandler.drive(new Greet(template.render(local, remote)), connection.reset());
        return connection;
    }
}
