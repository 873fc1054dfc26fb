package dev.switchboard.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Routes the core's System.Logger output (java.util.logging underneath) to stderr as one line
 * per record, prefixed like every other message of ours.
 */
public final class Logging {

    /**
     * Configures the logging; java.util.logging calls this when it starts, when named by the
     * {@code java.util.logging.config.class} property (see {@link Main#main}).
     */
    public Logging() {
        configure();
    }

    static void configure() {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler console = new ConsoleHandler(); // writes to System.err
        console.setLevel(Level.ALL);
        console.setFormatter(new SimpleFormatter() {
            @Override
            public String format(LogRecord r) {
                String text = formatMessage(r);
                StringBuilder line = new StringBuilder("switchboard: ").append(text).append(System.lineSeparator());
                if (r.getThrown() != null && (r.getLevel().intValue() >= Level.WARNING.intValue() || debug)) {
                    java.io.StringWriter trace = new java.io.StringWriter();
                    r.getThrown().printStackTrace(new java.io.PrintWriter(trace));
                    line.append(trace);
                }
                return line.toString();
            }
        });
        root.addHandler(console);
        root.setLevel(Level.INFO);
    }

    private static volatile boolean debug;

    /** Our loggers' parent; held here, since java.util.logging forgets a logger's level with the logger. */
    private static final Logger OURS = Logger.getLogger("dev.switchboard");

    /**
     * -v and --debug: more detail from our loggers. Only ours: the JDK's own debug records
     * (such as "Runtime.exit() called") are not for our users.
     */
    static void verbose(boolean on, boolean withTraces) {
        Logger.getLogger("").setLevel(Level.INFO);
        OURS.setLevel(on ? Level.FINE : null);
        debug = withTraces;
    }
}
