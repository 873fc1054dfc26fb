package dev.switchboard.service;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The C library calls {@link SocketExec} makes, bound through the FFM API (posix_spawn is
 * {@link PosixSpawn}'s): pidfd_open and epoll to see children exit or their sockets hang up,
 * waitpid, kill, fcntl and getsockopt(TCP_INFO). Linux with glibc 2.36 or later (2.34 for
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
    private static final int SOL_TCP = 6;
    private static final int TCP_INFO = 11;

    private static final boolean NATIVE_ACCESS = Libc.class.getModule().isNativeAccessEnabled();
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final long ERRNO = CALL_STATE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));

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
            : java.util.Arrays.asList(PIDFD_OPEN, EPOLL_WAIT, EVENTFD, PIPE2, RECV, IOCTL, WAITPID, FCNTL, GETSOCKOPT).contains(null)
            ? "the C library lacks pidfd_open (glibc >= 2.36 has it)"
            : null;

    private Libc() {
    }

    static MethodHandle bind(String name, boolean errno, FunctionDescriptor descriptor,
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
     * Native memory for one thread's run of calls: errno's capture and room for a call's small
     * arguments (an epoll event, two descriptors, a status, TCP_INFO). One per thread at a time:
     * the watcher keeps one for good, a spawn makes one in its own arena. Cheaper than an
     * arena per call, and far less code for the JIT to compile while a server warms up.
     */
    record Scratch(MemorySegment state, MemorySegment room) {
        private static final long ROOM = 512;
        private static final long INFO_LENGTH = 256;
        private static final long QUEUED = 260;

        static Scratch in(Arena arena) {
            return new Scratch(arena.allocate(CALL_STATE), arena.allocate(ROOM, 8));
        }

        private IOException failure(String call) {
            return new IOException(call + ": " + strerror(errno()));
        }

        private int errno() {
            return state.get(JAVA_INT, ERRNO);
        }
    }

    /** A descriptor for the child that is ours alone to poll, wait on and close. */
    static int pidfdOpen(Scratch s, int pid) throws IOException {
        return checked(s, "pidfd_open", (int) invoke(() -> (int) PIDFD_OPEN.invokeExact(s.state, pid, 0)));
    }

    /** A close-on-exec duplicate of {@code fd}, ours to close whatever happens to the original. */
    static int dup(Scratch s, int fd) throws IOException {
        return fcntl(s, fd, F_DUPFD_CLOEXEC, 3);
    }

    /** Clears O_NONBLOCK (shared by every copy of the descriptor); returns whether it was set. */
    static boolean clearNonBlocking(Scratch s, int fd) throws IOException {
        int flags = fcntl(s, fd, F_GETFL, 0);
        if ((flags & O_NONBLOCK) == 0) {
            return false;
        }
        fcntl(s, fd, F_SETFL, flags & ~O_NONBLOCK);
        return true;
    }

    /** Sets O_NONBLOCK again. */
    static void setNonBlocking(Scratch s, int fd) throws IOException {
        fcntl(s, fd, F_SETFL, fcntl(s, fd, F_GETFL, 0) | O_NONBLOCK);
    }

    private static int fcntl(Scratch s, int fd, int command, int argument) throws IOException {
        return checked(s, "fcntl", (int) invoke(() -> (int) FCNTL.invokeExact(s.state, fd, command, argument)));
    }

    static int epollCreate(Scratch s) throws IOException {
        return checked(s, "epoll_create1", (int) invoke(() -> (int) EPOLL_CREATE1.invokeExact(s.state, EPOLL_CLOEXEC)));
    }

    /** Watches {@code fd} for {@code events} (plus EPOLLERR and EPOLLHUP), tagged {@code data}. */
    static void epollAdd(Scratch s, int epfd, int fd, int events, long data) throws IOException {
        epollCtl(s, epfd, EPOLL_CTL_ADD, fd, events, data);
    }

    /** Changes what {@code fd} is watched for. */
    static void epollModify(Scratch s, int epfd, int fd, int events, long data) throws IOException {
        epollCtl(s, epfd, EPOLL_CTL_MOD, fd, events, data);
    }

    /** Stops watching {@code fd}; one no longer watched is no error. */
    static void epollDelete(Scratch s, int epfd, int fd) {
        try {
            epollCtl(s, epfd, EPOLL_CTL_DEL, fd, 0, 0);
        } catch (IOException notWatched) {
            // already gone
        }
    }

    private static void epollCtl(Scratch s, int epfd, int op, int fd, int events, long data) throws IOException {
        MemorySegment event = s.room;
        event.set(JAVA_INT, 0, events);
        event.set(JAVA_LONG_UNALIGNED, DATA_AT, data);
        checked(s, "epoll_ctl", (int) invoke(() -> (int) EPOLL_CTL.invokeExact(s.state, epfd, op, fd, event)));
    }

    /**
     * A pipe for a child's stderr: {read end, write end}, both close-on-exec and blocking (the
     * write end is the program's; the watcher reads the other once per readiness it is told of).
     */
    static int[] stderrPipe(Scratch s) throws IOException {
        checked(s, "pipe2", (int) invoke(() -> (int) PIPE2.invokeExact(s.state, s.room, O_CLOEXEC)));
        return new int[] {s.room.getAtIndex(JAVA_INT, 0), s.room.getAtIndex(JAVA_INT, 1)};
    }

    /** shutdown(SHUT_WR): our FIN, whoever else holds the socket. */
    static void shutdownOutput(int socket) {
        int ignored = (int) invoke(() -> (int) SHUTDOWN.invokeExact(socket, SHUT_WR));
    }

    /**
     * Reads what is there, into {@code buffer} (without waiting on a socket; on a pipe, call it
     * only when epoll said it is readable): the byte count, 0 at end of stream, -1 when nothing
     * is there yet, -2 on an error (a reset).
     */
    static int readNow(Scratch s, int fd, MemorySegment buffer, boolean socket) {
        long n;
        try {
            n = socket ? (long) RECV.invokeExact(s.state, fd, buffer, buffer.byteSize(), MSG_DONTWAIT)
                    : (long) READ_ERRNO.invokeExact(s.state, fd, buffer, buffer.byteSize());
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (n >= 0) return (int) n;
        int errno = s.errno();
        return errno == EAGAIN || errno == EINTR ? -1 : -2;
    }

    /**
     * Waits up to {@code timeoutMillis} for ready descriptors, into {@code ready} (room for
     * {@code data.length} events: {@link #events}); fills {@code data} and {@code events} and
     * returns how many (0 on timeout or a signal). Blocks the thread: call it from a platform thread.
     */
    static int epollWait(Scratch s, int epfd, MemorySegment ready, long[] data, int[] events, int timeoutMillis)
            throws IOException {
        int n = (int) invoke(() -> (int) EPOLL_WAIT.invokeExact(s.state, epfd, ready, data.length, timeoutMillis));
        if (n == -1 && s.errno() != EINTR) throw s.failure("epoll_wait");
        for (int i = 0; i < n; i++) {
            events[i] = ready.get(JAVA_INT_UNALIGNED, i * EVENT_SIZE);
            data[i] = ready.get(JAVA_LONG_UNALIGNED, i * EVENT_SIZE + DATA_AT);
        }
        return Math.max(n, 0);
    }

    /** Room for {@code count} epoll events, for {@link #epollWait}. */
    static MemorySegment events(Arena arena, int count) {
        return arena.allocate(EVENT_SIZE * count, 8);
    }

    /** A non-blocking eventfd, for waking an epoll_wait. */
    static int eventfd(Scratch s) throws IOException {
        return checked(s, "eventfd", (int) invoke(() -> (int) EVENTFD.invokeExact(s.state, 0, EFD_CLOEXEC_NONBLOCK)));
    }

    /** Adds one to an eventfd (it becomes readable). */
    static void signalEventfd(Scratch s, int fd) {
        eventfdIo(s, WRITE, fd);
    }

    /** Empties an eventfd (readable no more). */
    static void drainEventfd(Scratch s, int fd) {
        eventfdIo(s, READ, fd);
    }

    private static void eventfdIo(Scratch s, MethodHandle io, int fd) {
        s.room.set(JAVA_LONG, 0, 1);
        long ignored = invoke(() -> (long) io.invokeExact(fd, s.room, 8L));
    }

    /** Reaps the child if it has exited: its status as {@link #waitpid} gives it, or -1 if it runs on. */
    static int reap(Scratch s, int pid) throws IOException {
        int r;
        while ((r = (int) invoke(() -> (int) WAITPID.invokeExact(s.state, pid, s.room, WNOHANG))) == -1) {
            if (s.errno() != EINTR) throw s.failure("waitpid");
        }
        return r == 0 ? -1 : exitStatus(s.room.get(JAVA_INT, 0));
    }

    /**
     * Reaps the child (blocking until it exits) and returns its exit status, 128 + the signal
     * when one ended it, as {@link Process#waitFor()} does.
     */
    static int waitpid(Scratch s, int pid) throws IOException {
        int r;
        while ((r = (int) invoke(() -> (int) WAITPID.invokeExact(s.state, pid, s.room, 0))) != pid) {
            if (r == -1 && s.errno() != EINTR) throw s.failure("waitpid");
        }
        return exitStatus(s.room.get(JAVA_INT, 0));
    }

    private static int exitStatus(int s) {
        return (s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f);
    }

    /** Sends {@code signal} to {@code pid}; a process already gone is no error. */
    static void kill(int pid, int signal) {
        int ignored = (int) invoke(() -> (int) KILL.invokeExact(pid, signal));
    }

    static void close(int fd) {
        int ignored = (int) invoke(() -> (int) CLOSE.invokeExact(fd));
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

    static TcpInfo tcpInfo(Scratch s, int socket) throws IOException {
        MemorySegment info = s.room;
        MemorySegment length = s.room.asSlice(Scratch.INFO_LENGTH, 4);
        MemorySegment queued = s.room.asSlice(Scratch.QUEUED, 4);
        long acked = -1;
        for (int tries = 0; tries < 100; tries++) {
            length.set(JAVA_INT, 0, 148); // through tcpi_notsent_bytes (Linux 4.6+)
            checked(s, "getsockopt", (int) invoke(() -> (int) GETSOCKOPT.invokeExact(s.state, socket, SOL_TCP, TCP_INFO, info, length)));
            if (length.get(JAVA_INT, 0) >= 148 && info.get(JAVA_INT, 24) == 0 && info.get(JAVA_INT, 144) == 0) {
                // Nothing unacknowledged (tcpi_unacked, a FIN included) and nothing unsent:
                // the send queue is empty, no need to ask for it.
                queued.set(JAVA_INT, 0, 0);
                break;
            }
            // Else two calls, while the caller may be acknowledging: a pair is only consistent
            // when the acknowledged count did not move around the queue's reading (a count
            // taken across a move came out up to 93 KiB short under load).
            if (info.get(JAVA_LONG, 120) == acked) break;
            acked = info.get(JAVA_LONG, 120);
            checked(s, "ioctl", (int) invoke(() -> (int) IOCTL.invokeExact(s.state, socket, SIOCOUTQ, queued)));
        }
        return new TcpInfo(Byte.toUnsignedInt(info.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0)),
                Integer.toUnsignedLong(info.get(JAVA_INT, 44)), Integer.toUnsignedLong(info.get(JAVA_INT, 52)),
                info.get(JAVA_LONG, 128), info.get(JAVA_LONG, 120), Integer.toUnsignedLong(queued.get(JAVA_INT, 0)));
    }

    static String strerror(int errno) {
        try {
            MemorySegment message = (MemorySegment) STRERROR.invokeExact(errno);
            return message.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /** A downcall: a method handle's invokeExact (declared to throw anything), its result widened. */
    private interface Call {
        long invoke() throws Throwable;
    }

    private static long invoke(Call call) {
        try {
            return call.invoke();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The result of a call that returns -1 and sets errno when it fails. */
    private static int checked(Scratch s, String name, int result) throws IOException {
        if (result == -1) throw s.failure(name);
        return result;
    }
}
