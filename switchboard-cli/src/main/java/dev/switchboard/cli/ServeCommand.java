package dev.switchboard.cli;

import dev.switchboard.client.Family;
import dev.switchboard.model.ConcurrencyModel;
import dev.switchboard.model.EventLoop;
import dev.switchboard.model.Serial;
import dev.switchboard.model.ThreadPerConnection;
import dev.switchboard.model.VirtualThreadPerConnection;
import dev.switchboard.server.ConnectionHandler;
import dev.switchboard.server.TcpServer;
import dev.switchboard.server.TcpServerBuilder;
import dev.switchboard.service.ProtocolHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard serve SERVICE}: a server for one service, with a choice of concurrency
 * model, limits, access rules and one log record per connection ({@link ServerOptions}, shared
 * with {@code relay}). Runs until SIGINT or SIGTERM: the first stops gracefully (within
 * {@code --grace}), a second at once.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve SERVICE on a TCP port until SIGINT/SIGTERM.",
                "SERVICE: greet, echo, discard, chargen, daytime, time, or exec -- PROGRAM [ARGS...]."})
public final class ServeCommand implements Callable<Integer> {

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

    @Option(names = "--message", paramLabel = "TEMPLATE",
            description = "greet's text: {remote}, {remote_ip}, {remote_port}, {local}, {local_ip}, {local_port}.")
    String message;

    @Option(names = "--kill-grace", paramLabel = "SECONDS", converter = SecondsConverter.class, defaultValue = "2",
            description = "exec and fork: a child stopped (caller gone, idle) gets SIGTERM, then SIGKILL after this long"
                    + " (default ${DEFAULT-VALUE}).")
    Duration killGrace;

    @Option(names = "--env", paramLabel = "NAME[=VALUE]",
            description = "exec: also pass the server's NAME, or set NAME=VALUE (repeatable). By default a program"
                    + " gets only the UCSPI-TCP variables, PATH, HOME and LANG.")
    List<String> env = new ArrayList<>();

    @Mixin
    ServerOptions server;

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
        server.check(spec, "--port", "--bind", "-4", "-6");
        if (!env.isEmpty() && !"exec".equals(service)) throw Failure.usage("--env is exec's option, not " + service + "'s");
        Family family = families.family(spec.commandLine());
        InetAddress host = server.inherit ? null : BindAddress.resolve(bind, family);
        ServiceRequest request = new ServiceRequest(service, message, command);
        ServiceCatalog services = services();
        ConnectionHandler handler = services.handlerFor(request);
        ConcurrencyModel chosen = model(services, request, handler);
        if (chosen instanceof EventLoop && !(handler instanceof ProtocolHandler)) {
            throw Failure.usage("--model loop serves the built-in services only; " + service
                    + " is blocking code: use --model virtual (or fork)");
        }
        TcpServerBuilder b = TcpServer.builder().handler(handler).model(chosen).service(service);
        server.apply(b, spec.commandLine().getErr());
        if (!server.inherit) {
            b.address(new InetSocketAddress(host, port)).family(family);
        }
        return server.run(spec, b);
    }

    /** The catalogue with this command's child options: exec and fork children get them. */
    ServiceCatalog services() {
        return catalog instanceof BuiltInServices builtIn
                ? new BuiltInServices(env.isEmpty() ? builtIn.env() : env, server.idleTimeout, killGrace)
                : catalog;
    }

    /**
     * The model asked for; without {@code --model}, the event loop for a protocol (a built-in
     * service, with or without a PROXY header) and virtual threads for blocking code (exec):
     * README's performance section has the measurements behind it.
     */
    private ConcurrencyModel model(ServiceCatalog services, ServiceRequest request, ConnectionHandler handler) {
        ServerOptions.Model m = server.model != null ? server.model
                : handler instanceof ProtocolHandler ? ServerOptions.Model.loop : ServerOptions.Model.virtual;
        return switch (m) {
            case serial -> new Serial();
            case threads -> new ThreadPerConnection();
            case virtual -> new VirtualThreadPerConnection();
            case fork -> services.forkModel(request);
            case loop -> new EventLoop();
        };
    }
}
