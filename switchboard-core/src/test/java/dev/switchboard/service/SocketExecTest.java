package dev.switchboard.service;

import static org.assertj.core.api.Assertions.assertThat;

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
        try (Loopback l = new Loopback()) {
            assertThat(SocketExec.available(l.connection)).isTrue();
            CompletableFuture<Void> served = l.serve(Exec.of(java.util.List.of("readlink", "/proc/self/fd/0", "/proc/self/fd/1")));
            assertThat(ExecTest.text(l.readAll()).lines()).hasSize(2).allMatch(s -> s.startsWith("socket:"));
            served.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void thePropertyForcesTheJdksWay() throws Exception {
        try (Loopback l = new Loopback()) {
            System.setProperty(SocketExec.PROPERTY, "jdk");
            assertThat(SocketExec.available(l.connection)).isFalse();
        } finally {
            System.clearProperty(SocketExec.PROPERTY);
        }
    }
}
