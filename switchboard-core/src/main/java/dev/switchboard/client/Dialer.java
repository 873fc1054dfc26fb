package dev.switchboard.client;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Places outgoing TCP calls: resolves the name, optionally binds a source address and port,
 * and connects, racing the addresses as Happy Eyeballs does (RFC 8305: IPv6 first, families
 * interleaved, the next attempt started after {@code attemptDelay} or as soon as one fails;
 * the first to connect wins and the others are closed).
 *
 * <pre>{@code
 * SocketChannel ch = Dialer.defaults()
 *         .withSource(new InetSocketAddress(0))          // any address, ephemeral port
 *         .withConnectTimeout(Duration.ofSeconds(5))
 *         .dial("example.org", 80);
 * }</pre>
 *
 * A Dialer is an immutable value; the {@code with…} methods return changed copies.
 *
 * @param family         which address families may be used
 * @param source         the local address and port to bind before connecting, or null for
 *                       the kernel's choice
 * @param connectTimeout how long the whole dial may take, or null for the kernel's own limit
 * @param attemptDelay   how long an attempt runs alone before the next address is tried too
 */
public record Dialer(Family family, InetSocketAddress source, Duration connectTimeout, Duration attemptDelay) {

    /** RFC 8305's recommended "Connection Attempt Delay". */
    public static final Duration HAPPY_EYEBALLS_DELAY = Duration.ofMillis(250);

    public Dialer {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(attemptDelay, "attemptDelay");
        // Refused rather than taken: Socket.connect's habit makes 0 read as "no limit", and
        // here it would fail every dial at once as timed out.
        if (connectTimeout != null && (connectTimeout.isNegative() || connectTimeout.isZero())) {
            throw new IllegalArgumentException("connect timeout must be positive (null: no limit of our own)");
        }
        if (attemptDelay.isNegative()) throw new IllegalArgumentException("attempt delay must not be negative");
    }

    /** Either family, no source bind, no timeout of our own, 250 ms between attempts. */
    public static Dialer defaults() {
        return new Dialer(Family.ANY, null, null, HAPPY_EYEBALLS_DELAY);
    }

    public Dialer withFamily(Family f) {
        return new Dialer(f, source, connectTimeout, attemptDelay);
    }

    public Dialer withSource(InetSocketAddress s) {
        return new Dialer(family, s, connectTimeout, attemptDelay);
    }

    public Dialer withConnectTimeout(Duration t) {
        return new Dialer(family, source, t, attemptDelay);
    }

    public Dialer withAttemptDelay(Duration d) {
        return new Dialer(family, source, connectTimeout, d);
    }

    /** Resolves and connects; the returned channel is connected and in blocking mode. */
    public SocketChannel dial(String host, int port) throws IOException {
        return dial(resolve(host, port));
    }

