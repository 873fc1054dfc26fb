package dev.switchboard.cli;

import dev.switchboard.bench.LoadGenerator;
import dev.switchboard.bench.LoadResult;
import dev.switchboard.bench.LoadSpec;
import dev.switchboard.bench.Mode;
import dev.switchboard.bench.Progress;
import dev.switchboard.bench.ResultFormat;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code switchboard bench}: loads one TCP server (HOST PORT) and prints what it measured, or
 * with {@code --models} runs the model lab, which starts its own servers.
 */
@Command(name = "bench", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Load a TCP server and measure it, or compare switchboard's concurrency models (--models).",
                "Measures connections/s (greet), round trips/s (echo), MB/s (stream) or connections held (hold)."})
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "HOST", description = "The server's address.")
    String host;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PORT", description = "The server's port.")
    Integer port;

    @Option(names = {"-m", "--mode"}, paramLabel = "MODE", description = "greet, echo, stream or hold (default: greet).")
    Mode mode = Mode.GREET;

    @Option(names = {"-c", "--connections"}, paramLabel = "N",
            description = "Connections: in flight (greet), persistent (echo, stream), to open (hold). "
                    + "Default: 32; stream 1; hold 1000.")
    Integer connections;

    @Option(names = {"-d", "--duration"}, paramLabel = "TIME", converter = Durations.class,
            description = "How long to measure, e.g. 10s, 500ms, 1m (default: 10s).")
    Duration duration = Duration.ofSeconds(10);

    @Option(names = "--warmup", paramLabel = "TIME", converter = Durations.class,
            description = "Load before measuring (default: 2s; hold: none).")
    Duration warmup = Duration.ofSeconds(2);

    @Option(names = "--size", paramLabel = "BYTES",
            description = "echo: message size (default 64); hold: probe echoed once per connection (default 0: none).")
    Integer size;

    @Option(names = "--expect", paramLabel = "TEXT", description = "greet: each reply must contain TEXT, else a mismatch.")
    String expect;

    @Option(names = "--rate", paramLabel = "N/s", converter = Rates.class,
            description = "Open loop: start N operations per second whatever the answers (greet, echo).")
    double rate;

    @Option(names = "--timeout", paramLabel = "TIME", converter = Durations.class,
            description = "A connect or an operation taking longer counts as a timeout (default: 5s).")
    Duration timeout = Duration.ofSeconds(5);

    @Option(names = "--threads", paramLabel = "N", description = "Selector threads driving the connections (default: 1).")
    int threads = 1;

    @Option(names = "--json", description = "Print the result as one JSON object instead of a table.")
    boolean json;

    @Option(names = "--models", split = ",", paramLabel = "MODEL",
            description = "The lab: start a server per model (serial, threads, virtual, fork) and compare them.")
    List<String> models;

    @Option(names = "--service", paramLabel = "SERVICE", description = "The lab's service: greet or echo (default: greet).")
    String service;

    @Option(names = "--rounds", paramLabel = "N", description = "The lab: rounds, models interleaved (default: 2).")
    Integer rounds;

    @Option(names = "--report", paramLabel = "FILE.html", description = "The lab: also write a self-contained HTML page.")
    Path report;

    @Option(names = "--server-command", paramLabel = "COMMAND", hidden = true,
            description = "The lab: the server to start, with {service} and {model} in it (default: this switchboard's serve).")
    String serverCommand;

    @Override
    public Integer call() throws Exception {
        if (models != null) {
            return LabCommand.run(this);
        }
        if (service != null || rounds != null || report != null) {
            throw Failure.usage("--service, --rounds and --report belong to the model lab (--models)");
        }
        if (host == null || port == null) {
            throw Failure.usage("name the server: switchboard bench HOST PORT --mode " + mode.label());
        }
        if (port < 1 || port > 65535) {
            throw Failure.usage("the port must be between 1 and 65535, not " + port);
        }
        InetSocketAddress target;
        try {
            target = new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new Failure(ExitCode.FAILURE, "bench: unknown host " + host);
        }
        Consumer<Progress> live = liveLine();
        LoadResult result = LoadGenerator.run(loadSpec(target, mode), live);
        if (live != null) {
            // Clear the live line, and flush: stdout shares the screen and the table follows.
            PrintWriter err = spec.commandLine().getErr();
            err.print("\r" + " ".repeat(79) + "\r");
            err.flush();
        }
        return report(result);
    }

    /** The load this command line describes, against {@code target}. */
    LoadSpec loadSpec(InetSocketAddress target, Mode m) {
        int n = connections != null ? connections : switch (m) {
            case GREET, ECHO -> 32;
            case STREAM -> 1;
            case HOLD -> 1000;
        };
        if (size != null && (m == Mode.GREET || m == Mode.STREAM)) {
            throw Failure.usage("--size applies to echo (the message) and hold (the probe), not " + m.label());
        }
        int bytes = size != null ? size : m == Mode.ECHO ? 64 : 0;
        try {
            return new LoadSpec(target, m, n, duration, warmup, bytes, expect, rate, timeout, threads);
        } catch (IllegalArgumentException e) {
            throw Failure.usage(e.getMessage());
        }
    }

    private int report(LoadResult r) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        out.print(json ? ResultFormat.json(r) + System.lineSeparator() : ResultFormat.table(r));
        out.flush();
        for (String line : ResultFormat.warnings(r).lines().toList()) {
            err.println("switchboard: bench: " + line);
        }
        if (!r.succeeded()) {
            err.println("switchboard: bench: nothing succeeded"
                    + (r.errorCount() > 0 ? " (" + ResultFormat.errorList(r) + ")" : ""));
            err.flush();
            return ExitCode.FAILURE.code();
        }
        err.flush();
        return ExitCode.OK.code();
    }

    /** A progress line on stderr, rewritten in place: only when stderr is a terminal. */
    Consumer<Progress> liveLine() {
        if (!Terminal.isTerminal()) {
            return null;
        }
        PrintWriter err = spec.commandLine().getErr();
        return p -> {
            String figure = mode == Mode.HOLD ? (long) p.rate() + " open" : ResultFormat.num(p.rate()) + " " + mode.unit();
            String p99 = mode.timed() ? "  p99 " + ResultFormat.micros(p.p99Micros()) : "";
            err.print(String.format(Locale.ROOT, "\r%5.1fs%s  %s%s  errors %d   ", p.elapsedSeconds(),
                    p.warmingUp() ? " warm-up" : "", figure, p99, p.errors()));
            err.flush();
        };
    }
}
