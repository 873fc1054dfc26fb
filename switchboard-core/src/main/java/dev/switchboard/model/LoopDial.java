package dev.switchboard.model;

import dev.switchboard.client.DialException;
import dev.switchboard.client.Dialer;
import dev.switchboard.relay.Relay;
import dev.switchboard.relay.Upstream;
import dev.switchboard.server.Connection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;

/**
 * One relayed caller's way through the upstreams on a {@link Loop}, without blocking: the
 * upstreams in {@link dev.switchboard.relay.Upstreams#plan()} order, for each its addresses
 * ({@link Dialer#resolve}) one after another, each a connect started by
 * {@link Dialer#startConnect}. {@link LoopRelay} waits for each connect on its selector and
 * reports back; the back-off and the outcome of a failed upstream are {@link Relay}'s calls,
 * as on the blocking path. The connect timeout covers one upstream, as the blocking dial's
 * does.
 *
 * <p>Unlike the blocking dial, a name's addresses are tried in turn, not raced, and the name
 * is resolved on the loop's thread (at once for an address literal; the JDK caches names).
 */
final class LoopDial {

    private final Relay relay;
    private final Connection client;
    private final List<Upstream> plan;
    private int planned;
    private Upstream upstream;
    private List<InetSocketAddress> addresses;
    private int tried;
    private InetSocketAddress target;
    private IOException failure;
    private long deadline;
    private String outcome = "upstream-failed";

    LoopDial(Relay relay, Connection client) {
        this.relay = relay;
        this.client = client;
        this.plan = relay.upstreams().plan();
    }

    /**
     * Starts the next connect: the current upstream's next address, else the next upstream's
     * first. Returns the channel (connected, or with the connect under way), or null when
     * every upstream has failed; {@link #outcome()} then says how.
     */
    SocketChannel next() {
        while (true) {
            if (addresses != null && tried < addresses.size()) {
                target = addresses.get(tried++);
                try {
                    return relay.dialer().startConnect(target);
                } catch (IOException e) {
                    failure = e;
                    continue;
                }
            }
            if (addresses != null) upstreamFailed(DialException.finalFailure(failure, target));
            if (planned == plan.size()) return null;
            upstream = plan.get(planned++);
            failure = null;
            tried = 0;
            Duration timeout = relay.dialer().connectTimeout();
            deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
            try {
                addresses = relay.dialer().resolve(upstream.host(), upstream.port());
            } catch (IOException e) {
                upstreamFailed(e);
            }
        }
    }

    /** The connect {@link #next()} started failed; the next call tries what is left. */
    void failed(IOException e) {
        failure = e;
    }

    /** Whether the current upstream's connect timeout has passed. */
    boolean overdue(long now) {
        return addresses != null && deadline != 0 && now - deadline >= 0;
    }

    /** The current upstream ran out of time: it failed as a whole, as the blocking dial's timeout does. */
    void timedOut() {
        upstreamFailed(relay.dialer().timedOut(addresses));
    }

    private void upstreamFailed(IOException e) {
        outcome = relay.dialFailed(client, upstream, e);
        addresses = null;
    }

    /** The upstream being dialled (or dialled last). */
    Upstream upstream() {
        return upstream;
    }

    /** The address being connected to. */
    InetSocketAddress target() {
        return target;
    }

    /** What to log when no upstream answered. */
    String outcome() {
        return outcome;
    }
}
