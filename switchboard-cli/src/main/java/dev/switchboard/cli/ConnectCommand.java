package dev.switchboard.cli;

import dev.switchboard.client.Dialer;
import dev.switchboard.client.Family;
import dev.switchboard.io.Endpoint;
import dev.switchboard.io.Splice;
import dev.switchboard.proxy.ProxyHeaderWriter;
import dev.switchboard.relay.SendProxy;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code switchboard connect HOST PORT}: places one call (netcat's client mode) and splices
 * it to stdin/stdout, or with {@code -z} probes a list of ports. The steps, one method each:
 * check the options, dial, splice, report.
 */
@Command(name = "connect", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Connect to HOST PORT and copy stdin to the connection and the connection to stdout.",
                "At stdin's EOF the write side is shut down and the reply read to its end;",
                "when the peer closes first we exit as soon as its bytes are written out."})
final class ConnectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "HOST", description = "Name or address to call.")
    String host;

    @Parameters(index = "1", paramLabel = "PORT", description = "Port (with -z: a list such as 22,80,8000-8010).")
    String port;

    @Option(names = {"-s", "--source"}, paramLabel = "ADDR", description = "Local address to call from.")
    String source;

    @Option(names = {"-p", "--source-port"}, paramLabel = "PORT", converter = PortConverter.class,
            description = "Local port to call from.")
    Integer sourcePort;

    @Mixin
    FamilyOptions family;

    @Option(names = {"-w", "--connect-timeout"}, paramLabel = "SECONDS", converter = SecondsConverter.class,
            description = "Give up connecting after this long (decimals allowed).")
    Duration connectTimeout;

    @Option(names = "--send-proxy", paramLabel = "v1|v2",
            description = "Start with a PROXY header (source: our address, destination: the peer's), in one write.")
    SendProxy sendProxy = SendProxy.NONE;

    @Mixin
    SpliceOptions data;

    @Option(names = {"-z", "--scan"}, description = "Only report which of the PORT list are open (no data).")
    boolean scan;

    @Option(names = {"-v", "--verbose"}, description = "Report addresses, the connection and its totals on stderr.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Our stdin and stdout (null: the process's); tests replace them. */
    Stdio stdio;

    @Override
    public Integer call() throws IOException, InterruptedException {
        CommandLine cmd = spec.commandLine();
        // Java reads "" as the loopback address; here it is an unset variable, not this machine.
        if (host.isEmpty()) throw new CommandLine.ParameterException(cmd, "HOST is empty");
        if (source != null && source.isEmpty()) throw new CommandLine.ParameterException(cmd, "-s is empty");
        Dialer dialer = Dialer.defaults().withFamily(family.family(cmd)).withConnectTimeout(connectTimeout);
        if (scan) {
            if (sendProxy != SendProxy.NONE) {
                throw new CommandLine.ParameterException(cmd, "-z sends nothing: it cannot be used with --send-proxy");
            }
            if (data.anyGiven() || sourcePort != null) {
                throw new CommandLine.ParameterException(cmd,
                        "-z sends nothing: it cannot be used with --send, --crlf, --no-shutdown, -i or -p");
            }
            PortList ports = parsePorts(cmd);
            // A filtered port would otherwise hold its probe for the kernel's two minutes.
            Dialer prober = dialer.withSource(sourceAddress(0))
                    .withConnectTimeout(connectTimeout != null ? connectTimeout : PortScan.DEFAULT_TIMEOUT);
            return new PortScan(prober, verbose, cmd.getOut(), cmd.getErr())
                    .run(host, ports.ports()) ? 0 : 1;
        }
        data.validate(cmd);
        int target = parsePort(cmd);
        return connect(dialer.withSource(sourceAddress(sourcePort == null ? 0 : sourcePort)), target, cmd.getErr());
    }

    /**
     * {@code connect HOST PORT} and nothing else, without picocli: the plain form is what
     * scripts run most, and building picocli's model (reading every option's annotations by
     * reflection) costs more than the rest of such a run (README, start-up time). Returns the
     * exit code, or -1 when {@code args} are anything else (an option, help, an @file, a bad
     * port): then picocli runs as for any command line and says what is wrong. Errors are
     * reported as {@link Main} reports them.
     */
    static int fastPath(String[] args, Stdio stdio, PrintWriter err) {
        if (args.length != 3 || !args[0].equals("connect") || args[1].isEmpty()
                || args[1].startsWith("-") || args[1].startsWith("@") || !PortConverter.isPort(args[2])) {
            return -1;
        }
        ConnectCommand c = new ConnectCommand();
        c.host = args[1];
        c.port = args[2];
        c.data = new SpliceOptions();
        c.stdio = stdio;
        try {
            return c.connect(Dialer.defaults(), PortConverter.parse(args[2]), err);
        } catch (Exception e) {
            return Main.report(e, err, false);
        }
    }

    /** Dials, splices and reports: the call itself, once the options are known to be right. */
    private int connect(Dialer d, int target, PrintWriter err) throws IOException, InterruptedException {
        List<InetSocketAddress> candidates = d.resolve(host, target);
        if (verbose) {
            err.println("switchboard: " + host + " is " + candidates.stream()
                    .map(a -> Dialer.hostAddress(a.getAddress())).collect(Collectors.joining(", ")));
        }
        SocketChannel channel = d.dial(candidates);
        long start = System.nanoTime();
        if (verbose) {
            err.println("switchboard: connected to " + Dialer.hostPort((InetSocketAddress) channel.getRemoteAddress())
                    + " from " + Dialer.hostPort((InetSocketAddress) channel.getLocalAddress()));
            err.flush();
        }
        announce(channel);
        Stdio io = stdio != null ? stdio : Stdio.system();
        // stdin through its own reader thread, so that when the peer is done we can send
        // what stdin has ready and then stop, instead of waiting for an EOF that may not come.
        SharedInput.Lease stdin = data.send == null ? new SharedInput(io.in()).lease() : null;
        Endpoint local = SpliceOptions.local(data.input(stdin != null ? stdin : io.in()), io.out(),
                stdin == null ? null : stdin::drain);
        Splice.Result r = data.splice(local, channel);
        if (verbose) {
            err.println("switchboard: closed: " + SpliceOptions.summary(r, start));
        }
        return switch (r.outcome()) {
            case OK -> 0;
            case IDLE_TIMEOUT -> throw new Failure(ExitCode.FAILURE,
                    "no data either way for " + SecondsConverter.format(data.idleTimeout) + ": connection closed");
            case RESET -> throw new Failure(ExitCode.FAILURE, SpliceOptions.lost(r.failure()), r.failure());
        };
    }

    /** The PROXY header, if asked for: one write, before any of stdin's bytes. */
    private void announce(SocketChannel channel) throws IOException {
        if (sendProxy == SendProxy.NONE) return;
        InetSocketAddress from = (InetSocketAddress) channel.getLocalAddress();
        InetSocketAddress to = (InetSocketAddress) channel.getRemoteAddress();
        byte[] header = sendProxy == SendProxy.V1 ? ProxyHeaderWriter.v1(from, to) : ProxyHeaderWriter.v2(from, to);
        Endpoint.of(channel).write(ByteBuffer.wrap(header));
    }

    private int parsePort(CommandLine cmd) {
        try {
            int p = PortConverter.parse(port);
            if (p == 0) throw new CommandLine.TypeConversionException("port 0 cannot be connected to");
            return p;
        } catch (CommandLine.TypeConversionException e) {
            throw new CommandLine.ParameterException(cmd, "PORT: " + e.getMessage()
                    + (scannable(port) ? " (lists and ranges need -z)" : ""));
        }
    }

    /** Whether -z would take {@code text}: the hint is for a list or range, not any dash ("-1"). */
    private static boolean scannable(String text) {
        try {
            PortList.parse(text);
            return true;
        } catch (CommandLine.TypeConversionException e) {
            return false;
        }
    }

    private PortList parsePorts(CommandLine cmd) {
        try {
            return PortList.parse(port);
        } catch (CommandLine.TypeConversionException e) {
            throw new CommandLine.ParameterException(cmd, "PORT: " + e.getMessage());
        }
    }

    /** The -s/-p pair as one socket address, or null for the kernel's choice of both. */
    private InetSocketAddress sourceAddress(int localPort) throws IOException {
        if (source == null) {
            return localPort == 0 ? null : new InetSocketAddress(localPort);
        }
        InetAddress local;
        try {
            local = InetAddress.getByName(source);
        } catch (UnknownHostException e) {
            throw Failure.usage("-s " + source + ": no such address"); // a typo, as serve's --bind
        }
        Family f = family.family(spec.commandLine());
        if (!f.admits(local)) {
            throw Failure.usage("-s " + source + " is not an " + (f == Family.IPV4 ? "IPv4" : "IPv6") + " address");
        }
        return new InetSocketAddress(local, localPort);
    }
}
