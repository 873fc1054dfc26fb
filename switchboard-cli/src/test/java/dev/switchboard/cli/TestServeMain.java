package dev.switchboard.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * The real command line with the stand-in services of {@link TestServices}: what the process
 * tests run (java -cp switchboard.jar:test-classes) until the real services are merged.
 */
public final class TestServeMain {

    private TestServeMain() {
    }

    public static void main(String[] args) {
        Logging.configure();
        CommandLine cli = Main.commandLine();
        ((ServeCommand) cli.getSubcommands().get("serve").getCommand()).catalog(TestServices.CATALOG);
        cli.setOut(new PrintWriter(System.out, true));
        cli.setErr(new PrintWriter(System.err, true));
        System.exit(cli.execute(args));
    }
}
