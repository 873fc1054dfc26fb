package dev.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class DialerTest {

    @Test
    void theServerSeesTheSourcePortAskedFor() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, Loopback.V4)) {
            int wanted = Loopback.closedPort();
            Dialer d = Dialer.defaults().withSource(new InetSocketAddress(Loopback.V4, wanted));
            try (SocketChannel ch = d.dial("127.0.0.1", server.getLocalPort());
                 Socket accepted = server.accept()) {
                assertThat(accepted.getPort()).isEqualTo(wanted);
                assertThat(((InetSocketAddress) ch.getLocalAddress()).getPort()).isEqualTo(wanted);
            }
        }
    }

    @Test
    void aNonBlockingConnectBindsTheSourceAndNamesARefusalAsTheBlockingDialDoes() throws Exception {
        int wanted = Loopback.closedPort();
        Dialer d = Dialer.defaults().withSource(new InetSocketAddress(Loopback.V4, wanted));
        try (ServerSocket server = new ServerSocket(0, 5, Loopback.V4)) {
            InetSocketAddress target = new InetSocketAddress(Loopback.V4, server.getLocalPort());
            try (SocketChannel ch = d.startConnect(target)) {
                assertThat(ch.isBlocking()).isFalse();
                while (!Dialer.finishConnect(ch, target)) {
                    Thread.onSpinWait(); // a loopback connect completes at once; a loop would wait for OP_CONNECT
                }
                try (Socket accepted = server.accept()) {
                    assertThat(accepted.getPort()).isEqualTo(wanted);
                }
            }
        }
        InetSocketAddress closed = new InetSocketAddress(Loopback.V4, Loopback.closedPort());
        assertThatThrownBy(() -> {
            try (SocketChannel ch = Dialer.defaults().startConnect(closed)) {
                while (!Dialer.finishConnect(ch, closed)) Thread.onSpinWait();
            }
        }).isInstanceOfSatisfying(DialException.class, e -> assertThat(e.reason()).isEqualTo(DialException.Reason.REFUSED));
    }

    @Test
    void aSourcePortAloneWorksForIpv6Too() throws Exception {
        assumeTrue(Loopback.hasIpv6(), "no IPv6 loopback (::1) on this machine");
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getByName("::1"))) {
            int wanted = Loopback.closedPort();
            Dialer d = Dialer.defaults().withSource(new InetSocketAddress(wanted));
            try (SocketChannel ch = d.dial("::1", server.getLocalPort()); Socket accepted = server.accept()) {
                assertThat(accepted.getPort()).isEqualTo(wanted);
            }
        }
    }

    @Test
    void minus4UsesOnlyIpv4Addresses() throws Exception {
        Dialer d = Dialer.defaults().withFamily(Family.IPV4);
        assertThat(d.resolve("localhost", 80)).isNotEmpty()
                .allSatisfy(a -> assertThat(a.getAddress()).isInstanceOf(Inet4Address.class));
        try (ServerSocket server = new ServerSocket(0, 5, Loopback.V4);
             SocketChannel ch = d.dial("localhost", server.getLocalPort())) {
            assertThat(((InetSocketAddress) ch.getRemoteAddress()).getAddress()).isInstanceOf(Inet4Address.class);
        }
    }

    @Test
    void minus6UsesOnlyIpv6Addresses() throws Exception {
        assumeTrue(Loopback.hasIpv6(), "no IPv6 loopback (::1) on this machine");
        Dialer d = Dialer.defaults().withFamily(Family.IPV6);
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getByName("::1"));
             SocketChannel ch = d.dial("::1", server.getLocalPort())) {
            assertThat(((InetSocketAddress) ch.getRemoteAddress()).getAddress()).isInstanceOf(Inet6Address.class);
        }
        assertThatThrownBy(() -> d.resolve("127.0.0.1", 80))
                .isInstanceOfSatisfying(DialException.class, e -> assertThat(e.reason())
                        .isEqualTo(DialException.Reason.NO_USABLE_ADDRESS))
                .hasMessage("no address of 127.0.0.1 is reachable over IPv6");
    }

    @Test
    void noAddressOfTheFamilyAskedForIsBlamedOnTheFamilyNotTheSource() throws Exception {
        // connect -6 -s ::1 127.0.0.1 80: the name has no IPv6 address; the source is fine.
        Dialer v6From = Dialer.defaults().withFamily(Family.IPV6).withSource(new InetSocketAddress("::1", 0));
        assertThatThrownBy(() -> v6From.resolve("127.0.0.1", 80)).hasMessage("no address of 127.0.0.1 is reachable over IPv6");
        // connect -s ::1 127.0.0.1 80: an address to call there is, but not from that source.
        Dialer from = Dialer.defaults().withSource(new InetSocketAddress("::1", 0));
        assertThatThrownBy(() -> from.resolve("127.0.0.1", 80)).hasMessage("no address of 127.0.0.1 is reachable from source ::1");
    }

    @Test
    void refusedSaysSo() throws Exception {
        int port = Loopback.closedPort();
        assertThatThrownBy(() -> Dialer.defaults().dial("127.0.0.1", port))
                .isInstanceOfSatisfying(DialException.class, e -> assertThat(e.reason())
                        .isEqualTo(DialException.Reason.REFUSED))
                .hasMessage("connection refused: 127.0.0.1:" + port);
    }

    @Test
    void aConnectTimeoutEndsTheWait() throws Exception {
        List<AutoCloseable> hole = Loopback.blackHole(new InetSocketAddress(Loopback.V4, 0));
        try {
            int port = Loopback.address(hole).getPort();
            Dialer d = Dialer.defaults().withConnectTimeout(Duration.ofMillis(300));
            assertThatThrownBy(() -> d.dial("127.0.0.1", port))
                    .isInstanceOfSatisfying(DialException.class, e -> assertThat(e.reason())
                            .isEqualTo(DialException.Reason.TIMEOUT))
                    .hasMessage("connect to 127.0.0.1:" + port + " timed out after 0.3s");
        } finally {
            Loopback.closeAll(hole);
        }
    }

    @Test
    void anUnknownHostIsNamed() {
        assertThatThrownBy(() -> Dialer.defaults().dial("nonexistent.invalid", 80))
                .isInstanceOfSatisfying(DialException.class, e -> assertThat(e.reason())
                        .isEqualTo(DialException.Reason.UNKNOWN_HOST))
                .hasMessage("unknown host: nonexistent.invalid");
    }

    @Test
    void aSourcePortStillConnectedToTheSameTargetIsNamedAsInUse() throws Exception {
        // Bind succeeds (SO_REUSEADDR); connect finds the four-tuple taken: EADDRNOTAVAIL.
        // We said "cannot connect to 127.0.0.1:P: Cannot assign requested address".
        try (ServerSocket target = new ServerSocket(0, 5, Loopback.V4)) {
            int port = Loopback.closedPort();
            Dialer d = Dialer.defaults().withSource(new InetSocketAddress(port));
            try (SocketChannel first = d.dial("127.0.0.1", target.getLocalPort()); Socket accepted = target.accept()) {
                assertThatThrownBy(() -> d.dial("127.0.0.1", target.getLocalPort()))
                        .isInstanceOfSatisfying(DialException.class, e -> assertThat(e.reason())
                                .isEqualTo(DialException.Reason.SOURCE_IN_USE))
                        .hasMessage("source port " + port + " is already in use for 127.0.0.1:" + target.getLocalPort());
            }
        }
    }

    @Test
    void aSourcePortInUseIsNamed() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, Loopback.V4);
             ServerSocket target = new ServerSocket(0, 1, Loopback.V4)) {
            Dialer d = Dialer.defaults().withSource(new InetSocketAddress(Loopback.V4, taken.getLocalPort()));
            assertThatThrownBy(() -> d.dial("127.0.0.1", target.getLocalPort()))
                    .isInstanceOfSatisfying(DialException.class, e -> assertThat(e.reason())
                            .isEqualTo(DialException.Reason.SOURCE_IN_USE))
                    .hasMessage("source address 127.0.0.1:" + taken.getLocalPort() + " is already in use");
        }
    }

    @Test
    void happyEyeballsOrderPutsIpv6FirstAndAlternates() throws Exception {
        InetAddress a4 = InetAddress.getByName("192.0.2.1");
        InetAddress b4 = InetAddress.getByName("192.0.2.2");
        InetAddress c4 = InetAddress.getByName("192.0.2.3");
        InetAddress a6 = InetAddress.getByName("2001:db8::1");
        InetAddress b6 = InetAddress.getByName("2001:db8::2");
        assertThat(Dialer.interleave(List.of(a4, b4, c4, a6, b6), 80))
                .extracting(InetSocketAddress::getAddress)
                .containsExactly(a6, a4, b6, b4, c4);
    }

    @Test
    void aSilentFirstAddressLosesToTheNextAfterTheAttemptDelay() throws Exception {
        List<AutoCloseable> hole = Loopback.blackHole(new InetSocketAddress(Loopback.V4, 0));
        try (ServerSocket good = new ServerSocket(0, 5, Loopback.V4)) {
            InetSocketAddress live = new InetSocketAddress(Loopback.V4, good.getLocalPort());
            Dialer d = Dialer.defaults().withAttemptDelay(Duration.ofMillis(100)).withConnectTimeout(Duration.ofSeconds(10));
            try (SocketChannel ch = d.dial(List.of(Loopback.address(hole), live))) {
                assertThat(ch.getRemoteAddress()).isEqualTo(live);
                assertThat(ch.isBlocking()).isTrue();
            }
        } finally {
            Loopback.closeAll(hole);
        }
    }

    @Test
    void aRefusedFirstAddressFallsThroughToTheNext() throws Exception {
        try (ServerSocket good = new ServerSocket(0, 5, Loopback.V4)) {
            InetSocketAddress dead = new InetSocketAddress(Loopback.V4, Loopback.closedPort());
            InetSocketAddress live = new InetSocketAddress(Loopback.V4, good.getLocalPort());
            // A long attempt delay: only the refusal itself can start the second attempt in time.
            Dialer d = Dialer.defaults().withAttemptDelay(Duration.ofMinutes(5));
            try (SocketChannel ch = d.dial(List.of(dead, live))) {
                assertThat(ch.getRemoteAddress()).isEqualTo(live);
            }
        }
    }

    @Test
    void addressesPrintInTheirShortForm() throws Exception {
        assertThat(Dialer.hostPort(new InetSocketAddress(InetAddress.getByName("::1"), 80))).isEqualTo("[::1]:80");
        assertThat(Dialer.hostPort(new InetSocketAddress(InetAddress.getByName("::"), 7))).isEqualTo("[::]:7");
        assertThat(Dialer.hostPort(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 7))).isEqualTo("127.0.0.1:7");
        assertThat(Dialer.hostAddress(InetAddress.getByName("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
        assertThat(Dialer.hostAddress(InetAddress.getByName("2001:db8:0:1:1:1:1:1"))).isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(Dialer.hostAddress(InetAddress.getByName("fe80::"))).isEqualTo("fe80::");
    }

    @Test
    void aZeroOrNegativeConnectTimeoutIsRefusedWhenSetNotAtEveryDial() {
        // Before: taken, and every dial then failed at once as "timed out after 0s" (a Java
        // user's Socket.connect(address, 0) means no limit at all).
        for (Duration bad : List.of(Duration.ZERO, Duration.ofSeconds(-1))) {
            assertThatThrownBy(() -> Dialer.defaults().withConnectTimeout(bad)).as(bad.toString())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connect timeout must be positive");
        }
        assertThatThrownBy(() -> Dialer.defaults().withAttemptDelay(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Dialer.defaults().withConnectTimeout(null).connectTimeout()).isNull();
        assertThat(Dialer.defaults().withAttemptDelay(Duration.ZERO).attemptDelay()).isZero();
    }
}
