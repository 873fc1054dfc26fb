package dev.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Runs one load: splits the connections over one or a few {@link Worker} threads (each a
 * selector, never a thread per connection), reports progress once a second if asked, and
 * merges what the workers counted. It returns by warm-up + duration plus a short grace,
 * always.
 */
public final class LoadGenerator {

    private LoadGenerator() {
    }

    /** Runs the load; {@code progress} (may be null) is called about once a second. */
    public static LoadResult run(LoadSpec spec, Consumer<Progress> progress) throws InterruptedException {
        int threads = Math.min(spec.threads(), spec.connections());
        Recorder recorder = progress == null ? null : new Recorder(3);
        long cpu0 = cpuNanos();
        long tStart = System.nanoTime();
        long tMeasure = tStart + spec.warmup().toNanos();
        long tEnd = tMeasure + spec.duration().toNanos();
        List<Worker> workers = new ArrayList<>();
        List<Thread> running = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int share = spec.connections() / threads + (i < spec.connections() % threads ? 1 : 0);
            Worker w = new Worker(spec, share, spec.rate() / threads, LoadSpec.HOLD_RAMP / threads, tStart, recorder);
            workers.add(w);
            Thread t = new Thread(w, "bench-" + i);
            t.setDaemon(true);
            running.add(t);
        }
        running.forEach(Thread::start);
        watch(workers, running, tStart, tMeasure, tEnd, recorder, progress);
        long grace = Duration.ofSeconds(5).toNanos();
        for (Thread t : running) {
            long left = tEnd + grace - System.nanoTime();
            t.join(Math.max(1, left / 1_000_000));
        }
        long cpu = cpuNanos() - cpu0;
        double wall = (System.nanoTime() - tStart) / 1e9;
        Tally total = new Tally();
        long stopped = tMeasure;
        for (Worker w : workers) {
            if (w.failure != null) {
                throw new IllegalStateException("a load worker failed: " + w.failure, w.failure);
            }
            total.add(w.tally);
            stopped = Math.max(stopped, w.stoppedAt);
        }
        long from = spec.mode() == Mode.HOLD ? tStart : tMeasure;
        double seconds = Math.max(0, Math.min(stopped, tEnd) - from) / 1e9;
        double cpuPercent = cpu < 0 || wall <= 0 ? -1 : 100.0 * cpu / 1e9 / wall;
        return LoadResult.of(spec, seconds, total, cpuPercent, openFilesLimit());
    }

    private static void watch(List<Worker> workers, List<Thread> running, long tStart, long tMeasure, long tEnd,
                              Recorder recorder, Consumer<Progress> progress) throws InterruptedException {
        if (progress == null) {
            return;
        }
        long lastCompleted = 0;
        long last = tStart;
        Histogram interval = null;
        while (running.stream().anyMatch(Thread::isAlive)) {
            long next = Math.min(last + 1_000_000_000L, tEnd);
            for (Thread t : running) {
                t.join(Math.max(1, (next - System.nanoTime()) / 1_000_000));
            }
            long now = System.nanoTime();
            long completed = workers.stream().mapToLong(w -> w.liveCompleted).sum();
            long errors = workers.stream().mapToLong(w -> w.liveErrors).sum();
            interval = recorder.getIntervalHistogram(interval);
            double rate = switch (workers.get(0).mode()) {
                case GREET, ECHO -> (completed - lastCompleted) / Math.max(1e-9, (now - last) / 1e9);
                case STREAM -> (completed - lastCompleted) / 1e6 / Math.max(1e-9, (now - last) / 1e9);
                case HOLD -> completed;
            };
            double p99 = interval.getTotalCount() == 0 ? 0 : interval.getValueAtPercentile(99) / 1e3;
            if (now < tEnd || now - last > 200_000_000L) { // a last sliver of an interval says nothing
                progress.accept(new Progress((now - tStart) / 1e9, now < tMeasure, rate, p99, errors));
            }
            lastCompleted = completed;
            last = now;
            if (now >= tEnd) {
                return;
            }
        }
    }

    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    /**
     * The soft limit on open files, from /proc/self/limits (Linux), or -1. HotSpot has already
     * raised it to the hard limit at startup (MaxFDLimit), which is all a process can do.
     */
    static long openFilesLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return f[0].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(f[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or no /proc: the limit is unknown and we say nothing about it.
        }
        return -1;
    }
}
