package dev.switchboard.cli;

import dev.switchboard.io.Endpoint;
import dev.switchboard.model.ProcessPerConnection;
import dev.switchboard.service.Protocol;
import dev.switchboard.service.ProtocolHandler;
import dev.switchboard.service.Service;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Serves one connection of a built-in service on stdin/stdout: the child of {@code serve
 * --model fork}, and equally at home under tcpserver or inetd. The caller's address comes
 * from the UCSPI-TCP variables ({@code TCPREMOTEIP}, {@code TCPREMOTEPORT}, {@code
 * TCPLOCALIP}, {@code TCPLOCALPORT}). Hidden from help: people type {@code serve}.
 */
@Command(name = "handle", hidden = true,
        description = "Serve one connection of SERVICE on stdin/stdout (the fork model's child).")
final class HandleCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SERVICE", description = "greet, echo, discard, chargen, daytime or time")
    String serviceName;

    @Option(names = "--message", paramLabel = "TEMPLATE", description = "greet's text (placeholders as serve's)")
    String message;

    /** Tests replace the process environment. */
    Map<String, String> environment = System.getenv();

    @Override
    public Integer call() throws IOException {
        return serve(serviceName, message, environment);
    }

    /**
     * The fork model's child without picocli: {@code handle SERVICE [--message TEMPLATE]}
     * parsed by hand, because building picocli's model costs about 100 ms of CPU per child.
     * Returns the exit code, or -1 when {@code args} are not that simple form (help, --debug,
     * a mistake): then picocli runs as for any command and says what is wrong.
     */
    static int fastPath(String[] args, PrintWriter err) {
        if (args.length < 2 || !args[0].equals("handle") || args[1].startsWith("-")) return -1;
        String template = null;
        if (args.length == 4 && args[2].equals("--message")) {
            template = args[3];
        } else if (args.length == 3 && args[2].startsWith("--message=")) {
            template = args[2].substring("--message=".length());
        } else if (args.length != 2) {
            return -1;
        }
        try {
            return serve(args[1], template, System.getenv());
        } catch (Failure f) {
            err.println("switchboard: " + f.getMessage());
            return f.exitCode().code();
        } catch (IOException e) {
            err.println("switchboard: " + e.getMessage());
            return ExitCode.FAILURE.code();
        }
    }

    /** Serves one connection of the named service on stdin/stdout; returns the exit code. */
    static int serve(String serviceName, String message, Map<String, String> environment) throws IOException {
        Service service = Service.named(serviceName).orElseThrow(() -> Failure.usage(
                "unknown service '" + serviceName + "' (known: " + Service.names() + ")"));
        boolean greet = service == Service.GREET;
        InetSocketAddress local = address(environment, "TCPLOCALIP", "TCPLOCALPORT",
                greet && message != null && message.contains("{local"));
        InetSocketAddress remote = address(environment, "TCPREMOTEIP", "TCPREMOTEPORT", greet);
        Protocol protocol;
        try {
            protocol = service.create(Service.Options.message(message), local, remote);
        } catch (IllegalArgumentException e) {
            throw Failure.usage(e.getMessage());
        }
        // The raw descriptors: System.out is a PrintStream, which would swallow a broken pipe.
        try {
            ProtocolHandler.drive(protocol, Endpoint.of(new FileInputStream(FileDescriptor.in),
                    new FileOutputStream(FileDescriptor.out)));
        } catch (IOException e) {
            if (!callerGone(e)) throw e;
            // The caller's doing, not an error to print: the exit status says it, and under serve
            // --model fork the parent logs the connection as reset (a line only with -v).
            return ExitCode.FAILURE.code();
        }
        return ExitCode.OK.code();
    }

    /**
     * Whether the caller reset or went away. Plain file streams on a socket say so only in
     * the message (the C library's strerror), as the server's own check finds too.
     */
    private static boolean callerGone(IOException e) {
        String m = String.valueOf(e.getMessage());
        return e instanceof java.net.SocketException || m.contains("Broken pipe") || m.contains("reset by peer");
    }

    /** An address from two UCSPI variables; the wildcard when absent and not needed. */
    private static InetSocketAddress address(Map<String, String> environment, String ipVariable,
                                             String portVariable, boolean required) {
        String ip = environment.get(ipVariable);
        String port = environment.get(portVariable);
        if (ip == null || port == null) {
            if (required) {
                throw Failure.usage(ipVariable + " and " + portVariable
                        + " must be set (this command runs under serve --model fork, tcpserver or inetd)");
            }
            return new InetSocketAddress(0);
        }
        try {
            // Only digits reach here from a server; a name would mean someone set it by hand.
            return new InetSocketAddress(InetAddress.getByName(ip), Integer.parseInt(port));
        } catch (UnknownHostException | IllegalArgumentException e) {
            throw Failure.usage("bad " + ipVariable + "/" + portVariable + ": " + ip + " " + port);
        }
    }

    /**
     * The child command the fork model runs for {@code service}: this JVM, fast-start options,
     * this class path, {@code handle SERVICE [--message TEMPLATE]}.
     */
    static List<String> childCommand(Service service, String message) {
        List<String> args = new ArrayList<>(List.of("handle", service.serviceName()));
        if (message != null) {
            args.add("--message");
            args.add(message);
        }
        return ProcessPerConnection.javaCommand(Main.class.getName(), args);
    }
}
