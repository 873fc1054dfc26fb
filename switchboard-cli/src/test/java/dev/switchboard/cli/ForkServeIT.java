package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code serve --model fork} as shipped: the real jar, each connection served by a
 * {@code switchboard handle SERVICE} child JVM. The conformance cases that matter for a user,
 * with few callers at once (a JVM per caller is the honest limit on a small machine).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ForkServeIT {

    static ServerProcess serve(String service, String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("serve", service, "--model", "fork", "--bind", "127.0.0.1", "--port", "0"));
        args.addAll(List.of(options));
        return ServerProcess.of(new ProcessBuilder(Proc.switchboard(args.toArray(String[]::new))));
    }

    static Socket connect(InetSocketAddress at) throws IOException {
        Socket s = new Socket();
        s.connect(at, 5000);
        s.setSoTimeout(60_000);
        return s;
    }

    static String greeting(InetSocketAddress at) throws IOException {
        try (Socket s = connect(at)) {
            String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return text.equals("Hello, person from 127.0.0.1:" + s.getLocalPort() + "\n") ? text : "wrong: " + text;
        }
    }

    @Test
    void greetsEachOfSeveralCallersAtOnceWithItsOwnAddress() throws Exception {
        try (ServerProcess p = serve("greet")) {
            InetSocketAddress at = p.listening();
            assertThat(greeting(at)).startsWith("Hello, person from 127.0.0.1:");
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<String>> answers = new ArrayList<>();
                for (int i = 0; i < 6; i++) answers.add(pool.submit(() -> greeting(at)));
                for (Future<String> f : answers) assertThat(f.get(60, TimeUnit.SECONDS)).startsWith("Hello");
            }
            assertThat(p.awaitLine(l -> l.startsWith("event=close id=7 "))).contains("model=fork").contains("outcome=exit=0");
        }
    }

    @Test
    void echoesOneMebibyteAndSigtermLetsTheOpenConnectionFinish() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(9).nextBytes(data);
        try (ServerProcess p = serve("echo", "--grace", "60")) {
            InetSocketAddress at = p.listening();
            try (Socket s = connect(at)) {
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                int first = 64 * 1024;
                out.write(data, 0, first);
                assertThat(in.readNBytes(first)).isEqualTo(Arrays.copyOf(data, first));
                p.terminate();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (accepts(at) && System.nanoTime() < deadline) Thread.sleep(20); // polling a deadline
                assertThat(accepts(at)).isFalse();
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        out.write(data, first, data.length - first);
                        s.shutdownOutput();
                    } catch (IOException ignored) {
                        // the comparison reports it
                    }
                });
                assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, first, data.length));
                writer.join();
            }
            assertThat(p.exitCode()).isZero();
            assertThat(p.awaitLine(l -> l.startsWith("event=close id=1 ")))
                    .contains(" in=" + data.length + " out=" + data.length + " ").contains("outcome=exit=0");
        }
    }

    /** The child is a new process with a chosen environment: the server's time zone must reach it. */
    @Test
    void daytimeAnswersInTheServersTimeZone() throws Exception {
        List<String> args = new ArrayList<>(List.of("serve", "daytime", "--model", "fork", "--bind", "127.0.0.1"));
        ProcessBuilder pb = new ProcessBuilder(Proc.switchboard(args.toArray(String[]::new)));
        pb.environment().put("TZ", "Etc/GMT+5"); // five hours west of UTC, never summer time
        try (ServerProcess p = ServerProcess.of(pb)) {
            try (Socket s = connect(p.listening())) {
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .matches("\\w{3}, \\d{1,2} \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d -0500\r\n");
            }
        }
    }

    private static boolean accepts(InetSocketAddress at) {
        try (Socket s = new Socket()) {
            s.connect(at, 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
