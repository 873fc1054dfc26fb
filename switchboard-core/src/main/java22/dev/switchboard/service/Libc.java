package dev.switchboard.service;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The C library calls {@link SocketExec} makes, bound through the FFM API: posix_spawn with
 * file actions, pidfd_open and epoll to see children exit or their sockets hang up, waitpid,
 * kill, fcntl and getsockopt(TCP_INFO). Linux with glibc 2.36 or later (2.34 for
 * {@code posix_spawn_file_actions_addclosefrom_np}, 2.36 for {@code pidfd_open}); the
 * constants and struct layouts are Linux's (x86-64 and aarch64).
 *
 * <p>Nothing is bound unless this code may call native functions without a warning (the JVM
 * option {@code --enable-native-access=ALL-UNNAMED}, or the jar manifest's
 * {@code Enable-Native-Access}): without it the JDK would print a warning on the server's
 * stderr, and exec quietly takes the JDK's way instead.
 */
final class Libc {

    static final int SIGKILL = 9;
    static final int SIGTERM = 15;
    /** epoll: readable (a pidfd: its process exited). */
    static final int EPOLLIN = 1;
    /** epoll, always reported: an error, or hung up (on a socket: both directions are over). */
    static final int EPOLLERR = 8;
    static final int EPOLLHUP = 16;

    private static final int EINTR = 4;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int O_NONBLOCK = 0x800;
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLL_CTL_MOD = 3;
    /** epoll: the peer shut down its writing side (its FIN arrived). */
    static final int EPOLLRDHUP = 0x2000;
    private static final int O_CLOEXEC = 0x80000;
    private static final int SHUT_WR = 1;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int EAGAIN = 11;
    private static final long SIOCOUTQ = 0x5411;
    /** struct epoll_event is packed on x86-64 (12 bytes, data at 4), natural elsewhere (16, at 8). */
    private static final boolean PACKED = System.getProperty("os.arch", "").equals("amd64");
    private static final long EVENT_SIZE = PACKED ? 12 : 16;
    private static final long DATA_AT = PACKED ? 4 : 8;
    private static final int EFD_CLOEXEC_NONBLOCK = 0x80000 | 0x800;
    private static final int WNOHANG = 1;
    private static final short POSIX_SPAWN_SETSIGMASK = 8;
    private static final int SOL_TCP = 6;
    private static final int TCP_INFO = 11;
    /** Bigger than glibc's posix_spawn_file_actions_t (80), posix_spawnattr_t (336), sigset_t (128). */
    private static final long OPAQUE = 512;

