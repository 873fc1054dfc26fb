package dev.switchboard.cli;

import dev.switchboard.client.DialException;
import dev.switchboard.client.Dialer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code connect -z}: tries to connect to each port of a list, a bounded number at a time,
 * closes each connection at once without a byte, and prints the open ports on stdout in
 * ascending order, as soon as every lower port has been decided.
 */
final class PortScan {

    /** How many ports are tried at the same time: enough to be quick, few enough to be polite. */
    static final int PARALLELISM = 32;

    /** The connect timeout of a probe when -w is not given. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

    private final Dialer dialer;
    private final boolean verbose;
    private final PrintWriter out;
    private final PrintWriter err;

    PortScan(Dialer dialer, boolean verbose, PrintWriter out, PrintWriter err) {
        this.dialer = dialer;
        this.verbose = verbose;
        this.out = out;
        this.err = err;
    }

    /** Scans; true when at least one port was open. Fails at once if the host has no address. */
    boolean run(String host, int[] ports) throws IOException, InterruptedException {
        List<InetSocketAddress> addresses = dialer.resolve(host, 0); // fails early on an unknown host
        boolean anyOpen = false;
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLELISM, ports.length), r -> {
            Thread t = new Thread(r, "scan");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<String>> results = new ArrayList<>(ports.length);
            for (int port : ports) {
                results.add(pool.submit(() -> probe(addresses, port)));
            }
            for (int i = 0; i < ports.length; i++) {
                String failure = outcome(results.get(i));
                if (failure == null) {
                    anyOpen = true;
                    out.println(ports[i]);
                    out.flush();
                } else if (verbose) {
                    err.println("switchboard: port " + ports[i] + ": " + failure);
                    err.flush();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return anyOpen;
    }

    /** Null when the port answered, else why not. */
    private String probe(List<InetSocketAddress> addresses, int port) {
        List<InetSocketAddress> targets = new ArrayList<>(addresses.size());
        for (InetSocketAddress a : addresses) {
            targets.add(new InetSocketAddress(a.getAddress(), port));
        }
        try (SocketChannel ignored = dialer.dial(targets)) {
            return null;
        } catch (DialException e) {
            return e.getMessage();
        } catch (IOException e) {
            return String.valueOf(e.getMessage());
        }
    }

    private static String outcome(Future<String> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            return String.valueOf(e.getCause());
        }
    }
}
