package dev.switchboard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The switchboard command: picks the subcommand, turns every failure into one line on stderr
 * and an exit code (2 for usage errors), and is the only place that calls System.exit.
 */
@Command(name = "switchboard", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A TCP toolkit: place calls (connect), answer them (listen, serve), forward them (relay), measure servers (bench).",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Print stack traces with errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: connect, listen, ...");
    }

    public static void main(String[] args) {
        // java.util.logging is set up when something first logs, not on every start: a
        // one-shot connect never logs, and setting up the logging costs it milliseconds.
        System.setProperty("java.util.logging.config.class", Logging.class.getName());
        PrintWriter err = new PrintWriter(System.err, true);
        // The two forms that run most, parsed by hand (picocli's model costs more than the rest
        // of such a run): a fork-model child, and a plain connect.
        int code = HandleCommand.fastPath(args, err);
        if (code < 0) code = ConnectCommand.fastPath(args, null, err);
        System.exit(code >= 0 ? code : execute(args, new PrintWriter(System.out, true), err));
    }

    /** Runs a command line with the given output streams; returns the exit code. Used by tests. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        Logging.configure(); // this JVM's logging may be up already: send it to today's stderr
        return execute(args, out, err);
    }

    private static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = commandLine(args);
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(args);
    }

    /** The commands, in the order help lists them. */
    static final List<String> COMMANDS = List.of("connect", "listen", "serve", "relay", "bench", "handle");

    private static Object command(String name) {
        return switch (name) {
            case "connect" -> new ConnectCommand();
            case "listen" -> new ListenCommand();
            case "serve" -> new ServeCommand();
            case "relay" -> new RelayCommand();
            case "bench" -> new BenchCommand();
            case "handle" -> new HandleCommand();
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** The whole command tree, with our error handling installed. */
    public static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The command tree for this command line: when it names a command, only that one is
     * built. Picocli reads each command's annotations by reflection up front, and for a
     * netcat-class tool run from scripts those milliseconds per command count.
     */
    static CommandLine commandLine(String[] args) {
        CommandLine cli = new CommandLine(new Main());
        String named = null;
        for (String a : args) {
            if (!a.startsWith("-")) {
                named = a;
                break;
            }
        }
        for (String name : COMMANDS) {
            if (named == null || !COMMANDS.contains(named) || named.equals(name)) {
                cli.addSubcommand(name, command(name));
                // Each command's help offers -V: it prints the tool's version (picocli
                // doesn't pass the provider down, and printed nothing).
                cli.getSubcommands().get(name).getCommandSpec().versionProvider(new Version());
            }
        }
        cli.setParameterExceptionHandler(Main::usageError);
        cli.setExecutionExceptionHandler(Main::executionError);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        return cli;
    }

    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(cmd.getCommandName().equals("switchboard")
                ? "switchboard: " + unknownCommand(e).orElse(e.getMessage())
                : "switchboard " + cmd.getCommandName() + ": " + e.getMessage());
        err.println("(try 'switchboard " + (cmd.getCommandName().equals("switchboard") ? "" : cmd.getCommandName() + " ")
                + "--help')");
        return ExitCode.USAGE.code();
    }

    /**
     * A word where the command goes that is none, said as such (picocli's own words are
     * "Unmatched argument at index 0"), with the commands there are. (Picocli's guesses at
     * the one meant were often wrong: bench or connect for "nosuchcommand".)
     */
    private static Optional<String> unknownCommand(CommandLine.ParameterException e) {
        if (!(e instanceof CommandLine.UnmatchedArgumentException u) || u.getUnmatched().isEmpty()
                || u.getUnmatched().get(0).startsWith("-")) {
            return Optional.empty();
        }
        return Optional.of("unknown command '" + u.getUnmatched().get(0) + "' (commands: "
                + String.join(", ", COMMANDS.stream().filter(c -> !c.equals("handle")).toList()) + ")");
    }

    private static int executionError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        if (e instanceof CommandLine.ParameterException p) {
            return usageError(p, new String[0]);
        }
        boolean debug = parsed.hasMatchedOption("--debug")
                || (parsed.subcommand() != null && deepHasDebug(parsed));
        return report(e, cmd.getErr(), debug);
    }

    /**
     * A command's failure as one line on {@code err} (and its stack trace with --debug);
     * returns the exit code: the failure's own, 1 for I/O errors and bugs.
     */
    static int report(Exception e, PrintWriter err, boolean debug) {
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        ExitCode code;
        String message;
        if (cause instanceof Failure f) {
            code = f.exitCode();
            message = f.getMessage();
        } else if (cause instanceof IOException io) {
            code = ExitCode.FAILURE;
            message = String.valueOf(io.getMessage());
        } else {
            code = ExitCode.FAILURE;
            message = "internal error: " + cause + (debug ? "" : " (run with --debug for details)");
        }
        err.println("switchboard: " + message);
        if (debug) {
            cause.printStackTrace(err);
        }
        err.flush();
        return code.code();
    }

    private static boolean deepHasDebug(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--debug")) return true;
        }
        return false;
    }

    /** The version from the jar's manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"switchboard " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
