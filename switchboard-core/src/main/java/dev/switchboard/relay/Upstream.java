package dev.switchboard.relay;

import java.util.Objects;

/**
 * One place a relay forwards to: a host name or address literal and a port, written
 * {@code HOST:PORT} or {@code [IPV6]:PORT} (what {@code --to} takes).
 */
public record Upstream(String host, int port) {

    public Upstream {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) throw new IllegalArgumentException("upstream host is empty");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("upstream port " + port + " is out of range 1-65535");
    }

    /**
     * Parses {@code HOST:PORT}, {@code [V6]:PORT}.
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    public static Upstream parse(String text) {
        String s = text.strip();
        if (s.startsWith("[") && !s.matches("\\[[^\\]]*\\]:.*")) {
            // Checked first: "[::1]80" would otherwise be cut at its last colon, inside the brackets.
            throw new IllegalArgumentException("expected [V6]:PORT, got \"" + text + "\"");
        }
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("expected HOST:PORT, got \"" + text + "\"");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("write an IPv6 upstream in brackets: [" + host + "]:PORT");
        }
        String port = s.substring(colon + 1);
        if (!port.matches("[0-9]{1,5}")) throw new IllegalArgumentException("bad port \"" + port + "\" in " + text);
        return new Upstream(host, Integer.parseInt(port));
    }

    /** "host:port", "[::1]:port": how logs name it. */
    @Override
    public String toString() {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
