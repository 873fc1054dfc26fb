package dev.switchboard.cli;

import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * SIGINT and SIGTERM for long-running commands: the first asks for a graceful stop, the
 * second for an immediate one. Each runs on its own thread so the JVM's signal thread
 * returns at once.
 */
final class Signals {

    private Signals() {
    }

    static void onStop(Runnable graceful, Runnable now) {
        AtomicInteger count = new AtomicInteger();
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), s -> {
                    Runnable action = count.incrementAndGet() == 1 ? graceful : now;
                    Thread.ofPlatform().name("stop-" + s.getName()).start(action);
                });
            } catch (IllegalArgumentException unavailable) {
                // This platform or the JVM (-Xrs) keeps the signal; the default behaviour stays.
            }
        }
    }
}
