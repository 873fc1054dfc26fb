package dev.switchboard.jmh;

import dev.switchboard.server.AccessRules;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Shows a regression in the allow/deny check the accept step makes for every caller: ten
 * {@code --allow}/{@code --deny} blocks of both families, matched against an IPv4 or an IPv6
 * caller (every block is looked at: the most specific match decides).
 */
public class AccessRulesBenchmark extends HotPathBenchmark {

    static final List<String> ALLOW = List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "198.51.100.0/24",
            "2001:db8::/32", "fd00::/8");
    static final List<String> DENY = List.of("10.66.0.0/16", "192.168.13.37", "2001:db8:bad::/48", "fd00:dead::/32");

    /** An allowed caller of each family, inside an allowed block and beside a denied one. */
    @Param({"10.1.2.3", "2001:db8:4:2::33"})
    public String caller;

    AccessRules rules;
    InetAddress address;

    @Setup
    public void setup() throws IOException {
        rules = AccessRules.parse(ALLOW, DENY);
        address = InetAddress.getByName(caller);
    }

    @Benchmark
    public boolean admits() {
        return rules.admits(address);
    }
}
