package dev.switchboard.cli;

import dev.switchboard.bench.LabFormat;
import dev.switchboard.bench.LabReport;
import dev.switchboard.bench.LoadSpec;
import dev.switchboard.bench.Mode;
import dev.switchboard.bench.ModelLab;
import dev.switchboard.bench.ModelScore;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The model lab behind {@code switchboard bench --models ...}: checks the command line,
 * starts this very switchboard's {@code serve} once per model and round, and prints the table
 * (and the HTML report when asked).
 */
final class LabCommand {

    private LabCommand() {
    }

    static int run(BenchCommand b) throws InterruptedException {
        if (b.host != null) {
            throw Failure.usage("the model lab starts its own servers: drop HOST PORT, or drop --models");
        }
        if (b.json) {
            throw Failure.usage("--json is for one run; the lab prints a table (and --report writes a page)");
        }
        String service = b.service == null ? "greet" : b.service;
        Mode mode = switch (service) {
            case "greet" -> Mode.GREET;
            case "echo" -> Mode.ECHO;
            default -> throw Failure.usage("the lab's --service is greet or echo, not '" + service + "'");
        };
        // --mode defaults to greet, so ask whether it was given, not whether it is greet.
        if (b.spec.commandLine().getParseResult().hasMatchedOption("--mode") && b.mode != mode) {
            throw Failure.usage("the lab's load follows --service; leave out --mode");
        }
        List<String> models = b.models.stream().map(String::strip).filter(m -> !m.isEmpty()).distinct().toList();
        for (String m : models) {
            // Checked against serve's own list, unless a stand-in server (tests) takes others.
            boolean known = b.serverCommand != null ? m.matches("[a-z][a-z0-9-]*")
                    : Arrays.stream(ServerOptions.Model.values()).anyMatch(x -> x.name().equals(m));
            if (!known) {
                throw Failure.usage("'" + m + "' is not a model name (" + Arrays.stream(ServerOptions.Model.values())
                        .map(Enum::name).collect(Collectors.joining(", ")) + ")");
            }
        }
        int rounds = b.rounds == null ? 2 : b.rounds;
        if (models.isEmpty() || rounds < 1 || rounds > 20) {
            throw Failure.usage(models.isEmpty() ? "name at least one model" : "--rounds must be between 1 and 20");
        }
        LoadSpec load = b.loadSpec(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 1), mode);
        PrintWriter out = b.spec.commandLine().getOut();
        PrintWriter err = b.spec.commandLine().getErr();
        ModelLab lab = new ModelLab(models, load, rounds, serverCommand(b.serverCommand, service), line -> {
            err.println("switchboard: bench: " + line);
            err.flush();
        });
        List<ModelScore> scores = lab.run();
        out.print(LabFormat.table(scores, mode));
        out.flush();
        for (ModelScore s : scores) {
            if (s.windowTooShort()) {
                err.println("switchboard: bench: " + s.model() + ": " + s.cutOff() + " operations were still in flight"
                        + " when the time was up, so its rate is understated: measure for longer (-d) than its latency");
            }
        }
        if (b.report != null) {
            try {
                LabReport.write(b.report, scores, mode, commandLine(b));
            } catch (IOException e) {
                throw new Failure(ExitCode.FAILURE, "bench: cannot write " + b.report + ": " + e.getMessage());
            }
            err.println("switchboard: bench: report written to " + b.report);
        }
        boolean any = scores.stream().anyMatch(s -> s.completed() > 0);
        if (!any) {
            err.println("switchboard: bench: no model served a single " + (mode == Mode.GREET ? "connection" : "round trip"));
        }
        err.flush();
        return any ? ExitCode.OK.code() : ExitCode.FAILURE.code();
    }

    /**
     * The command for a model's server: this JVM's java and class path running
     * {@code serve SERVICE --model M --port 0}, or the user's template with {service} and {model}.
     * It binds loopback only (the lab is no reason to answer the network) and is quiet: a log
     * record per connection would cost the server more than some services do.
     */
    static Function<String, List<String>> serverCommand(String template, String service) {
        if (template != null) {
            List<String> words = Arrays.asList(template.trim().split("\\s+"));
            return model -> words.stream().map(w -> w.replace("{service}", service).replace("{model}", model)).toList();
        }
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classPath = System.getProperty("java.class.path");
        return model -> new ArrayList<>(List.of(java, "-cp", classPath, Main.class.getName(),
                "serve", service, "--model", model, "--port", "0", "--bind", "127.0.0.1", "--quiet"));
    }

    /**
     * The exact command as the user typed it, for the report: a word the shell would split or
     * expand is single-quoted, so the line can be pasted back and run again.
     */
    private static String commandLine(BenchCommand b) {
        List<String> args = b.spec.commandLine().getParseResult().originalArgs();
        return "switchboard " + args.stream().map(LabCommand::shellWord).collect(Collectors.joining(" "));
    }

    private static String shellWord(String w) {
        return w.matches("[A-Za-z0-9_@%+=:,./-]+") ? w : "'" + w.replace("'", "'\\''") + "'";
    }
}
