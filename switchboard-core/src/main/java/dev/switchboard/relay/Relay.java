package dev.switchboard.relay;

import dev.switchboard.client.DialException;
import dev.switchboard.client.Dialer;
import dev.switchboard.io.Endpoint;
import dev.switchboard.io.Splice;
import dev.switchboard.proxy.ProxyHeaderWriter;
import dev.switchboard.server.Connection;
import dev.switchboard.server.ConnectionHandler;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * Port forwarding as a connection handler: for each caller, dials an upstream (round-robin
 * over {@link Upstreams}, the next one when one refuses), optionally announces the caller
 * with a PROXY header, then splices both ways until both directions are done, so half-close
 * travels end to end and a late reply arrives whole. When no upstream answers, the caller is
 * closed at once and the outcome says why ({@code upstream-refused}, {@code upstream-timeout}).
 *
 * <p>The connection's log record gets the outcome and an {@code upstream} field (its byte
 * counts are the bytes each way: in is caller to upstream, out is upstream to caller); the
 * same facts go to the {@code records} consumer for embedders and tests.
 *
 * @param upstreams   where to forward
 * @param dialer      how to dial (connect timeout, source bind, family)
 * @param sendProxy   whether to write a PROXY header to the upstream first
 * @param idleTimeout abort both sides when nothing moves for this long; null: never
 * @param records     receives one record per connection
 */
public record Relay(Upstreams upstreams, Dialer dialer, SendProxy sendProxy, Duration idleTimeout,
                    Consumer<RelayRecord> records) implements ConnectionHandler {

    private static final System.Logger LOG = System.getLogger(Relay.class.getName());

    public Relay {
        Objects.requireNonNull(upstreams, "upstreams");
        Objects.requireNonNull(dialer, "dialer");
        Objects.requireNonNull(sendProxy, "sendProxy");
        Objects.requireNonNull(records, "records");
        if (idleTimeout != null && (idleTimeout.isNegative() || idleTimeout.isZero())) {
            throw new IllegalArgumentException("idle timeout must be positive (null: never)");
        }
    }

    /** A plain relay: default dialer, no PROXY header, no idle timeout, records dropped. */
    public static Relay to(Upstreams upstreams) {
        return new Relay(upstreams, Dialer.defaults(), SendProxy.NONE, null, r -> { });
    }

    public Relay withDialer(Dialer d) {
        return new Relay(upstreams, d, sendProxy, idleTimeout, records);
    }

    public Relay withSendProxy(SendProxy s) {
        return new Relay(upstreams, dialer, s, idleTimeout, records);
    }

    public Relay withIdleTimeout(Duration t) {
        return new Relay(upstreams, dialer, sendProxy, t, records);
    }

    public Relay withRecords(Consumer<RelayRecord> r) {
        return new Relay(upstreams, dialer, sendProxy, idleTimeout, r);
    }

    /** The caller's socket and the upstream's. */
    @Override
    public int descriptors() {
        return 2;
    }

    @Override
    public void handle(Connection client) throws IOException {
        Upstream tried = null;
        SocketChannel up = null;
        String outcome = "upstream-failed";
        for (Upstream u : upstreams.plan()) {
            tried = u;
            try {
                up = dialer.dial(u.host(), u.port());
                break;
            } catch (IOException e) {
                outcome = dialFailed(client, u, e);
            }
        }
        if (up == null) {
            client.close(); // promptly: the caller must not wait for an upstream that isn't there
            finish(client, tried, outcome, 0, 0);
            return;
        }
        long toUp = 0, toClient = 0;
        try {
            dialed(client, up, tried);
            ByteBuffer header = proxyHeader(client);
            if (header != null) {
                Endpoint.of(up).write(header); // one write: the header is far below an MSS
            }
            Splice.Result r = Splice.between(client.endpoint(), Endpoint.of(up)).idleTimeout(idleTimeout)
                    .drainBeforeReset().threads(copierThreads()).run();
            toUp = r.aToB();
            toClient = r.bToA();
            outcome = switch (r.outcome()) {
                case OK -> "ok";
                case RESET -> "reset";
                case IDLE_TIMEOUT -> "idle-timeout";
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the server is stopping; let it see that
            outcome = "interrupted";
        } catch (IOException e) {
            outcome = "reset"; // the header write failed: a side went away at once
        } finally {
            Endpoint.of(up).close();
            client.close();
        }
        finish(client, tried, outcome, toUp, toClient);
    }

    // The relay's decisions, shared by the blocking path above and the event loop's
    // (model/LoopRelay), so both dial, announce, count and log alike.

    /**
     * An upstream answered: it is no longer backing off, and both sockets get TCP_NODELAY (a
     * relay copies whatever arrives at once; Nagle's wait on top would only add latency to
     * every small exchange).
     */
    public void dialed(Connection client, SocketChannel up, Upstream u) throws IOException {
        upstreams.succeeded(u);
        up.setOption(StandardSocketOptions.TCP_NODELAY, true);
        client.channel().setOption(StandardSocketOptions.TCP_NODELAY, true);
    }

    /**
     * Dialling an upstream failed: an upstream that refused, timed out or was unreachable backs
     * off (a failure of ours, such as the source bind, says nothing about it). Returns the
     * outcome to log if no other upstream answers.
     */
    public String dialFailed(Connection client, Upstream u, IOException e) {
        String outcome = outcomeOf(e);
        if (!outcome.equals("upstream-failed")) upstreams.failed(u);
        LOG.log(Level.DEBUG, () -> client + ": upstream " + u + ": " + e.getMessage());
        return outcome;
    }

    /** The PROXY header to write to the upstream before any of the caller's bytes, or null for none. */
    public ByteBuffer proxyHeader(Connection client) {
        return switch (sendProxy) {
            case NONE -> null;
            case V1 -> ByteBuffer.wrap(ProxyHeaderWriter.v1(client.remote(), client.local()));
            case V2 -> ByteBuffer.wrap(ProxyHeaderWriter.v2(client.remote(), client.local()));
        };
    }

    /**
     * Tells the connection's log record and the {@code records} consumer how the relay ended.
     * An outcome already set (the server's idle timeout, its shutdown) is the cause and stands.
     * A consumer that throws is only logged: on the loop it would otherwise end every
     * connection the loop drives.
     */
    public void finish(Connection client, Upstream upstream, String outcome, long toUp, long toClient) {
        client.outcome(outcome);
        client.field("upstream", String.valueOf(upstream));
        try {
            records.accept(new RelayRecord(client.id(), String.valueOf(upstream), client.outcome(), toUp, toClient));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "relay records consumer failed", e);
        }
    }

    /**
     * The copiers are of the kind the concurrency model gave this connection: virtual under the
     * virtual model (scale), platform threads otherwise. Measured on loopback, platform copiers
     * turn small round trips about four times faster, since a blocked platform read wakes
     * straight from the kernel, not through the virtual-thread poller.
     */
    private static ThreadFactory copierThreads() {
        return Thread.currentThread().isVirtual()
                ? Thread.ofVirtual().name("relay-", 0).factory()
                : Thread.ofPlatform().name("relay-", 0).daemon().factory();
    }

    /** The log's word for a failed dial. */
    static String outcomeOf(IOException e) {
        if (!(e instanceof DialException d)) return "upstream-failed";
        return switch (d.reason()) {
            case REFUSED -> "upstream-refused";
            case TIMEOUT -> "upstream-timeout";
            case UNREACHABLE -> "upstream-unreachable";
            default -> "upstream-failed";
        };
    }
}
