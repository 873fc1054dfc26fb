package dev.switchboard.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server the lab starts as a child process: waits for its {@code listening on ADDRESS:PORT}
 * line on stderr, reads its CPU time and peak memory from /proc, and stops it (children too,
 * for the fork model).
 */
public final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on \\[?([^\\]\\s]*?)\\]?:(\\d+)\\s*$");
    /** USER_HZ: the unit of the times in /proc/PID/stat; 100 on every Linux we know of. */
    private static final double TICKS_PER_SECOND = 100;

    private final Process process;
    private final InetSocketAddress address;

    private final Thread reaper;

    private ServerProcess(Process process, InetSocketAddress address) {
        this.process = process;
        this.address = address;
        // Ctrl-C during the lab must not leave a server (or a fork server's children) behind.
        this.reaper = new Thread(() -> stop(process), "server-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** Starts {@code command} and waits up to {@code wait} for its listening line. */
    public static ServerProcess start(List<String> command, Duration wait) throws IOException {
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        ArrayDeque<String> last = new ArrayDeque<>();
        CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
        Thread reader = new Thread(() -> drain(p, last, bound), "server-stderr");
        reader.setDaemon(true);
        reader.start();
        try {
            return new ServerProcess(p, bound.get(wait.toMillis(), TimeUnit.MILLISECONDS));
        } catch (ExecutionException | TimeoutException e) {
            stop(p);
            String said;
            synchronized (last) {
                said = last.isEmpty() ? "" : ": " + String.join(" / ", last);
            }
            throw new IOException(e instanceof TimeoutException
                    ? "the server did not say 'listening on' within " + wait.toSeconds() + " s" + said
                    : "the server exited before listening" + said);
        } catch (InterruptedException e) {
            stop(p);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the server");
        }
    }

    private static void drain(Process p, ArrayDeque<String> last, CompletableFuture<InetSocketAddress> bound) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                synchronized (last) {
                    last.addLast(line.strip());
                    if (last.size() > 3) {
                        last.removeFirst();
                    }
                }
                Matcher m = LISTENING.matcher(line);
                if (!bound.isDone() && m.find()) {
                    bound.complete(loopbackFor(m.group(1), Integer.parseInt(m.group(2))));
                }
            }
        } catch (IOException | RuntimeException e) {
            bound.completeExceptionally(e);
        }
        bound.completeExceptionally(new IOException("exited"));
    }

    /** Where to call a server that said it listens on {@code host}: a wildcard means loopback. */
    private static InetSocketAddress loopbackFor(String host, int port) throws IOException {
        InetAddress a = InetAddress.getByName(host.isEmpty() || host.equals("*") ? "0.0.0.0" : host);
        if (a.isAnyLocalAddress()) {
            a = a.getAddress().length == 4 ? InetAddress.getByName("127.0.0.1") : InetAddress.getByName("::1");
        }
        return new InetSocketAddress(a, port);
    }

    public InetSocketAddress address() {
        return address;
    }

    public long pid() {
        return process.pid();
    }

    /** CPU time of the server and its reaped children so far, in seconds. */
    public double cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            // The command name may hold spaces; the fields we want follow its closing ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
            return ticks / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(-1.0);
        }
    }

    /** The server process's peak resident memory (VmHWM) in KiB, or -1 where unknown. */
    public long peakMemoryKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: unknown.
        }
        return -1;
    }

    public boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        stop(process);
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook runs anyway, and finds the server stopped.
        }
    }

    private static void stop(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
