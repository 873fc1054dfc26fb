package dev.switchboard.server;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may call: {@code --allow} and {@code --deny} address blocks. The most specific block
 * that contains the caller decides; a tie between an allow and a deny denies. A caller no
 * rule matches is allowed when there are no allow rules, and denied when there are: allow
 * rules list the only callers welcome, so {@code --allow 10.0.0.0/8} alone means "only 10/8".
 *
 * @param allow blocks whose callers are served
 * @param deny  blocks whose callers are closed before any byte is sent
 */
public record AccessRules(List<Cidr> allow, List<Cidr> deny) {

    /** No rules: everyone is served. */
    public static final AccessRules ALLOW_ALL = new AccessRules(List.of(), List.of());

    public AccessRules {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
    }

    /** Parses the command line's blocks; throws IllegalArgumentException naming a bad one. */
    public static AccessRules parse(List<String> allow, List<String> deny) {
        List<Cidr> a = new ArrayList<>();
        List<Cidr> d = new ArrayList<>();
        allow.forEach(s -> a.add(Cidr.parse(s)));
        deny.forEach(s -> d.add(Cidr.parse(s)));
        return new AccessRules(a, d);
    }

    /** Whether a caller from {@code address} is served. */
    public boolean admits(InetAddress address) {
        int bestAllow = longest(allow, address);
        int bestDeny = longest(deny, address);
        if (bestAllow < 0 && bestDeny < 0) {
            return allow.isEmpty();
        }
        return bestAllow > bestDeny;
    }

    private static int longest(List<Cidr> blocks, InetAddress address) {
        int best = -1;
        for (Cidr c : blocks) {
            if (c.prefix() > best && c.contains(address)) {
                best = c.prefix();
            }
        }
        return best;
    }
}
