package dev.switchboard.jmh;

import dev.switchboard.proxy.ProxyHeaderReader;
import dev.switchboard.proxy.ProxyHeaderWriter;
import dev.switchboard.proxy.ProxyResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Shows a regression in decoding one PROXY header, v1 text or v2 binary, for an IPv4 or IPv6
 * caller, with the decoder every server path uses (framed read by read as from the socket,
 * never past the header; the caller's first data follows it, as on the wire).
 */
public class ProxyHeaderBenchmark extends HotPathBenchmark {

    @Param({"v1-ipv4", "v1-ipv6", "v2-ipv4", "v2-ipv6"})
    public String header;

    final ProxyHeaderReader reader = new ProxyHeaderReader();
    InetSocketAddress source;
    InetSocketAddress destination;
    byte[] wire;
    int headerLength;

    @Setup
    public void setup() throws IOException {
        boolean v6 = header.endsWith("ipv6");
        source = new InetSocketAddress(InetAddress.getByName(v6 ? "2001:db8:4:2::33" : "198.51.100.33"), 51234);
        destination = new InetSocketAddress(InetAddress.getByName(v6 ? "2001:db8::1" : "192.0.2.1"), 443);
        byte[] head = header.startsWith("v1") ? ProxyHeaderWriter.v1(source, destination)
                : ProxyHeaderWriter.v2(source, destination);
        byte[] data = "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
        wire = Arrays.copyOf(head, head.length + data.length);
        System.arraycopy(data, 0, wire, head.length, data.length);
        headerLength = head.length;
    }

    @Benchmark
    public ProxyResult decode() {
        return reader.parse(wire);
    }
}
