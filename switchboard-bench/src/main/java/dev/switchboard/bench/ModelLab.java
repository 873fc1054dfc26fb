package dev.switchboard.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * The model lab: the same load against a fresh server per concurrency model, the models
 * interleaved over rounds (A B C, A B C) so that the machine's drift hits them all alike.
 */
public final class ModelLab {

    private final List<String> models;
    private final LoadSpec load;
    private final int rounds;
    private final Function<String, List<String>> serverCommand;
    private final Consumer<String> log;

    /**
     * @param models        the models to compare, in table order
     * @param load          the load to run; its target is replaced by each server's address
     * @param rounds        how many times each model runs
     * @param serverCommand the command that starts a server for a model
     * @param log           one line per run, for the user (may ignore them)
     */
    public ModelLab(List<String> models, LoadSpec load, int rounds, Function<String, List<String>> serverCommand,
                    Consumer<String> log) {
        if (models.isEmpty() || rounds < 1) {
            throw new IllegalArgumentException("name at least one model and one round");
        }
        this.models = List.copyOf(models);
        this.load = load;
        this.rounds = rounds;
        this.serverCommand = serverCommand;
        this.log = log;
    }

    /** Runs every round and returns one score per model, in the order given. */
    public List<ModelScore> run() throws InterruptedException {
        Map<String, Acc> acc = new LinkedHashMap<>();
        models.forEach(m -> acc.put(m, new Acc()));
        for (int round = 1; round <= rounds; round++) {
            for (String model : models) {
                Acc a = acc.get(model);
                if (a.failure != null) {
                    continue; // a model that could not start once will not start again
                }
                runOnce(model, a);
                log.accept(String.format(java.util.Locale.ROOT, "round %d/%d  %-8s %s", round, rounds, model,
                        a.failure != null ? "failed: " + a.failure : a.lastLine));
            }
        }
        List<ModelScore> scores = new ArrayList<>();
        acc.forEach((m, a) -> scores.add(a.score(m, load.connections())));
        double best = scores.stream().mapToDouble(ModelScore::rate).max().orElse(0);
        return scores.stream().map(s -> s.withRatio(best > 0 ? s.rate() / best : 0)).toList();
    }

    private void runOnce(String model, Acc a) throws InterruptedException {
        try (ServerProcess server = ServerProcess.start(serverCommand.apply(model), Duration.ofSeconds(30))) {
            InetSocketAddress target = server.address();
            double cpu0 = server.cpuSeconds();
            LoadResult r = LoadGenerator.run(load.withTarget(target), null);
            double cpu1 = server.cpuSeconds();
            a.latency.add(r.latency());
            a.completed += r.completed();
            a.errors += r.errorCount();
            a.cutOff += r.cutOff();
            a.served = Math.min(a.served, r.served());
            a.seconds += r.seconds();
            a.cpu += cpu1 - cpu0;
            a.memory = Math.max(a.memory, server.peakMemoryKiB());
            a.lastLine = ResultFormat.num(r.rate()) + " " + load.mode().unit() + ", p99 "
                    + ResultFormat.micros(r.percentileMicros(99)) + ", errors " + r.errorCount()
                    + (server.alive() ? "" : " (the server died)");
        } catch (IOException e) {
            a.failure = e.getMessage();
        }
    }

    /** A model's sums over its rounds. */
    private static final class Acc {
        final Histogram latency = new Histogram(3);
        long completed;
        long errors;
        long cutOff;
        long served = Long.MAX_VALUE;
        double seconds;
        double cpu;
        long memory = -1;
        String failure;
        String lastLine = "";

        ModelScore score(String model, int connections) {
            double rate = seconds > 0 ? completed / seconds : 0;
            return new ModelScore(model, rate, latency, completed, errors, cutOff,
                    served == Long.MAX_VALUE ? 0 : served, connections, cpu, memory, 0, failure);
        }
    }
}
