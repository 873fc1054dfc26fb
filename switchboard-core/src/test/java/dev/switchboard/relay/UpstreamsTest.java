package dev.switchboard.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class UpstreamsTest {

    private final Upstream a = Upstream.parse("a.example:1");
    private final Upstream b = Upstream.parse("b.example:2");
    private final Upstream c = Upstream.parse("[::1]:3");
    private final AtomicLong now = new AtomicLong(1_000);
    private final Upstreams upstreams = new Upstreams(List.of(a, b, c), Duration.ofSeconds(5), now::get);

    @Test
    void plansRotateRoundRobin() {
        assertThat(upstreams.plan()).containsExactly(a, b, c);
        assertThat(upstreams.plan()).containsExactly(b, c, a);
        assertThat(upstreams.plan()).containsExactly(c, a, b);
        assertThat(upstreams.plan()).containsExactly(a, b, c);
    }

    @Test
    void aRefusingUpstreamIsSkippedForTheBackoffOnly() {
        upstreams.failed(b);
        assertThat(upstreams.plan()).containsExactly(a, c);
        assertThat(upstreams.plan()).containsExactly(c, a); // b's turn, b skipped
        now.addAndGet(Duration.ofSeconds(5).toNanos() - 1);
        assertThat(upstreams.plan()).containsExactly(c, a);
        now.addAndGet(1);
        assertThat(upstreams.plan()).containsExactly(a, b, c);
    }

    @Test
    void anAnsweringUpstreamIsBackAtOnce() {
        upstreams.failed(b);
        upstreams.succeeded(b);
        assertThat(upstreams.plan()).containsExactly(a, b, c);
    }

    @Test
    void whenAllAreDownAllAreTriedSoonestBackFirst() {
        upstreams.failed(c);
        now.addAndGet(10);
        upstreams.failed(a);
        now.addAndGet(10);
        upstreams.failed(b);
        assertThat(upstreams.plan()).containsExactly(c, a, b);
    }

    @Test
    void upstreamAddressesParseOrSayWhatIsWrong() {
        assertThat(Upstream.parse("[2001:db8::1]:443")).isEqualTo(new Upstream("2001:db8::1", 443));
        assertThat(Upstream.parse("[2001:db8::1]:443").toString()).isEqualTo("[2001:db8::1]:443");
        assertThat(Upstream.parse("localhost:80").toString()).isEqualTo("localhost:80");
        for (String bad : List.of("localhost", "localhost:", ":80", "host:0", "host:65536", "host:x", "::1:80")) {
            assertThatThrownBy(() -> Upstream.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new Upstreams(List.of(), Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBracketedAddressWithoutItsColonIsNamedAsSuch() {
        // Before: "write an IPv6 upstream in brackets: [[:]:PORT", a cut of the input itself.
        for (String bad : List.of("[::1]80", "[::1", "[::1]")) {
            assertThatThrownBy(() -> Upstream.parse(bad)).as(bad)
                    .hasMessage("expected [V6]:PORT, got \"" + bad + "\"");
        }
    }
}
