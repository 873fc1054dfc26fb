package dev.switchboard.cli;

/**
 * A failure a command reports as one line and an exit code, without a stack trace: the
 * message is written for the person who ran the command.
 */
public final class Failure extends RuntimeException {

    private final ExitCode exitCode;

    public Failure(ExitCode exitCode, String message) {
        this(exitCode, message, null);
    }

    public Failure(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** A command line that makes no sense: exit 2. */
    public static Failure usage(String message) {
        return new Failure(ExitCode.USAGE, message);
    }

    public ExitCode exitCode() {
        return exitCode;
    }
}
