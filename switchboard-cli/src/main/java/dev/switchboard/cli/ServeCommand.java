package dev.switchboard.cli;

import dev.switchboard.client.Family;
import dev.switchboard.model.ConcurrencyModel;
import dev.switchboard.model.EventLoop;
import dev.switchboard.model.Serial;
import dev.switchboard.model.ThreadPerConnection;
import dev.switchboard.model.VirtualThreadPerConnection;
import dev.switchboard.server.AccessRules;
import dev.switchboard.server.Cidr;
import dev.switchboard.server.ConnectionHandler;
import dev.switchboard.server.ConnectionListener;
import dev.switchboard.server.RecordFormat;
import dev.switchboard.server.TcpServer;
import dev.switchboard.server.TcpServerBuilder;
import dev.switchboard.service.ProtocolHandler;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard serve SERVICE}: a server for one service, with a choice of concurrency
 * model, limits, access rules and one log record per connection. Runs until SIGINT or
 * SIGTERM: the first stops gracefully (within {@code --grace}), a second at once.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve SERVICE on a TCP port until SIGINT/SIGTERM.",
                "SERVICE: greet, echo, discard, chargen, daytime, time, or exec -- PROGRAM [ARGS...]."})
public final class ServeCommand implements Callable<Integer> {

    /** The concurrency models by the names users type. */
    enum Model { serial, threads, virtual, fork, loop }

    @Parameters(index = "0", paramLabel = "SERVICE", description = "The service to run.")
    String service;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "After --: exec's PROGRAM and its arguments.")
    List<String> command = new ArrayList<>();

    @Option(names = "--port", paramLabel = "PORT", converter = PortConverter.class,
            description = "The port to listen on; 0 (the default) picks a free one, printed on stderr.")
    int port;

    @Option(names = "--bind", paramLabel = "ADDR", description = "The address to listen on (default: all).")
    String bind;

    @Mixin
    FamilyOptions families;

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
                    "Default: loop for the built-in services (the fastest, measured), virtual for exec."})
    Model model;

    @Option(names = "--log", paramLabel = "FORMAT", defaultValue = "kv",
            description = "Connection records as kv (key=value, the default) or json.")
    RecordFormat log;

    @Option(names = "--message", paramLabel = "TEMPLATE",
            description = "greet's text: {remote}, {remote_ip}, {remote_port}, {local}, {local_ip}, {local_port}.")
    String message;

    @Option(names = {"-v", "--verbose"}, description = "Also log each connection's opening, and debug detail.")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "Log errors only: no connection records.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    private ServiceCatalog catalog = ServiceCatalog.BUILT_IN;

    /** Replaces the built-in services (tests plug in their own). */
    public ServeCommand catalog(ServiceCatalog services) {
        this.catalog = services;
        return this;
    }

    @Override
    public Integer call() throws IOException {
        checkOptions();
        Family family = families.family(spec.commandLine());
        InetAddress host = inherit ? null : BindAddress.resolve(bind, family);
        ServiceRequest request = new ServiceRequest(service, message, command);
        ConnectionHandler handler = catalog.handlerFor(request);
        PrintWriter err = spec.commandLine().getErr();
        ConcurrencyModel chosen = model(request, handler);
        if (chosen instanceof EventLoop && !(handler instanceof ProtocolHandler)) {
            throw Failure.usage("--model loop serves the built-in services only; " + service
                    + " is blocking code: use --model virtual (or fork)");
        }
        TcpServerBuilder b = TcpServer.builder()
                .handler(handler).model(chosen).service(service)
                .maxConnections(maxConnections).maxPerIp(maxPerIp)
                .rules(new AccessRules(allow, deny)).idleTimeout(idleTimeout).grace(grace)
                .listener(quiet ? ConnectionListener.NONE : new RecordPrinter(err, log, verbose, false));
        if (inherit) {
            b.inherited(inheritedListener());
        } else {
            b.address(new InetSocketAddress(host, port))
                    .family(family).backlog(backlog).reusePort(reusePort);
        }
        configureLogging();
        TcpServer server = b.build();
        try {
            server.start();
        } catch (java.net.BindException e) {
            throw new Failure(ExitCode.FAILURE, e.getMessage(), e);
        }
        err.println("listening on " + BindAddress.display(server.localAddress()));
        err.flush();
        Signals.onStop(server::close, server::closeNow);
        server.awaitTerminated();
        return ExitCode.OK.code();
    }

    private void checkOptions() {
        if (verbose && quiet) throw Failure.usage("-v and -q contradict each other");
        if (maxConnections < 1) throw Failure.usage("--max-connections must be at least 1");
        if (maxPerIp < 0) throw Failure.usage("--max-per-ip must not be negative");
        if (backlog < 0) throw Failure.usage("--backlog must not be negative");
        if (inherit) {
            var parsed = spec.commandLine().getParseResult();
            for (String o : new String[] {"--port", "--bind", "-4", "-6", "--backlog", "--reuse-port"}) {
                if (parsed.hasMatchedOption(o)) {
                    throw Failure.usage("--inherit serves the socket on stdin; " + o + " does not apply");
                }
            }
        }
    }

    /**
     * The model asked for; without {@code --model}, the event loop for a protocol (a built-in
     * service) and virtual threads for blocking code (exec, a test's handler): see
     * docs/performance.md for the measurements behind it.
     */
    private ConcurrencyModel model(ServiceRequest request, ConnectionHandler handler) {
        Model m = model != null ? model : handler instanceof ProtocolHandler ? Model.loop : Model.virtual;
        return switch (m) {
            case serial -> new Serial();
            case threads -> new ThreadPerConnection();
            case virtual -> new VirtualThreadPerConnection();
            case fork -> catalog.forkModel(request);
            case loop -> new EventLoop();
        };
    }

    private static ServerSocketChannel inheritedListener() throws IOException {
        Channel ch = System.inheritedChannel();
        if (ch instanceof ServerSocketChannel listener) {
            return listener;
        }
        throw new Failure(ExitCode.FAILURE, "--inherit: stdin is not a listening TCP socket"
                + (ch == null ? "" : " (it is a " + ch.getClass().getSimpleName() + ")"));
    }

    private void configureLogging() {
        boolean debug = false;
        for (var p = spec.commandLine().getParseResult(); p != null; p = p.subcommand()) {
            debug |= p.hasMatchedOption("--debug");
        }
        Logging.verbose(verbose, debug);
        if (quiet) Logger.getLogger("").setLevel(Level.WARNING);
    }
}
