package dev.switchboard.relay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * The relay's small load balancer: hands out upstreams round-robin and skips one that has
 * just refused (or timed out) until its back-off has passed. When every upstream is backing
 * off, all are offered anyway, the soonest-back first: trying costs one dial, giving up
 * costs the caller's connection. Thread-safe.
 */
public final class Upstreams {

    /** How long a refusing upstream is skipped unless nothing else is left. */
    public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(5);

    private final List<Upstream> targets;
    private final long backoffNanos;
    private final LongSupplier clock;
    private final AtomicInteger next = new AtomicInteger();
    /** System.nanoTime() until which each target is skipped; 0 when it is fine. */
    private final AtomicLongArray downUntil;

    public Upstreams(List<Upstream> targets, Duration backoff) {
        this(targets, backoff, System::nanoTime);
    }

    /** With a clock of our own, so tests can pass the back-off without waiting for it. */
    public Upstreams(List<Upstream> targets, Duration backoff, LongSupplier nanoClock) {
        if (targets.isEmpty()) throw new IllegalArgumentException("a relay needs at least one upstream (--to)");
        this.targets = List.copyOf(targets);
        this.backoffNanos = backoff.toNanos();
        this.clock = nanoClock;
        this.downUntil = new AtomicLongArray(this.targets.size());
    }

    public List<Upstream> all() {
        return targets;
    }

    /**
     * The order to try upstreams for one connection: the healthy ones round-robin, starting
     * one further than the last connection did; if none is healthy, every one, soonest-back
     * first.
     */
    public List<Upstream> plan() {
        int n = targets.size();
        int start = Math.floorMod(next.getAndIncrement(), n);
        long now = clock.getAsLong();
        List<Upstream> healthy = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            int i = (start + k) % n;
            if (!isDown(i, now)) healthy.add(targets.get(i));
        }
        if (!healthy.isEmpty()) return healthy;
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) order.add(i);
        order.sort(Comparator.comparingLong(i -> downUntil.get(i) - now));
        return order.stream().map(targets::get).toList();
    }

    /** Marks an upstream as refusing: skipped for the back-off period from now. */
    public void failed(Upstream u) {
        long until = nonZero(clock.getAsLong() + backoffNanos);
        for (int i = 0; i < targets.size(); i++) {
            if (targets.get(i).equals(u)) downUntil.set(i, until); // a target named twice is one target
        }
    }

    /** Marks an upstream as answering again. */
    public void succeeded(Upstream u) {
        for (int i = 0; i < targets.size(); i++) {
            if (targets.get(i).equals(u)) downUntil.set(i, 0);
        }
    }

    private boolean isDown(int i, long now) {
        long until = downUntil.get(i);
        return until != 0 && until - now > 0;
    }

    private static long nonZero(long t) {
        return t == 0 ? 1 : t;
    }
}
