package dev.switchboard.service;

import dev.switchboard.server.Connection;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * Exec's fast path, which needs the FFM API (final in JDK 22): this is the JDK 21 stand-in,
 * which says it is not available, so {@link Exec} starts programs the JDK's way. The real one
 * (with SocketChild, ExecWatcher and Libc, which exist only there) is in
 * {@code src/main/java22} and the jar's {@code META-INF/versions/22}.
 */
final class SocketExec {

    /** {@code -Dswitchboard.exec.spawn=jdk} forces the JDK's way even where the fast path works. */
    static final String PROPERTY = "switchboard.exec.spawn";

    private SocketExec() {
    }

    static boolean available(Connection connection) {
        return false;
    }

    static Exec.Result run(Exec exec, Connection connection) throws IOException {
        throw new UnsupportedOperationException("exec's fast path needs JDK 22 or later");
    }

    static CompletableFuture<Exec.Result> start(Exec exec, Connection connection) throws IOException {
        throw new UnsupportedOperationException("exec's fast path needs JDK 22 or later");
    }
}
