package dev.switchboard.model;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A platform (kernel) thread per connection: the classic threaded server. Each connection has
 * a thread of its own for its whole life; a thread whose connection has ended waits (up to a
 * minute) for the next one instead of dying, as Apache's worker and Tomcat keep theirs.
 * Starting a platform thread costs a clone, a stack mapping and a hand-shake with the new
 * thread that the accept loop would wait out for every caller: measured, that capped greet at
 * about a fifth of serial's rate.
 *
 * <p>The threads are daemons, so idle ones never keep a JVM alive after its servers closed
 * (a server's close already waits for its connections). A handler's thread-locals outlive its
 * connection, as in any pooled server.
 */
public record ThreadPerConnection() implements ConcurrencyModel {

    private static final ExecutorService THREADS = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("conn-", 0).daemon(true).factory());

    @Override
    public String name() {
        return "threads";
    }

    @Override
    public void execute(Runnable connectionTask) {
        THREADS.execute(connectionTask);
    }
}
