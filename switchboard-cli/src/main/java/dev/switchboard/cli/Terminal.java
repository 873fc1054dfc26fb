package dev.switchboard.cli;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether we talk to a person at a terminal, so that live progress lines make sense. */
final class Terminal {

    private Terminal() {
    }

    /**
     * True when there is a console and it is a terminal. From JDK 22 {@code System.console()}
     * is non-null even when redirected and {@code Console.isTerminal()} tells the truth; we
     * compile for 21, so that method is looked up rather than called directly.
     */
    static boolean isTerminal() {
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
