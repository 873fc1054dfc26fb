package dev.switchboard.service;

import dev.switchboard.client.Dialer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The whole environment {@link Exec} gives a program: the UCSPI-TCP variables tcpserver sets,
 * PATH, HOME and LANG from the server's own, and whatever the user listed. Nothing else of
 * the server's environment leaks through (secrets in it are none of a per-connection
 * program's business).
 */
final class ExecEnvironment {

    /** The server's variables every program gets (when the server has them). */
    static final List<String> PASSED = List.of("PATH", "HOME", "LANG");

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private ExecEnvironment() {
    }

    /**
     * Checks {@code --env} entries: {@code NAME} (copied from the server) or {@code NAME=VALUE}.
     *
     * @throws IllegalArgumentException naming the first bad entry
     */
    static List<String> checked(List<String> entries) {
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            String name = eq < 0 ? entry : entry.substring(0, eq);
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("bad environment variable name '" + name + "' in --env " + entry);
            }
        }
        return List.copyOf(entries);
    }

    /** The environment for one connection between {@code local} and {@code remote}. */
    static Map<String, String> of(InetSocketAddress local, InetSocketAddress remote,
                                  List<String> extra, Map<String, String> server) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : PASSED) {
            copy(name, server, env);
        }
        for (String entry : extra) {
            int eq = entry.indexOf('=');
            if (eq < 0) {
                copy(entry, server, env);
            } else {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        // Last, so a program can trust them whatever --env said.
        env.put("PROTO", "TCP");
        env.put("TCPLOCALIP", ip(local.getAddress()));
        env.put("TCPLOCALPORT", Integer.toString(local.getPort()));
        env.put("TCPREMOTEIP", ip(remote.getAddress()));
        env.put("TCPREMOTEPORT", Integer.toString(remote.getPort()));
        putKnownHost("TCPLOCALHOST", local.getAddress(), env);
        putKnownHost("TCPREMOTEHOST", remote.getAddress(), env);
        return env;
    }

    private static void copy(String name, Map<String, String> from, Map<String, String> to) {
        String value = from.get(name);
        if (value != null) {
            to.put(name, value);
        }
    }

    /** The address as digits, without an IPv6 scope (UCSPI-TCP programs expect a bare address). */
    static String ip(InetAddress address) {
        String text = Dialer.hostAddress(address);
        int scope = text.indexOf('%');
        return scope < 0 ? text : text.substring(0, scope);
    }

    /**
     * Sets a *HOST variable only when the address already carries a name. InetAddress.toString()
     * shows "name/digits" exactly then and never looks one up, so no reverse DNS happens here.
     */
    private static void putKnownHost(String variable, InetAddress address, Map<String, String> env) {
        String text = address.toString();
        int slash = text.indexOf('/');
        if (slash > 0) {
            env.put(variable, text.substring(0, slash));
        } else {
            env.remove(variable);
        }
    }
}
