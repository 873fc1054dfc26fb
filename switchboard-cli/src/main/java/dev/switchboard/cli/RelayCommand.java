package dev.switchboard.cli;

import dev.switchboard.client.Dialer;
import dev.switchboard.client.Family;
import dev.switchboard.model.ConcurrencyModel;
import dev.switchboard.model.EventLoop;
import dev.switchboard.model.Serial;
import dev.switchboard.model.ThreadPerConnection;
import dev.switchboard.model.VirtualThreadPerConnection;
import dev.switchboard.relay.Relay;
import dev.switchboard.relay.SendProxy;
import dev.switchboard.relay.Upstream;
import dev.switchboard.relay.Upstreams;
import dev.switchboard.server.TcpServer;
import dev.switchboard.server.TcpServerBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code switchboard relay --listen [ADDR:]PORT --to HOST:PORT}: port forwarding. It is
 * {@code serve} with the {@link Relay} as the service: the same server, options and log
 * record ({@link ServerOptions}), plus how upstreams are dialled and whether they are told
 * who called ({@code --send-proxy}).
 */
@Command(name = "relay", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Forward every caller to an upstream (round-robin over --to), both ways.",
                "A call lasts until both directions are done. Runs until SIGINT/SIGTERM."})
public final class RelayCommand implements Callable<Integer> {

    @Option(names = "--listen", paramLabel = "[ADDR:]PORT",
            description = "Where to accept callers: 8080, 127.0.0.1:8080, [::1]:8080 (port 0 picks one).")
    String listen;

    @Option(names = "--to", paramLabel = "HOST:PORT", converter = UpstreamConverter.class,
            description = "An upstream ([V6]:PORT for IPv6); repeat for round-robin over several.")
    List<Upstream> to = new ArrayList<>();

    @Option(names = "--send-proxy", paramLabel = "v1|v2",
            description = "Announce the caller to the upstream with a PROXY header, before any data.")
    SendProxy sendProxy = SendProxy.NONE;

    @Option(names = {"-w", "--connect-timeout"}, paramLabel = "SECONDS", converter = SecondsConverter.class,
            description = "Give up dialling an upstream after this long (decimals allowed).")
    Duration connectTimeout;

    @Option(names = {"-s", "--source"}, paramLabel = "ADDR", description = "Local address to dial upstreams from.")
    String source;

    @Mixin
    FamilyOptions families;

    @Option(names = "--backoff", paramLabel = "SECONDS", converter = SecondsConverter.class, defaultValue = "5",
            description = "Skip an upstream that refused for this long, unless none is left (default ${DEFAULT-VALUE}).")
    Duration backoff;

    @Mixin
    ServerOptions server;

    @Spec
    CommandSpec spec;

    /** {@code --to}'s converter: one line naming what is wrong. */
    static final class UpstreamConverter implements ITypeConverter<Upstream> {
        @Override
        public Upstream convert(String value) {
            try {
                return Upstream.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    @Override
    public Integer call() throws IOException {
        server.check(spec, "--listen");
        if (to.isEmpty()) throw Failure.usage("name an upstream: --to HOST:PORT");
        if (listen == null && !server.inherit) throw Failure.usage("name where to listen: --listen [ADDR:]PORT");
        Family family = families.family(spec.commandLine());
        Dialer dialer = Dialer.defaults().withFamily(family).withConnectTimeout(connectTimeout)
                .withSource(sourceAddress());
        Relay relay = Relay.to(new Upstreams(to, backoff)).withDialer(dialer).withSendProxy(sendProxy);
        TcpServerBuilder b = TcpServer.builder().handler(relay).model(model()).service("relay");
        server.apply(b, spec.commandLine().getErr());
        if (!server.inherit) b.address(listenAddress(family)).family(family);
        return server.run(spec, b);
    }

    /**
     * The model asked for; without {@code --model}, the event loop: measured against virtual
     * threads, socat and a direct connection in README's relay section.
     */
    private ConcurrencyModel model() {
        return switch (server.model == null ? ServerOptions.Model.loop : server.model) {
            case serial -> new Serial();
            case threads -> new ThreadPerConnection();
            case virtual -> new VirtualThreadPerConnection();
            case fork -> throw Failure.usage("relay runs in-process: --model fork is not available (use threads or virtual)");
            case loop -> new EventLoop();
        };
    }

    /** {@code PORT}, {@code ADDR:PORT} or {@code [V6]:PORT}. */
    private InetSocketAddress listenAddress(Family family) {
        int colon = listen.lastIndexOf(':');
        String host = colon < 0 ? null : listen.substring(0, colon);
        if (host != null && host.contains(":") && !host.startsWith("[")) {
            throw Failure.usage("--listen: write an IPv6 address in brackets: [" + host + "]:PORT");
        }
        int port;
        try {
            port = PortConverter.parse(listen.substring(colon + 1));
        } catch (TypeConversionException e) {
            throw Failure.usage("--listen " + listen + ": " + e.getMessage());
        }
        InetAddress address = BindAddress.resolve("--listen", host == null || host.isEmpty() ? null : host, family);
        return new InetSocketAddress(address, port);
    }

    private InetSocketAddress sourceAddress() {
        if (source == null) return null;
        try {
            return new InetSocketAddress(InetAddress.getByName(source), 0);
        } catch (UnknownHostException e) {
            throw Failure.usage("--source " + source + ": no such address");
        }
    }
}
