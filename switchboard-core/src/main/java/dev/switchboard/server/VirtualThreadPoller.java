package dev.switchboard.server;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Makes the JDK start its virtual-thread I/O poller now, while file descriptors are plentiful.
 * The JDK starts it (epoll instances: descriptors) the first time a virtual thread blocks on
 * a socket; if that first time comes when the accept loop has just used up every descriptor,
 * the poller's class fails to initialise and every later virtual-thread socket operation
 * fails with it, for good. A server out of descriptors must recover, so it starts the poller
 * before it accepts anyone: one virtual thread blocks reading an empty pipe, then is woken.
 */
final class VirtualThreadPoller {

    private static final System.Logger LOG = System.getLogger(VirtualThreadPoller.class.getName());
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static final long WAIT_NANOS = 2_000_000_000L;

    private VirtualThreadPoller() {
    }

    static void start() {
        if (!STARTED.compareAndSet(false, true)) return;
        try {
            Pipe pipe = Pipe.open();
            try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
                Thread reader = Thread.ofVirtual().name("poller-warm-up").start(() -> {
                    try {
                        source.read(ByteBuffer.allocate(1));
                    } catch (IOException ignored) {
                        // woken either way
                    }
                });
                long deadline = System.nanoTime() + WAIT_NANOS;
                while (reader.getState() != Thread.State.WAITING && reader.isAlive() && System.nanoTime() < deadline) {
                    Thread.onSpinWait(); // the reader parks within microseconds
                }
                sink.write(ByteBuffer.wrap(new byte[] {0}));
                reader.join();
            }
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            LOG.log(Level.DEBUG, "starting the virtual-thread poller early failed", e);
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        }
    }
}
