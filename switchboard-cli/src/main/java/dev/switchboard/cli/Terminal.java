package dev.switchboard.cli;

import java.io.Console;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a person watches stderr at a terminal, so that live progress lines make sense. */
final class Terminal {

    private Terminal() {
    }

    /**
     * True when stderr is a terminal. The JDK only knows about stdin and stdout (its
     * {@code Console}), so on Linux stderr's own descriptor is asked where it leads: with
     * {@code 2>log} the progress lines must not land in the log, and with {@code >out.json}
     * they still belong on the screen. Elsewhere the console stands in for it.
     */
    static boolean isTerminal() {
        Path fd = Path.of("/proc/self/fd/2");
        if (Files.isSymbolicLink(fd)) {
            try {
                String target = Files.readSymbolicLink(fd).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
            } catch (IOException | UnsupportedOperationException e) {
                // Fall back to the console below.
            }
        }
        return consoleIsTerminal();
    }

    /**
     * True when there is a console and it is a terminal. From JDK 22 {@code System.console()}
     * is non-null even when redirected and {@code Console.isTerminal()} tells the truth; we
     * compile for 21, so that method is looked up rather than called directly.
     */
    private static boolean consoleIsTerminal() {
        Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            Method m = Console.class.getMethod("isTerminal");
            return (Boolean) m.invoke(c);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 21: a non-null console is a terminal
        }
    }
}
