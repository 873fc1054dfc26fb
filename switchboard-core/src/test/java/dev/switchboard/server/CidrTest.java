package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class CidrTest {

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void blocksContainTheirAddressesOnly() throws Exception {
        Cidr ten = Cidr.parse("10.0.0.0/8");
        assertThat(ten.contains(ip("10.255.1.2"))).isTrue();
        assertThat(ten.contains(ip("11.0.0.0"))).isFalse();
        assertThat(ten.contains(ip("::1"))).isFalse();
        Cidr v6 = Cidr.parse("2001:db8::/32");
        assertThat(v6.contains(ip("2001:db8:ffff::1"))).isTrue();
        assertThat(v6.contains(ip("2001:db9::1"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(ip("203.0.113.1"))).isTrue();
    }

    @Test
    void aBareAddressIsOneHostAndHostBitsAreCleared() throws Exception {
        assertThat(Cidr.parse("127.0.0.1")).isEqualTo(new Cidr(ip("127.0.0.1"), 32));
        assertThat(Cidr.parse("::1").prefix()).isEqualTo(128);
        assertThat(Cidr.parse("192.168.1.77/24").toString()).isEqualTo("192.168.1.0/24");
        assertThat(Cidr.parse("10.1.2.3/13").contains(ip("10.7.255.255"))).isTrue();
        assertThat(Cidr.parse("10.1.2.3/13").contains(ip("10.8.0.0"))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "::/129", "example.org", "10.0.0",
            "1.2.3.4/8/8", "10.0.0.256", "fe80::1%eth0", "1:2"})
    void malformedBlocksAreRefusedWithAReason(String text) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("Exception");
    }
}
