package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A connection's outcome and extra fields, which its log record carries. */
@Timeout(10)
class ConnectionOutcomeTest {

    @Test
    void theFirstOutcomeStandsAndFieldsKeepTheirOrder() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = SocketChannel.open(listener.getLocalAddress());
             Connection c = new Connection(9, listener.accept())) {
            assertThat(c.outcome()).isNull();
            assertThat(c.outcome("idle-timeout")).isTrue();
            assertThat(c.outcome("reset")).isFalse();
            assertThat(c.outcome()).isEqualTo("idle-timeout");
            c.field("via", "10.0.0.1:1");
            c.field("upstream", "u:2");
            c.field("via", "10.0.0.2:1");
            assertThat(c.fields()).containsExactly(
                    java.util.Map.entry("via", "10.0.0.2:1"), java.util.Map.entry("upstream", "u:2"));
            assertThatThrownBy(() -> c.field("Bad Name", "x")).isInstanceOf(IllegalArgumentException.class);
            ConnectionRecord r = ConnectionRecord.closed(c, "echo", "serial");
            assertThat(r.id()).isEqualTo(9);
            assertThat(r.outcome()).isEqualTo("idle-timeout");
            assertThat(r.remote()).isEqualTo("127.0.0.1:" + ((InetSocketAddress) client.getLocalAddress()).getPort());
        }
    }
}
