package dev.switchboard.service;

import dev.switchboard.io.Endpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A child process as one side of a {@link dev.switchboard.io.Splice}: its stdout is read, its
 * stdin written, and an abort (the caller reset, or the idle timeout fired) terminates it:
 * SIGTERM, then SIGKILL if it is still alive after the grace.
 */
final class ProcessEndpoint implements Endpoint {

    private final Process process;
    private final Endpoint streams;
    private final Duration grace;
    private final AtomicBoolean terminating = new AtomicBoolean();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile boolean inputGone;
    private volatile boolean outputEnded;

    ProcessEndpoint(Process process, Duration grace) {
        this.process = process;
        this.streams = Endpoint.of(process.getInputStream(), process.getOutputStream());
        this.grace = grace;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int n = streams.read(dst);
        if (n < 0) {
            outputEnded = true;
        }
        return n;
    }

    /**
     * Passes the caller's bytes to the program's stdin. A program that stopped reading (closed
     * stdin or exited) is not an error: what it still writes must reach the caller, so the
     * rest of the caller's input is dropped instead of resetting the connection.
     */
    @Override
    public void write(ByteBuffer src) throws IOException {
        if (!inputGone) {
            try {
                streams.write(src);
                return;
            } catch (IOException stdinClosed) {
                inputGone = true;
            }
        }
        src.position(src.limit());
    }

    @Override
    public void shutdownOutput() {
        try {
            streams.shutdownOutput(); // the program sees EOF on stdin
        } catch (IOException alreadyGone) {
            inputGone = true;
        }
    }

    /**
     * Stops the program, unless its output has already ended: then it is on its way out by
     * itself (the splice's closing of the caller's side ends here too), and {@link Exec} gives it
     * the grace to finish.
     */
    @Override
    public void abort() {
        if (!outputEnded) {
            terminate();
        }
        streams.close();
    }

    @Override
    public void close() {
        streams.close();
    }

    /** Starts SIGTERM-then-SIGKILL once, off the caller's thread, which may be a copier. */
    void terminate() {
        if (terminating.compareAndSet(false, true)) {
            Thread.ofVirtual().name("exec-kill-" + process.pid()).start(() -> {
                stop(process, grace);
                stopped.complete(null);
            });
        }
    }

    /** Completes once a {@link #terminate()} has finished: the process is gone. */
    CompletableFuture<Void> stopped() {
        return stopped;
    }

    /**
     * SIGTERM, a grace to exit, then SIGKILL; returns once the process is gone. Its
     * descendants get the same: {@code sh -c '...; sleep 60'} leaves sleep holding the stdout
     * pipe, and the splice would wait on that pipe long after the shell died. They are listed
     * before each signal, because once their parent dies they are no longer its.
     */
    static void stop(Process process, Duration grace) {
        Set<ProcessHandle> family = family(process, new LinkedHashSet<>());
        family.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            for (ProcessHandle member : family) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                try {
                    member.onExit().get(left, TimeUnit.NANOSECONDS);
                } catch (TimeoutException | ExecutionException stillAlive) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            family(process, family).stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
        try {
            process.waitFor(); // SIGKILL can't be ignored; this returns at once
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Set<ProcessHandle> family(Process process, Set<ProcessHandle> into) {
        into.add(process.toHandle());
        process.descendants().forEach(into::add);
        return into;
    }
}