    /**
     * Resolves a name to the addresses this dialer may use, in the order it would try them:
     * IPv6 first, then the families alternating (RFC 8305, section 4).
     */
    public List<InetSocketAddress> resolve(String host, int port) throws DialException {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new DialException(DialException.Reason.UNKNOWN_HOST, "unknown host: " + host, e);
        }
        List<InetAddress> usable = new ArrayList<>();
        boolean anyOfFamily = false;
        for (InetAddress a : all) {
            if (!family.admits(a)) continue;
            anyOfFamily = true;
            if (source == null || sourceFits(a)) {
                usable.add(a);
            }
        }
        List<InetSocketAddress> ordered = interleave(usable, port);
        if (ordered.isEmpty()) {
            // Name the first filter that left nothing: the family asked for, else the source.
            String why = anyOfFamily ? " from source " + hostAddress(source.getAddress())
                    : family == Family.ANY ? "" : " over " + (family == Family.IPV4 ? "IPv4" : "IPv6");
            throw new DialException(DialException.Reason.NO_USABLE_ADDRESS,
                    "no address of " + host + " is reachable" + why, null);
        }
        return ordered;
    }

    /**
     * RFC 8305's order: IPv6 first, then the families alternating, each family keeping the
     * resolver's order.
     */
    static List<InetSocketAddress> interleave(List<InetAddress> addresses, int port) {
        List<InetAddress> v6 = new ArrayList<>();
        List<InetAddress> v4 = new ArrayList<>();
        for (InetAddress a : addresses) {
            (a instanceof Inet6Address ? v6 : v4).add(a);
        }
        List<InetSocketAddress> ordered = new ArrayList<>(addresses.size());
        for (int i = 0; i < Math.max(v6.size(), v4.size()); i++) {
            if (i < v6.size()) ordered.add(new InetSocketAddress(v6.get(i), port));
            if (i < v4.size()) ordered.add(new InetSocketAddress(v4.get(i), port));
        }
        return ordered;
    }

    /** A specific source address can only reach targets of its own family. */
    private boolean sourceFits(InetAddress target) {
        InetAddress s = source.getAddress();
        return s.isAnyLocalAddress() || (s instanceof Inet4Address) == (target instanceof Inet4Address);
    }

    /** Connects to the first of these addresses that answers, racing them as described above. */
    public SocketChannel dial(List<InetSocketAddress> candidates) throws IOException {
        if (candidates.isEmpty()) {
            throw new DialException(DialException.Reason.NO_USABLE_ADDRESS, "no address to connect to", null);
        }
        long start = System.nanoTime();
        long deadline = connectTimeout == null ? Long.MAX_VALUE : start + connectTimeout.toNanos();
        // Two attempts bound to the same source port would collide, so a fixed port
        // means one attempt at a time, each next one only after the last has failed.
        long delay = source != null && source.getPort() != 0 ? Long.MAX_VALUE : attemptDelay.toNanos();
        try (Selector selector = Selector.open()) {
            List<SocketChannel> pending = new ArrayList<>();
            IOException lastFailure = null;
            int next = 0;
            long nextStart = start;
            try {
                while (true) {
                    long now = System.nanoTime();
                    if (next < candidates.size() && (pending.isEmpty() || now - nextStart >= 0)) {
                        InetSocketAddress target = candidates.get(next++);
                        SocketChannel ch = open(target);
                        try {
                            if (ch.connect(target)) {
                                return won(ch, pending);
                            }
                            ch.register(selector, SelectionKey.OP_CONNECT, target);
                            pending.add(ch);
                        } catch (IOException e) {
                            ch.close();
                            lastFailure = connectFailure(e, target);
                        }
                        nextStart = delay == Long.MAX_VALUE ? Long.MAX_VALUE : now + delay;
                        continue;
                    }
                    if (pending.isEmpty()) {
                        throw DialException.finalFailure(lastFailure, candidates.get(candidates.size() - 1));
                    }
                    if (now - deadline >= 0) {
                        throw timedOut(candidates);
                    }
                    long wait = Math.min(deadline - now, next < candidates.size() ? nextStart - now : Long.MAX_VALUE);
                    selector.select(Math.max(1, Math.min(wait / 1_000_000, Integer.MAX_VALUE)));
                    for (SelectionKey key : selector.selectedKeys()) {
                        SocketChannel ch = (SocketChannel) key.channel();
                        try {
                            if (ch.finishConnect()) {
                                key.cancel();
                                pending.remove(ch);
                                selector.selectNow(); // completes the deregistration before blocking mode
                                return won(ch, pending);
                            }
                        } catch (IOException e) {
                            key.cancel();
                            pending.remove(ch);
                            ch.close();
                            lastFailure = connectFailure(e, (InetSocketAddress) key.attachment());
                            nextStart = System.nanoTime(); // a failure starts the next attempt at once
                        }
                    }
                    selector.selectedKeys().clear();
                }
            } catch (IOException | RuntimeException e) {
                for (SocketChannel ch : pending) {
                    closeQuietly(ch);
                }
                throw e;
            }
        }
    }

    /**
     * Starts one connect without waiting, for an event loop: the channel comes back
     * non-blocking, bound to the source if one is set, and connected or with the connect under
     * way ({@link #finishConnect} completes it when the selector reports OP_CONNECT). A loop
     * races nothing: it tries {@link #resolve}'s addresses one after another and keeps the
     * {@link #connectTimeout} itself ({@link #timedOut}).
     */
    public SocketChannel startConnect(InetSocketAddress target) throws IOException {
        SocketChannel ch = open(target);
        try {
            ch.connect(target);
            return ch;
        } catch (IOException e) {
            closeQuietly(ch);
            throw connectFailure(e, target);
        }
    }

    /** One attempt's failure, named; with a fixed source port, a taken four-tuple is "in use". */
    private IOException connectFailure(IOException e, InetSocketAddress target) {
        if (source != null && source.getPort() != 0 && String.valueOf(e.getMessage()).contains("assign requested address")) {
            return DialException.sourceInUse(source, target, e);
        }
        return DialException.connectFailure(e, target);
    }

    /** Completes a {@link #startConnect}: true once connected; a failure named as {@link #dial} names it. */
    public static boolean finishConnect(SocketChannel ch, InetSocketAddress target) throws IOException {
        try {
            return ch.finishConnect();
        } catch (IOException e) {
            throw DialException.connectFailure(e, target);
        }
    }

    /** The failure of a dial to these addresses that ran out of {@link #connectTimeout}. */
    public DialException timedOut(List<InetSocketAddress> candidates) {
        return new DialException(DialException.Reason.TIMEOUT, "connect to "
                + describe(candidates) + " timed out after " + seconds(connectTimeout), null);
    }

    private SocketChannel open(InetSocketAddress target) throws IOException {
        SocketChannel ch = SocketChannel.open(Family.of(target.getAddress()));
        try {
            ch.configureBlocking(false);
            if (source != null) {
                if (source.getPort() != 0) {
                    // As netcat does: a fixed source port is reusable while its last
                    // connection lingers in TIME_WAIT (a listener on it still makes bind fail).
                    ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                }
                InetSocketAddress local = source.getAddress().isAnyLocalAddress()
                        ? new InetSocketAddress(source.getPort()) : source;
                ch.bind(local);
            }
            return ch;
        } catch (IOException e) {
            ch.close();
            throw DialException.bindFailure(source, e);
        }
    }

    private static SocketChannel won(SocketChannel winner, List<SocketChannel> losers) throws IOException {
        for (SocketChannel ch : losers) {
            closeQuietly(ch);
        }
        losers.clear();
        winner.configureBlocking(true);
        return winner;
    }

    private static String describe(List<InetSocketAddress> candidates) {
        return candidates.size() == 1 ? hostPort(candidates.get(0))
                : candidates.get(0).getHostString() + " port " + candidates.get(0).getPort();
    }

    /** "127.0.0.1:80" or "[::1]:80": the form every message and log line uses. */
    public static String hostPort(InetSocketAddress a) {
        String host = a.getAddress() != null ? hostAddress(a.getAddress()) : a.getHostString();
        return host.contains(":") ? "[" + host + "]:" + a.getPort() : host + ":" + a.getPort();
    }

    /**
     * An address as people write it: IPv6 in RFC 5952's short form ("::1", not the JDK's
     * "0:0:0:0:0:0:0:1"), the longest run of zero groups folded into "::".
     */
    public static String hostAddress(InetAddress address) {
        String text = address.getHostAddress();
        if (!(address instanceof Inet6Address)) return text;
        int percent = text.indexOf('%');
        String scope = percent < 0 ? "" : text.substring(percent);
        String[] groups = (percent < 0 ? text : text.substring(0, percent)).split(":");
        int bestStart = -1;
        int bestLen = 1; // a single zero group stays "0" (RFC 5952, 4.2.2)
        for (int i = 0; i < groups.length; i++) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) j++;
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = Math.max(i, j);
        }
        if (bestStart < 0) return text;
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLen, groups.length));
        return head + "::" + tail + scope;
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : (ms / 1000.0) + "s";
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // a loser's close has nothing to report
        }
    }
}
