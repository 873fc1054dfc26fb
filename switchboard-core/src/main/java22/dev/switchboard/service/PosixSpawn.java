package dev.switchboard.service;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * posix_spawn through the FFM API, for {@link SocketChild}: the program gets the caller's
 * socket on fds 0 and 1, a pipe on 2, nothing else open, no signal blocked, and a process
 * group of its own. The other C calls the fast path makes are {@link Libc}'s.
 */
final class PosixSpawn {

    private static final MethodHandle POSIX_SPAWNP = Libc.bind("posix_spawnp", false,
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle ACTIONS_INIT = Libc.bind("posix_spawn_file_actions_init", false,
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ACTIONS_DESTROY = Libc.bind("posix_spawn_file_actions_destroy", false,
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ADD_DUP2 = Libc.bind("posix_spawn_file_actions_adddup2", false,
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle ADD_CLOSEFROM = Libc.bind("posix_spawn_file_actions_addclosefrom_np", false,
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle ATTR_INIT = Libc.bind("posix_spawnattr_init", false,
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_SETFLAGS = Libc.bind("posix_spawnattr_setflags", false,
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private static final MethodHandle ATTR_SETSIGMASK = Libc.bind("posix_spawnattr_setsigmask", false,
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SIGEMPTYSET = Libc.bind("sigemptyset", false,
            FunctionDescriptor.of(JAVA_INT, ADDRESS));

    private static final short POSIX_SPAWN_SETPGROUP = 2;
    private static final short POSIX_SPAWN_SETSIGMASK = 8;
    /** Bigger than glibc's posix_spawn_file_actions_t (80), posix_spawnattr_t (336), sigset_t (128). */
    private static final long OPAQUE = 512;

    /** Why programs can't be started this way here, or null when they can. */
    static final String UNAVAILABLE = Libc.UNAVAILABLE != null ? Libc.UNAVAILABLE
            : POSIX_SPAWNP == null || ADD_CLOSEFROM == null
            ? "the C library lacks posix_spawn_file_actions_addclosefrom_np (glibc >= 2.34 has it)"
            : null;

    private PosixSpawn() {
    }

    /**
     * Starts {@code command} (searched on the server's PATH, as the JDK does) with {@code socket}
     * as its stdin and stdout, {@code stderr} as its stderr, nothing else open, no signal
     * blocked, and {@code env} as its whole environment. Returns its pid.
     */
    static int start(Arena arena, List<String> command, Map<String, String> env, int socket, int stderr)
            throws IOException {
        MemorySegment actions = arena.allocate(OPAQUE, 16);
        MemorySegment pid = arena.allocate(JAVA_INT);
        MemorySegment argv = arena.allocate(ADDRESS, command.size() + 1L);
        for (int i = 0; i < command.size(); i++) {
            argv.setAtIndex(ADDRESS, i, arena.allocateFrom(command.get(i)));
        }
        MemorySegment envp = arena.allocate(ADDRESS, env.size() + 1L);
        int i = 0;
        for (Map.Entry<String, String> e : env.entrySet()) {
            envp.setAtIndex(ADDRESS, i++, arena.allocateFrom(e.getKey() + "=" + e.getValue()));
        }
        try {
            check("posix_spawn_file_actions_init", (int) ACTIONS_INIT.invokeExact(actions));
            try {
                check("dup2", (int) ADD_DUP2.invokeExact(actions, socket, 0));
                check("dup2", (int) ADD_DUP2.invokeExact(actions, socket, 1));
                check("dup2", (int) ADD_DUP2.invokeExact(actions, stderr, 2));
                // The JDK doesn't mark its descriptors close-on-exec: without this the
                // program would hold the listener and every other caller's socket.
                check("closefrom", (int) ADD_CLOSEFROM.invokeExact(actions, 3));
                int error = (int) POSIX_SPAWNP.invokeExact(pid, argv.getAtIndex(ADDRESS, 0), actions,
                        Attributes.ATTR, argv, envp);
                if (error != 0) {
                    throw new IOException("Cannot run program \"" + command.get(0) + "\": error=" + error
                            + ", " + Libc.strerror(error));
                }
                return pid.get(JAVA_INT, 0);
            } finally {
                int ignored = (int) ACTIONS_DESTROY.invokeExact(actions);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * The spawn attributes every program gets, made once (posix_spawn only reads them): no
     * signal blocked. The JVM's threads block SIGQUIT (and may block others): a program must
     * start with none blocked, as after a shell's fork. And a process group of its own (the
     * attribute's group 0: the program's pid): a terminal's Ctrl-C goes to the server's
     * whole group, and a program in it would die at once, taking its caller's data with it,
     * where the server's first SIGINT promises open connections the grace; the server stops
     * its programs itself when the grace is over or a second signal comes.
     */
    private static final class Attributes {
        static final MemorySegment ATTR = make();

        private static MemorySegment make() {
            MemorySegment attr = Arena.global().allocate(OPAQUE, 16);
            MemorySegment mask = Arena.global().allocate(OPAQUE, 16);
            try {
                check("posix_spawnattr_init", (int) ATTR_INIT.invokeExact(attr));
                check("sigemptyset", (int) SIGEMPTYSET.invokeExact(mask));
                check("setsigmask", (int) ATTR_SETSIGMASK.invokeExact(attr, mask));
                check("setflags", (int) ATTR_SETFLAGS.invokeExact(attr, (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP)));
                return attr;
            } catch (Throwable t) {
                throw new IllegalStateException("cannot set up posix_spawn's attributes", t);
            }
        }
    }

    private static void check(String what, int result) throws IOException {
        if (result != 0) {
            throw new IOException("posix_spawn set-up failed (" + what + "): " + Libc.strerror(result));
        }
    }
}
