package dev.switchboard.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every exec case again on the JDK's way (pipes and a splice), forced as README says. */
class ExecJdkPathTest extends ExecTest {

    private String before;

    @BeforeEach
    void jdkPath() {
        before = System.setProperty(SocketExec.PROPERTY, "jdk");
    }

    @AfterEach
    void previousPath() {
        if (before == null) {
            System.clearProperty(SocketExec.PROPERTY);
        } else {
            System.setProperty(SocketExec.PROPERTY, before);
        }
    }

    @Test
    void theProgramsStdinIsAPipe() throws Exception {
        try (Loopback l = new Loopback()) {
            CompletableFuture<Void> served = l.serve(exec("readlink", "/proc/self/fd/0", "/proc/self/fd/1"));
            assertThat(text(l.readAll()).lines()).allMatch(s -> s.startsWith("pipe:"));
            served.get(10, TimeUnit.SECONDS);
        }
    }
}
