package dev.switchboard.server;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Every connection a server has open, whatever runs it: so shutdown can close the
 * stragglers, {@code --max-per-ip} can count callers per address, and one reaper thread can
 * close connections that moved no byte for the idle timeout (the same for every model).
 */
final class OpenConnections {

    private final int maxPerIp;
    /** Each open connection and the caller address it is counted under. */
    private final Map<Connection, InetAddress> open = new LinkedHashMap<>();
    private final Map<InetAddress, Integer> perIp = new HashMap<>();
    private final CountDownLatch stopReaper = new CountDownLatch(1);

    /** @param maxPerIp the most connections one caller address may hold (0: no limit) */
    OpenConnections(int maxPerIp) {
        this.maxPerIp = maxPerIp;
    }

    /** Tracks {@code c}, or returns false (tracking nothing) when its address is over the limit. */
    synchronized boolean add(Connection c) {
        return add(c, true);
    }

    /**
     * As {@link #add(Connection)}; with {@code limit} false it is counted but never refused: a
     * proxy's address holds every caller behind it, so with PROXY headers the limit waits for
     * the real caller ({@link #recount}).
     */
    synchronized boolean add(Connection c, boolean limit) {
        InetAddress ip = c.remote().getAddress();
        if (limit && full(ip)) {
            return false;
        }
        perIp.merge(ip, 1, Integer::sum);
        open.put(c, ip);
        return true;
    }

    /**
     * Counts {@code c} under its {@link Connection#remote()} now that a PROXY header has named
     * the real caller; returns false (counting it as before) when that caller is over the limit.
     */
    synchronized boolean recount(Connection c) {
        InetAddress was = open.get(c);
        InetAddress ip = c.remote().getAddress();
        if (was == null || was.equals(ip)) return true;
        if (full(ip)) return false;
        perIp.computeIfPresent(was, (a, n) -> n == 1 ? null : n - 1);
        perIp.merge(ip, 1, Integer::sum);
        open.put(c, ip);
        return true;
    }

    private boolean full(InetAddress ip) {
        return maxPerIp > 0 && perIp.getOrDefault(ip, 0) >= maxPerIp;
    }

    synchronized void remove(Connection c) {
        InetAddress ip = open.remove(c);
        if (ip != null) {
            perIp.computeIfPresent(ip, (a, n) -> n == 1 ? null : n - 1);
        }
    }

    /** Whether {@code thread} is running the handler of one of these connections. */
    synchronized boolean handledOn(Thread thread) {
        for (Connection c : open.keySet()) {
            if (c.handlerThread == thread) return true;
        }
        return false;
    }

    synchronized int size() {
        return open.size();
    }

    synchronized List<Connection> snapshot() {
        return new ArrayList<>(open.keySet());
    }

    /**
     * Waits until nothing is open, {@code deadlineNanos} (System.nanoTime) passes, or
     * {@code force} opens; returns whether everything ended.
     */
    boolean awaitEmpty(long deadlineNanos, CountDownLatch force) throws InterruptedException {
        while (size() > 0) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0 || force.await(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 20), TimeUnit.MILLISECONDS)) {
                return size() == 0;
            }
        }
        return true;
    }

    /** Closes every open connection with this outcome (a reset, so callers know it was cut). */
    void abortAll(String outcome) {
        for (Connection c : snapshot()) {
            c.outcome(outcome);
            c.abort();
        }
    }

    /** Starts the one thread that enforces the idle timeout; it runs until {@link #stopReaper}. */
    Thread startReaper(Duration idle) {
        long idleNanos = idle.toNanos();
        long period = Math.clamp(idle.toMillis() / 4, 10, 1000);
        return Thread.ofPlatform().daemon().name("idle-reaper").start(() -> {
            try {
                while (!stopReaper.await(period, TimeUnit.MILLISECONDS)) {
                    long now = System.nanoTime();
                    for (Connection c : snapshot()) {
                        if (now - c.lastActivity() >= idleNanos) {
                            c.outcome("idle-timeout");
                            c.abort();
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    void stopReaper() {
        stopReaper.countDown();
    }
}
