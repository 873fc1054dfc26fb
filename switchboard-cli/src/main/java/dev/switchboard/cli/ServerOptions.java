package dev.switchboard.cli;

import dev.switchboard.proxy.ProxyHeaderReader;
import dev.switchboard.proxy.ProxyPolicy;
import dev.switchboard.server.AccessRules;
import dev.switchboard.server.Cidr;
import dev.switchboard.server.ConnectionListener;
import dev.switchboard.server.RecordFormat;
import dev.switchboard.server.TcpServer;
import dev.switchboard.server.TcpServerBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The options every server command shares ({@code serve}, {@code relay}), as one picocli
 * mixin: limits, access rules, timeouts, the log, the PROXY protocol; and the one way such a
 * command starts its server, announces it and runs until SIGINT/SIGTERM.
 */
public final class ServerOptions {

    /** The concurrency models by the names users type. */
    enum Model { serial, threads, virtual, fork, loop }

    @Option(names = "--backlog", paramLabel = "N", defaultValue = "511",
            description = "Callers the kernel queues while none is being accepted (default ${DEFAULT-VALUE}).")
    int backlog;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "1000",
            description = "Open connections at most; more wait in the backlog (default ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--max-per-ip", paramLabel = "N", defaultValue = "0",
            description = "Open connections per caller address at most; more are closed at once (0: no limit).")
    int maxPerIp;

    @Option(names = "--allow", paramLabel = "CIDR", converter = CidrConverter.class,
            description = "Serve callers in this block (repeatable; with any --allow, only those).")
    List<Cidr> allow = new ArrayList<>();

    @Option(names = "--deny", paramLabel = "CIDR", converter = CidrConverter.class,
            description = "Close callers in this block before any byte (repeatable). Most specific wins; a tie denies.")
    List<Cidr> deny = new ArrayList<>();

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", converter = SecondsConverter.class,
            description = "Close connections that move no byte for this long (default: never).")
    Duration idleTimeout;

    @Option(names = "--reuse-port", description = "SO_REUSEPORT: several processes may listen on this port.")
    boolean reusePort;

    @Option(names = "--inherit", description = "Serve the listening socket on stdin (systemd, inetd) instead of binding.")
    boolean inherit;

    @Option(names = "--grace", paramLabel = "SECONDS", converter = SecondsConverter.class, defaultValue = "10",
            description = "On SIGINT/SIGTERM, let open connections finish this long (default ${DEFAULT-VALUE}).")
    Duration grace;

    @Option(names = "--model", paramLabel = "MODEL",
            description = {"serial, threads, virtual, fork or loop: where each connection runs.",
                    "Default: loop for the built-in services and the relay (the fastest, measured),"
                            + " virtual for blocking code (exec)."})
    Model model;

    @Option(names = "--proxy-protocol",
            description = "Require a PROXY header (v1 or v2) before any data; its source is the caller.")
    boolean proxyProtocol;

    @Option(names = "--proxy-from", paramLabel = "CIDR", converter = CidrConverter.class,
            description = "Believe PROXY headers only from these peers (repeatable; default loopback).")
    List<Cidr> proxyFrom = new ArrayList<>();

    @Option(names = "--proxy-timeout", paramLabel = "SECONDS", converter = SecondsConverter.class, defaultValue = "3",
            description = "How long a caller has to send its whole PROXY header (default ${DEFAULT-VALUE}).")
    Duration proxyTimeout;

    @Option(names = "--log", paramLabel = "FORMAT", defaultValue = "kv",
            description = "Connection records as kv (key=value, the default) or json.")
    RecordFormat log;

    @Option(names = {"-v", "--verbose"}, description = "Also log openings, health checks, and debug detail.")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "Log errors only: no connection records.")
    boolean quiet;

    /**
     * Rejects contradictions with one line each.
     *
     * @param listenOptions the command's own options that bind a socket, which --inherit rules out
     */
    void check(CommandSpec spec, String... listenOptions) {
        if (verbose && quiet) throw Failure.usage("-v and -q contradict each other");
        if (maxConnections < 1) throw Failure.usage("--max-connections must be at least 1");
        if (maxPerIp < 0) throw Failure.usage("--max-per-ip must not be negative");
        if (backlog < 0) throw Failure.usage("--backlog must not be negative");
        var parsed = spec.commandLine().getParseResult();
        if (!proxyProtocol) {
            for (String o : new String[] {"--proxy-from", "--proxy-timeout"}) {
                if (parsed.hasMatchedOption(o)) throw Failure.usage(o + " needs --proxy-protocol");
            }
        }
        if (inherit) {
            List<String> binding = new ArrayList<>(List.of(listenOptions));
            binding.addAll(List.of("--backlog", "--reuse-port"));
            for (String o : binding) {
                if (parsed.hasMatchedOption(o)) {
                    throw Failure.usage("--inherit serves the socket on stdin; " + o + " does not apply");
                }
            }
        }
    }

    /** Everything but the address, the handler and the model, set on {@code b}. */
    TcpServerBuilder apply(TcpServerBuilder b, PrintWriter err) throws IOException {
        b.maxConnections(maxConnections).maxPerIp(maxPerIp)
                .rules(new AccessRules(allow, deny)).idleTimeout(idleTimeout).grace(grace)
                .listener(quiet ? ConnectionListener.NONE : new RecordPrinter(err, log, verbose, false));
        if (proxyProtocol) {
            b.proxy(new ProxyPolicy(proxyFrom.isEmpty() ? ProxyPolicy.LOOPBACK : proxyFrom,
                    new ProxyHeaderReader(proxyTimeout, ProxyHeaderReader.DEFAULT_MAX_V2_LENGTH)));
        }
        if (inherit) {
            b.inherited(inheritedListener());
        } else {
            b.backlog(backlog).reusePort(reusePort);
        }
        return b;
    }

    /** Starts the server, prints {@code listening on ADDRESS:PORT}, and runs until a signal stops it. */
    int run(CommandSpec spec, TcpServerBuilder b) {
        configureLogging(spec);
        TcpServer server = b.build();
        try {
            server.start();
        } catch (IOException e) {
            throw new Failure(ExitCode.FAILURE, e.getMessage(), e);
        }
        // Handlers first: whoever reads "listening on" may signal at once (scripts, tests).
        Signals.onStop(server::close, server::closeNow);
        PrintWriter err = spec.commandLine().getErr();
        err.println("listening on " + BindAddress.display(server.localAddress()));
        err.flush();
        server.awaitTerminated();
        return ExitCode.OK.code();
    }

    private static ServerSocketChannel inheritedListener() throws IOException {
        Channel ch = System.inheritedChannel();
        if (ch instanceof ServerSocketChannel listener) {
            return listener;
        }
        throw new Failure(ExitCode.FAILURE, "--inherit: stdin is not a listening TCP socket"
                + (ch == null ? "" : " (it is a " + ch.getClass().getSimpleName() + ")"));
    }

    private void configureLogging(CommandSpec spec) {
        boolean debug = false;
        for (var p = spec.commandLine().getParseResult(); p != null; p = p.subcommand()) {
            debug |= p.hasMatchedOption("--debug");
        }
        Logging.verbose(verbose, debug);
        if (quiet) Logger.getLogger("").setLevel(Level.WARNING);
    }
}
