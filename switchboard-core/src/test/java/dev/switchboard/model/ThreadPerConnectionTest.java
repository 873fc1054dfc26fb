package dev.switchboard.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The threads model: connections at once each hold a platform thread of their own. */
@Timeout(10)
class ThreadPerConnectionTest {

    @Test
    void connectionsAtOnceRunOnDistinctPlatformDaemonThreads() throws Exception {
        int n = 8;
        CountDownLatch allRunning = new CountDownLatch(n);
        CountDownLatch release = new CountDownLatch(1);
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        ThreadPerConnection model = new ThreadPerConnection();
        for (int i = 0; i < n; i++) {
            model.execute(() -> {
                threads.add(Thread.currentThread());
                allRunning.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        // Each task blocks until all have started: only a thread per task gets them there.
        assertThat(allRunning.await(5, TimeUnit.SECONDS)).isTrue();
        release.countDown();
        assertThat(threads).hasSize(n).allMatch(t -> !t.isVirtual() && t.isDaemon());
    }
}
