package dev.switchboard.service;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The catalogue of built-in services: each name users type after {@code serve}, what it does,
 * and how to make its {@link Protocol}. ({@code exec} is not here: it runs a program, not a
 * protocol; see {@link Exec}.)
 */
public enum Service {
    GREET("writes 'Hello, person from IP:PORT' (or --message TEMPLATE) and closes"),
    ECHO("RFC 862: sends back everything it receives"),
    DISCARD("RFC 863: reads and throws away everything"),
    CHARGEN("RFC 864: streams rotating lines of printable ASCII until the caller goes"),
    DAYTIME("RFC 867: writes the date and time as a line and closes"),
    TIME("RFC 868: writes 32-bit big-endian seconds since 1900 and closes");

    /**
     * What a service may be told: greet's template (null: {@link GreetTemplate#DEFAULT}) and the
     * clock daytime and time read.
     */
    public record Options(String message, Clock clock) {
        public static final Options DEFAULTS = new Options(null, Clock.systemDefaultZone());

        /** The defaults with this greet template. */
        public static Options message(String template) {
            return new Options(template, Clock.systemDefaultZone());
        }
    }

    private static final Echo ECHO_INSTANCE = new Echo();
    private static final Discard DISCARD_INSTANCE = new Discard();

    private final String description;

    Service(String description) {
        this.description = description;
    }

    /** The lower-case name on the command line. */
    public String serviceName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String description() {
        return description;
    }

    /** The service with this name (case-insensitive), if there is one. */
    public static Optional<Service> named(String name) {
        return Arrays.stream(values()).filter(s -> s.serviceName().equalsIgnoreCase(name)).findFirst();
    }

    /** All names, for error messages and help: "greet, echo, ...". */
    public static String names() {
        return Arrays.stream(values()).map(Service::serviceName).collect(Collectors.joining(", "));
    }

    /**
     * The factory a server uses: the greet template is compiled here, once.
     *
     * @throws IllegalArgumentException if the greet template is malformed
     */
    public ProtocolFactory factory(Options options) {
        if (this == GREET) {
            GreetTemplate template = GreetTemplate.parse(greeting(options));
            return c -> new Greet(template.render(c.local(), c.remote()));
        }
        return c -> create(options, c.local(), c.remote());
    }

    /** One protocol for a connection between these addresses (the fork model's child uses it). */
    public Protocol create(Options options, InetSocketAddress local, InetSocketAddress remote) {
        return switch (this) {
            case GREET -> new Greet(GreetTemplate.parse(greeting(options)).render(local, remote));
            case ECHO -> ECHO_INSTANCE;
            case DISCARD -> DISCARD_INSTANCE;
            case CHARGEN -> new Chargen();
            case DAYTIME -> new Daytime(options.clock());
            case TIME -> new Time(options.clock());
        };
    }

    private static String greeting(Options options) {
        return options.message() == null ? GreetTemplate.DEFAULT : options.message();
    }
}
