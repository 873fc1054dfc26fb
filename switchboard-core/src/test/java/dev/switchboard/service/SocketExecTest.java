package dev.switchboard.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exec's fast path is taken where it can be: these tests run on JDK 22+ on Linux with the JVM
 * options the build gives them ({@code --enable-native-access}, {@code --add-exports}); the
 * behaviour itself is {@link ExecTest}'s, run on both ways.
 */
@Timeout(30)
class SocketExecTest {

    @Test
    void theProgramsStdinAndStdoutAreTheSocketItself() throws Exception {
        assumeFastPath();
        try (Loopback l = new Loopback()) {
            assertThat(SocketExec.available(l.connection)).isTrue();
            CompletableFuture<Void> served = l.serve(Exec.of(java.util.List.of("readlink", "/proc/self/fd/0", "/proc/self/fd/1")));
            assertThat(ExecTest.text(l.readAll()).lines()).hasSize(2).allMatch(s -> s.startsWith("socket:"));
            served.get(10, TimeUnit.SECONDS);
        }
    }

    /** Skips a test of the fast path where it can't be taken: the suite run the JDK's way, or a JDK 21 build. */
    static void assumeFastPath() {
        assumeTrue(System.getProperty(SocketExec.PROPERTY) == null, "the suite runs the JDK's way on purpose");
        assumeTrue(Runtime.version().feature() >= 22, "the fast path needs JDK 22 (FFM)");
    }

    @Test
    void thePropertyForcesTheJdksWay() throws Exception {
        String before = System.setProperty(SocketExec.PROPERTY, "jdk");
        try (Loopback l = new Loopback()) {
            assertThat(SocketExec.available(l.connection)).isFalse();
        } finally {
            if (before == null) System.clearProperty(SocketExec.PROPERTY);
            else System.setProperty(SocketExec.PROPERTY, before);
        }
    }
}
