package dev.switchboard.cli;

import dev.switchboard.client.Family;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The {@code -4}/{@code -6} pair every command that opens a socket shares (a picocli mixin). */
public final class FamilyOptions {

    @Option(names = "-4", description = "Use IPv4 only.")
    boolean ipv4;

    @Option(names = "-6", description = "Use IPv6 only.")
    boolean ipv6;

    /** The family asked for; a usage error when both were given. */
    public Family family(CommandLine cmd) {
        if (ipv4 && ipv6) {
            throw new CommandLine.ParameterException(cmd, "-4 and -6 cannot be used together");
        }
        return ipv4 ? Family.IPV4 : ipv6 ? Family.IPV6 : Family.ANY;
    }
}
