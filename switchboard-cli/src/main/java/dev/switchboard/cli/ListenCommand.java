package dev.switchboard.cli;

import dev.switchboard.client.Dialer;
import dev.switchboard.client.Family;
import dev.switchboard.io.Splice;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code switchboard listen PORT}: netcat's listen mode. Binds, says where, accepts one caller
 * and splices it to stdin/stdout with the same rules as {@code connect}; with {@code -k} it
 * then accepts the next, one at a time (the serialized, first-come-first-served server).
 */
@Command(name = "listen", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Listen on PORT, accept one connection and copy it to stdout and stdin to it.",
                "Prints 'listening on ADDRESS:PORT' on stderr once bound (PORT 0 picks a free port).",
                "With -k, callers are served one after another; they share stdin, in turn."})
final class ListenCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "PORT", converter = PortConverter.class,
            description = "Port to listen on (0: any free port).")
    int port;

    @Option(names = {"-s", "--source"}, paramLabel = "ADDR",
            description = "Local address to listen on (default: all interfaces).")
    String address;

    @Mixin
    FamilyOptions family;

    @Option(names = {"-k", "--keep-open"}, description = "After a connection ends, accept the next.")
    boolean keepOpen;

    @Mixin
    SpliceOptions data;

    @Option(names = {"-v", "--verbose"}, description = "Report each caller and its totals on stderr.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Our stdin and stdout; tests replace them. */
    Stdio stdio;

    @Override
    public Integer call() throws IOException, InterruptedException {
        CommandLine cmd = spec.commandLine();
        Family f = family.family(cmd);
        data.validate(cmd);
        PrintWriter err = cmd.getErr();
        try (ServerSocketChannel server = bind(f)) {
            err.println("switchboard: listening on " + Dialer.hostPort((InetSocketAddress) server.getLocalAddress()));
            err.flush();
            Stdio io = stdio != null ? stdio : Stdio.system();
            SharedInput shared = keepOpen && data.send == null ? new SharedInput(io.in()) : null;
            OutputStream out = keepOpen ? new KeptOpen(io.out()) : io.out();
            do {
                SocketChannel caller = server.accept();
                InetSocketAddress remote = (InetSocketAddress) caller.getRemoteAddress();
                if (f == Family.IPV6 && remote.getAddress() instanceof Inet4Address) {
                    // Java cannot set IPV6_V6ONLY, so -6 turns IPv4 callers away here instead.
                    if (verbose) err.println("switchboard: refused IPv4 caller " + Dialer.hostPort(remote) + " (-6)");
                    caller.close();
                    continue;
                }
                if (verbose) {
                    err.println("switchboard: connection from " + Dialer.hostPort(remote));
                    err.flush();
                }
                long start = System.nanoTime();
                // A one-shot listen may answer after the caller's EOF however long the answer
                // takes. Under -k the caller's EOF ends its turn once stdin has nothing ready
                // (as with OpenBSD netcat): a quiet terminal must not keep the next caller waiting.
                SharedInput.Lease lease = shared != null ? shared.lease() : null;
                InputStream in = data.input(lease != null ? lease : io.in());
                Splice.Result r = data.splice(SpliceOptions.local(in, out, lease == null ? null : lease::drain), caller);
                String summary = SpliceOptions.summary(r, start);
                String ending = switch (r.outcome()) {
                    case OK -> null;
                    case IDLE_TIMEOUT -> "no data either way for " + SecondsConverter.format(data.idleTimeout);
                    case RESET -> SpliceOptions.lost(r.failure());
                };
                if (!keepOpen && ending != null) {
                    if (verbose) err.println("switchboard: closed " + Dialer.hostPort(remote) + ": " + summary);
                    throw new Failure(ExitCode.FAILURE, ending, r.failure());
                }
                if (verbose || ending != null) {
                    err.println("switchboard: closed " + Dialer.hostPort(remote) + ": "
                            + (ending == null ? "" : ending + "; ") + summary);
                    err.flush();
                }
                if (!keepOpen) return 0;
            } while (true);
        }
    }

    private ServerSocketChannel bind(Family f) throws IOException {
        InetAddress local;
        if (address != null) {
            if (address.isEmpty()) { // Java would read it as the loopback address
                throw new CommandLine.ParameterException(spec.commandLine(), "-s is empty");
            }
            try {
                local = InetAddress.getByName(address);
            } catch (UnknownHostException e) {
                throw Failure.usage("-s " + address + ": no such address"); // a typo, as serve's --bind
            }
            if (!f.admits(local)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        address + " is not an " + (f == Family.IPV4 ? "IPv4" : "IPv6") + " address");
            }
        } else {
            local = f == Family.IPV4 ? InetAddress.getByName("0.0.0.0")
                    : f == Family.IPV6 ? InetAddress.getByName("::") : null;
        }
        ServerSocketChannel server = local instanceof Inet4Address
                ? ServerSocketChannel.open(StandardProtocolFamily.INET)
                : local instanceof Inet6Address ? ServerSocketChannel.open(StandardProtocolFamily.INET6)
                : ServerSocketChannel.open();
        try {
            server.bind(local == null ? new InetSocketAddress(port) : new InetSocketAddress(local, port));
            return server;
        } catch (IOException e) {
            server.close();
            String where = (address == null ? "port " + port : Dialer.hostPort(new InetSocketAddress(local, port)));
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("in use")) throw new Failure(ExitCode.FAILURE, where + " is already in use", e);
            if (msg.contains("ermission denied")) {
                throw new Failure(ExitCode.FAILURE, "permission denied listening on " + where
                        + " (ports below 1024 need root or CAP_NET_BIND_SERVICE)", e);
            }
            if (msg.contains("assign requested address")) {
                throw new Failure(ExitCode.FAILURE, "cannot listen on " + where + ": not an address of this machine", e);
            }
            throw new Failure(ExitCode.FAILURE, "cannot listen on " + where + ": " + msg, e);
        }
    }

    /** Stdout under -k: each caller's end flushes it but must not close it for the next. */
    private static final class KeptOpen extends FilterOutputStream {
        KeptOpen(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