    private static final boolean NATIVE_ACCESS = Libc.class.getModule().isNativeAccessEnabled();
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final long ERRNO = CALL_STATE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle POSIX_SPAWNP = bind("posix_spawnp", false,
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle ACTIONS_INIT = bind("posix_spawn_file_actions_init", false,
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ACTIONS_DESTROY = bind("posix_spawn_file_actions_destroy", false,
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ADD_DUP2 = bind("posix_spawn_file_actions_adddup2", false,
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle ADD_CLOSEFROM = bind("posix_spawn_file_actions_addclosefrom_np", false,
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle ATTR_INIT = bind("posix_spawnattr_init", false,
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_DESTROY = bind("posix_spawnattr_destroy", false,
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_SETFLAGS = bind("posix_spawnattr_setflags", false,
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private static final MethodHandle ATTR_SETSIGMASK = bind("posix_spawnattr_setsigmask", false,
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SIGEMPTYSET = bind("sigemptyset", false,
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle PIDFD_OPEN = bind("pidfd_open", true,
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CREATE1 = bind("epoll_create1", true,
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL = bind("epoll_ctl", true,
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT = bind("epoll_wait", true,
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle IOCTL = bind("ioctl", true,
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle PIPE2 = bind("pipe2", true,
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SHUTDOWN = bind("shutdown", false,
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle RECV = bind("recv", true,
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle READ_ERRNO = bind("read", true,
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle EVENTFD = bind("eventfd", true,
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle WRITE = bind("write", false,
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle READ = bind("read", false,
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WAITPID = bind("waitpid", true,
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle KILL = bind("kill", false,
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle FCNTL = bind("fcntl", true,
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle GETSOCKOPT = bind("getsockopt", true,
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle CLOSE = bind("close", false,
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle STRERROR = bind("strerror", false,
            FunctionDescriptor.of(ADDRESS, JAVA_INT));

    /** Why these calls can't be made here, or null when they can. */
    static final String UNAVAILABLE = !NATIVE_ACCESS ? "native access is not enabled"
            : !System.getProperty("os.name", "").equals("Linux") ? "not Linux"
            : java.util.Arrays.asList(POSIX_SPAWNP, ADD_CLOSEFROM, PIDFD_OPEN, EPOLL_WAIT, EVENTFD, PIPE2, RECV, IOCTL, WAITPID, FCNTL, GETSOCKOPT).contains(null)
            ? "the C library lacks posix_spawn_file_actions_addclosefrom_np or pidfd_open (glibc >= 2.36 has both)"
            : null;

    private Libc() {
    }

    private static MethodHandle bind(String name, boolean errno, FunctionDescriptor descriptor,
                                     Linker.Option... options) {
        if (!NATIVE_ACCESS) {
            return null;
        }
        Optional<MemorySegment> symbol = LINKER.defaultLookup().find(name);
        if (symbol.isEmpty()) {
            return null;
        }
        Linker.Option[] all = options;
        if (errno) {
            all = java.util.Arrays.copyOf(options, options.length + 1);
            all[options.length] = Linker.Option.captureCallState("errno");
        }
        return LINKER.downcallHandle(symbol.get(), descriptor, all);
    }

    /**
     * Starts {@code command} (searched on the server's PATH, as the JDK does) with {@code socket}
     * as its stdin and stdout, {@code stderr} as its stderr, nothing else open, no signal
     * blocked, and {@code env} as its whole environment. Returns its pid.
     */
    static int spawn(List<String> command, Map<String, String> env, int socket, int stderr) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(OPAQUE, 16);
            MemorySegment attr = arena.allocate(OPAQUE, 16);
            MemorySegment mask = arena.allocate(OPAQUE, 16);
            check("posix_spawn_file_actions_init", (int) ACTIONS_INIT.invokeExact(actions));
            try {
                check("posix_spawnattr_init", (int) ATTR_INIT.invokeExact(attr));
                try {
                    check("dup2", (int) ADD_DUP2.invokeExact(actions, socket, 0));
                    check("dup2", (int) ADD_DUP2.invokeExact(actions, socket, 1));
                    check("dup2", (int) ADD_DUP2.invokeExact(actions, stderr, 2));
                    // The JDK doesn't mark its descriptors close-on-exec: without this the
                    // program would hold the listener and every other caller's socket.
                    check("closefrom", (int) ADD_CLOSEFROM.invokeExact(actions, 3));
                    // The JVM's threads block SIGQUIT (and may block others): a program must
                    // start with none blocked, as after a shell's fork.
                    check("sigemptyset", (int) SIGEMPTYSET.invokeExact(mask));
                    check("setsigmask", (int) ATTR_SETSIGMASK.invokeExact(attr, mask));
                    check("setflags", (int) ATTR_SETFLAGS.invokeExact(attr, POSIX_SPAWN_SETSIGMASK));
                    MemorySegment pid = arena.allocate(JAVA_INT);
                    int error = (int) POSIX_SPAWNP.invokeExact(pid, arena.allocateFrom(command.get(0)), actions, attr,
                            strings(arena, command), strings(arena, env.entrySet().stream()
                                    .map(e -> e.getKey() + "=" + e.getValue()).toList()));
                    if (error != 0) {
                        throw new IOException("Cannot run program \"" + command.get(0) + "\": error=" + error
                                + ", " + strerror(error));
                    }
                    return pid.get(JAVA_INT, 0);
                } finally {
                    int ignored = (int) ATTR_DESTROY.invokeExact(attr);
                }
            } finally {
                int ignored = (int) ACTIONS_DESTROY.invokeExact(actions);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** A NULL-terminated array of C strings. */
    private static MemorySegment strings(Arena arena, List<String> values) {
        MemorySegment array = arena.allocate(ADDRESS, values.size() + 1L);
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(values.get(i)));
        }
        array.setAtIndex(ADDRESS, values.size(), MemorySegment.NULL);
        return array;
    }

    private static void check(String what, int result) throws IOException {
        if (result != 0) {
            throw new IOException("posix_spawn set-up failed (" + what + "): " + strerror(result));
        }
    }

    /** A descriptor for the child that is ours alone to poll, wait on and close. */
    static int pidfdOpen(int pid) throws IOException {
        return call("pidfd_open", state -> (int) PIDFD_OPEN.invokeExact(state, pid, 0));
    }

    /** A close-on-exec duplicate of {@code fd}, ours to close whatever happens to the original. */
    static int dup(int fd) throws IOException {
        return call("fcntl", state -> (int) FCNTL.invokeExact(state, fd, F_DUPFD_CLOEXEC, 3));
    }

    /** Clears O_NONBLOCK (shared by every copy of the descriptor); returns whether it was set. */
    static boolean clearNonBlocking(int fd) throws IOException {
        int flags = call("fcntl", state -> (int) FCNTL.invokeExact(state, fd, F_GETFL, 0));
        if ((flags & O_NONBLOCK) == 0) {
            return false;
        }
        call("fcntl", state -> (int) FCNTL.invokeExact(state, fd, F_SETFL, flags & ~O_NONBLOCK));
        return true;
    }

    /** Sets O_NONBLOCK again. */
    static void setNonBlocking(int fd) throws IOException {
        int flags = call("fcntl", state -> (int) FCNTL.invokeExact(state, fd, F_GETFL, 0));
        call("fcntl", state -> (int) FCNTL.invokeExact(state, fd, F_SETFL, flags | O_NONBLOCK));
    }

    static int epollCreate() throws IOException {
        return call("epoll_create1", state -> (int) EPOLL_CREATE1.invokeExact(state, EPOLL_CLOEXEC));
    }

    /** Watches {@code fd} for {@code events} (plus EPOLLERR and EPOLLHUP), tagged {@code data}. */
    static void epollAdd(int epfd, int fd, int events, long data) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = arena.allocate(16, 8);
            event.set(JAVA_INT, 0, events);
            event.set(JAVA_LONG_UNALIGNED, DATA_AT, data);
            call("epoll_ctl", state -> (int) EPOLL_CTL.invokeExact(state, epfd, EPOLL_CTL_ADD, fd, event));
        }
    }

    /** Changes what {@code fd} is watched for. */
    static void epollModify(int epfd, int fd, int events, long data) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = arena.allocate(16, 8);
            event.set(JAVA_INT, 0, events);
            event.set(JAVA_LONG_UNALIGNED, DATA_AT, data);
            call("epoll_ctl", state -> (int) EPOLL_CTL.invokeExact(state, epfd, EPOLL_CTL_MOD, fd, event));
        }
    }

    /**
     * A pipe for a child's stderr: {read end, write end}, both close-on-exec, the read end
     * non-blocking (the write end stays blocking: it is the program's).
     */
    static int[] stderrPipe() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            call("pipe2", state -> (int) PIPE2.invokeExact(state, fds, O_CLOEXEC));
            int[] pipe = {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
            try {
                setNonBlocking(pipe[0]);
            } catch (IOException e) {
                close(pipe[0]);
                close(pipe[1]);
                throw e;
            }
            return pipe;
        }
    }

    /** shutdown(SHUT_WR): our FIN, whoever else holds the socket. */
    static void shutdownOutput(int socket) {
        try {
            int ignored = (int) SHUTDOWN.invokeExact(socket, SHUT_WR);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Reads what is there without waiting, into {@code buffer}: the byte count, 0 at end of
     * stream, -1 when nothing is there yet, -2 on an error (a reset).
     */
    static int readNow(int fd, MemorySegment buffer, boolean socket) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long n = socket ? (long) RECV.invokeExact(state, fd, buffer, buffer.byteSize(), MSG_DONTWAIT)
                    : (long) READ_ERRNO.invokeExact(state, fd, buffer, buffer.byteSize());
            if (n >= 0) return (int) n;
            int errno = state.get(JAVA_INT, ERRNO);
            return errno == EAGAIN || errno == EINTR ? -1 : -2;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Stops watching {@code fd}; one no longer watched is no error. */
    static void epollDelete(int epfd, int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = arena.allocate(16, 8);
            call("epoll_ctl", state -> (int) EPOLL_CTL.invokeExact(state, epfd, EPOLL_CTL_DEL, fd, event));
        } catch (IOException notWatched) {
            // already gone
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for ready descriptors; fills {@code data} and
     * {@code events} and returns how many (0 on timeout or a signal). Blocks the thread: call it
     * from a platform thread.
     */
    static int epollWait(int epfd, long[] data, int[] events, int timeoutMillis) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ready = arena.allocate(EVENT_SIZE * data.length, 8);
            int n = call("epoll_wait", state -> (int) EPOLL_WAIT.invokeExact(state, epfd, ready, data.length, timeoutMillis), true);
            for (int i = 0; i < n; i++) {
                events[i] = ready.get(JAVA_INT_UNALIGNED, i * EVENT_SIZE);
                data[i] = ready.get(JAVA_LONG_UNALIGNED, i * EVENT_SIZE + DATA_AT);
            }
            return Math.max(n, 0);
        }
    }

    /** A non-blocking eventfd, for waking an epoll_wait. */
    static int eventfd() throws IOException {
        return call("eventfd", state -> (int) EVENTFD.invokeExact(state, 0, EFD_CLOEXEC_NONBLOCK));
    }

    /** Adds one to an eventfd (it becomes readable). */
    static void signalEventfd(int fd) {
        eventfdIo(WRITE, fd);
    }

    /** Empties an eventfd (readable no more). */
    static void drainEventfd(int fd) {
        eventfdIo(READ, fd);
    }

    private static void eventfdIo(MethodHandle io, int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_LONG);
            value.set(JAVA_LONG, 0, 1);
            long ignored = (long) io.invokeExact(fd, value, 8L);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Reaps the child if it has exited: its status as {@link #waitpid} gives it, or -1 if it runs on. */
    static int reap(int pid) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(JAVA_INT);
            int r;
            while ((r = call("waitpid", state -> (int) WAITPID.invokeExact(state, pid, status, WNOHANG), true)) == -1) {
                // interrupted by a signal: ask again
            }
            return r == 0 ? -1 : exitStatus(status.get(JAVA_INT, 0));
        }
    }

    /**
     * Reaps the child (blocking until it exits) and returns its exit status, 128 + the signal
     * when one ended it, as {@link Process#waitFor()} does.
     */
    static int waitpid(int pid) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(JAVA_INT);
            while (call("waitpid", state -> (int) WAITPID.invokeExact(state, pid, status, 0), true) != pid) {
                // interrupted by a signal: wait again
            }
            return exitStatus(status.get(JAVA_INT, 0));
        }
    }

    private static int exitStatus(int s) {
        return (s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f);
    }

    /** Sends {@code signal} to {@code pid}; a process already gone is no error. */
    static void kill(int pid, int signal) {
        try {
            int ignored = (int) KILL.invokeExact(pid, signal);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * The kernel's figures for a TCP socket.
     *
     * @param state             TCP_ESTABLISHED (1) ... TCP_CLOSING (11)
     * @param lastDataSentMillis time since data was last sent
     * @param lastDataRecvMillis time since data was last received
     * @param bytesReceived     tcpi_bytes_received: sequence space received (a FIN counts one)
     * @param bytesAcked        tcpi_bytes_acked: sequence space the peer acknowledged (our FIN counts one)
     * @param sendQueue         SIOCOUTQ: sequence space written and not yet acknowledged (our FIN counts one)
     */
    record TcpInfo(int state, long lastDataSentMillis, long lastDataRecvMillis, long bytesReceived,
                   long bytesAcked, long sendQueue) {
    }

    static TcpInfo tcpInfo(int socket) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(256, 8);
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, 136); // through tcpi_bytes_received (Linux 4.1+)
            call("getsockopt", state -> (int) GETSOCKOPT.invokeExact(state, socket, SOL_TCP, TCP_INFO, info, length));
            MemorySegment queued = arena.allocate(JAVA_INT);
            call("ioctl", state -> (int) IOCTL.invokeExact(state, socket, SIOCOUTQ, queued));
            return new TcpInfo(Byte.toUnsignedInt(info.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0)),
                    Integer.toUnsignedLong(info.get(JAVA_INT, 44)), Integer.toUnsignedLong(info.get(JAVA_INT, 52)),
                    info.get(JAVA_LONG, 128), info.get(JAVA_LONG, 120), Integer.toUnsignedLong(queued.get(JAVA_INT, 0)));
        }
    }

    private static String strerror(int errno) {
        try {
            MemorySegment message = (MemorySegment) STRERROR.invokeExact(errno);
            return message.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /** A call that sets errno on failure (returning -1). */
    private interface Call {
        int invoke(MemorySegment state) throws Throwable;
    }

    private static int call(String name, Call call) throws IOException {
        return call(name, call, false);
    }

    /** Makes the call; -1 is an error, except EINTR when {@code interruptible} (then -1 is returned). */
    private static int call(String name, Call call, boolean interruptible) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result;
            try {
                result = call.invoke(state);
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            if (result == -1) {
                int errno = state.get(JAVA_INT, ERRNO);
                if (interruptible && errno == EINTR) {
                    return -1;
                }
                throw new IOException(name + ": " + strerror(errno));
            }
            return result;
        }
    }
}
