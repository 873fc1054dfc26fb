package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class AccessRulesTest {

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void noRulesAdmitsEveryone() throws Exception {
        assertThat(AccessRules.ALLOW_ALL.admits(ip("192.0.2.1"))).isTrue();
        assertThat(AccessRules.ALLOW_ALL.admits(ip("2001:db8::1"))).isTrue();
    }

    @Test
    void allowRulesAloneAreTheOnlyCallersWelcome() throws Exception {
        AccessRules r = AccessRules.parse(List.of("10.0.0.0/8"), List.of());
        assertThat(r.admits(ip("10.1.2.3"))).isTrue();
        assertThat(r.admits(ip("192.0.2.1"))).isFalse();
        assertThat(r.admits(ip("::1"))).isFalse();
    }

    @Test
    void denyRulesAloneShutOutOnlyTheirBlocks() throws Exception {
        AccessRules r = AccessRules.parse(List.of(), List.of("192.0.2.0/24", "2001:db8::/32"));
        assertThat(r.admits(ip("192.0.2.200"))).isFalse();
        assertThat(r.admits(ip("192.0.3.1"))).isTrue();
        assertThat(r.admits(ip("2001:db8:1::5"))).isFalse();
        assertThat(r.admits(ip("2001:db9::5"))).isTrue();
    }

    @Test
    void theMostSpecificBlockWins() throws Exception {
        AccessRules r = AccessRules.parse(List.of("10.1.0.0/16", "0.0.0.0/0"), List.of("10.0.0.0/8", "10.1.2.3"));
        assertThat(r.admits(ip("10.1.9.9"))).isTrue();   // /16 allow beats /8 deny
        assertThat(r.admits(ip("10.2.0.1"))).isFalse();  // /8 deny beats /0 allow
        assertThat(r.admits(ip("10.1.2.3"))).isFalse();  // /32 deny beats /16 allow
        assertThat(r.admits(ip("8.8.8.8"))).isTrue();    // /0 allow
    }

    @Test
    void aTieDenies() throws Exception {
        AccessRules r = AccessRules.parse(List.of("10.0.0.0/8"), List.of("10.0.0.0/8"));
        assertThat(r.admits(ip("10.0.0.1"))).isFalse();
    }

    @Test
    void familiesNeverMatchEachOther() throws Exception {
        AccessRules r = AccessRules.parse(List.of(), List.of("0.0.0.0/0"));
        assertThat(r.admits(ip("::1"))).isTrue();
        assertThat(r.admits(ip("127.0.0.1"))).isFalse();
    }

    @Test
    void hostBitsPastThePrefixAreIgnored() {
        assertThat(Cidr.parse("10.9.8.7/8")).hasToString("10.0.0.0/8");
        assertThat(Cidr.parse("2001:db8::1/32").toString()).isEqualTo("2001:db8:0:0:0:0:0:0/32");
        assertThat(Cidr.parse("[::1]").prefix()).isEqualTo(128);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "10.0.0.0/33", "::/129", "10.0.0/8", "10.0.0.0/-1", "10.0.0.0/x",
            "300.0.0.1", "example.com/24", "1.2.3.4/8/9"})
    void malformedBlocksAreRejectedWithTheirText(String text) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }
}
