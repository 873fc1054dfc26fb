package dev.switchboard.cli;

/** The exit codes every command shares, as netcat and tcpserver users expect them. */
public enum ExitCode {
    /** It worked (for a scan: at least one port was open). */
    OK(0),
    /** It ran but failed: refused, timed out, port in use, nothing open. */
    FAILURE(1),
    /** The command line was wrong; nothing was attempted. */
    USAGE(2);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
