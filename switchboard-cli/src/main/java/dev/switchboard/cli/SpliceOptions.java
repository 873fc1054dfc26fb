package dev.switchboard.cli;

import dev.switchboard.io.Endpoint;
import dev.switchboard.io.ForwardingEndpoint;
import dev.switchboard.io.Splice;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * How {@code connect} and {@code listen} move bytes between the terminal and the socket (a
 * picocli mixin): what to send ({@code --send}, {@code --crlf}), whether stdin's EOF becomes
 * a half-close ({@code --no-shutdown}), and the idle timeout.
 */
public final class SpliceOptions {

    @Option(names = "--send", paramLabel = "TEXT",
            description = "Send TEXT instead of stdin (C escapes: \\r \\n \\t \\0 \\\\ \\xHH), then half-close.")
    String send;

    @Option(names = "--crlf", description = "Turn each LF read from stdin into CRLF.")
    boolean crlf;

    @Option(names = "--no-shutdown",
            description = "At stdin's EOF keep our write side open instead of half-closing it.")
    boolean noShutdown;

    @Option(names = {"-i", "--idle-timeout"}, paramLabel = "SECONDS", converter = SecondsConverter.class,
            description = "Close the connection when no byte has moved either way for this long.")
    Duration idleTimeout;

    private byte[] sendBytes;

    /** Checks the options against each other; a usage error names the conflict. */
    void validate(CommandLine cmd) {
        if (send != null && crlf) {
            throw new CommandLine.ParameterException(cmd, "--send and --crlf cannot be used together"
                    + " (write \\r\\n in the --send text)");
        }
        if (send != null) {
            try {
                sendBytes = Escapes.decode(send);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, "--send: " + e.getMessage());
            }
        }
    }

    /** Whether any of these options was given (the scan mode allows none). */
    boolean anyGiven() {
        return send != null || crlf || noShutdown || idleTimeout != null;
    }

    /** The bytes one connection gets from us: the --send text, or {@code stdin} (with --crlf). */
    InputStream input(InputStream stdin) {
        if (sendBytes != null) return new ByteArrayInputStream(sendBytes);
        return crlf ? new CrlfInputStream(stdin) : stdin;
    }

    /**
     * Our side of a splice: bytes from {@code in}, the peer's bytes to {@code out}; when the
     * peer's EOF has been passed on to {@code out}, {@code onPeerEnd} runs (null: nothing).
     */
    static Endpoint local(InputStream in, OutputStream out, Runnable onPeerEnd) {
        Endpoint streams = new Named(Endpoint.of(in, out));
        return onPeerEnd == null ? streams : new OnPeerEnd(streams, onPeerEnd);
    }

    /**
     * How a splice that failed is told: a stdin or stdout we could not use is named as such
     * (a full disk, a closed pipe), anything else is the connection's.
     */
    static String lost(IOException failure) {
        return failure instanceof StdioFailure ? failure.getMessage() : "connection lost: " + failure.getMessage();
    }

    /** A read of our stdin or a write to our stdout that failed: our side, not the connection. */
    private static final class StdioFailure extends IOException {
        StdioFailure(String message, IOException cause) {
            super(message, cause);
        }
    }

    /**
     * Splices our side to the socket until both directions are over, then closes both. Our
     * side ends at stdin's EOF, or (see {@link SharedInput.Lease#drain}) when the peer is done
     * and stdin has gone quiet.
     */
    Splice.Result splice(Endpoint local, SocketChannel channel) throws InterruptedException {
        Endpoint net = Endpoint.of(channel);
        return Splice.between(local, noShutdown ? new KeepWriteOpen(net) : net)
                .idleTimeout(idleTimeout)
                // Daemon platform threads: a copier stuck reading a terminal must not keep the
                // JVM alive, and they start faster than the virtual-thread scheduler.
                .threads(Thread.ofPlatform().daemon().name("splice-", 0).factory())
                .run();
    }

    /** One line for -v: what a splice moved and how long it took. */
    static String summary(Splice.Result r, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return String.format("sent %d bytes, received %d bytes in %.3fs", r.aToB(), r.bToA(), seconds);
    }

    /** Our side, telling the command when the peer's EOF has reached our stdout. */
    private static final class OnPeerEnd extends ForwardingEndpoint {
        private final Runnable onPeerEnd;

        OnPeerEnd(Endpoint inner, Runnable onPeerEnd) {
            super(inner);
            this.onPeerEnd = onPeerEnd;
        }

        @Override
        public void shutdownOutput() throws IOException {
            try {
                inner.shutdownOutput();
            } finally {
                onPeerEnd.run();
            }
        }
    }

    /** Our side, naming itself in its failures. */
    private static final class Named extends ForwardingEndpoint {
        Named(Endpoint inner) {
            super(inner);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            try {
                return inner.read(dst);
            } catch (IOException e) {
                throw new StdioFailure("cannot read stdin: " + e.getMessage(), e);
            }
        }

        @Override
        public void write(ByteBuffer src) throws IOException {
            try {
                inner.write(src);
            } catch (IOException e) {
                throw new StdioFailure("cannot write to stdout: " + e.getMessage(), e);
            }
        }
    }

    /** The network side under --no-shutdown: our EOF is not passed on; the rest is. */
    private static final class KeepWriteOpen extends ForwardingEndpoint {
        KeepWriteOpen(Endpoint inner) {
            super(inner);
        }

        @Override
        public void shutdownOutput() {
            // --no-shutdown: the peer keeps a writable connection until it closes
        }
    }
}
