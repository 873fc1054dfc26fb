package dev.switchboard.client;

import java.io.IOException;

/**
 * A dial that failed, with a reason a program can act on and a one-line message a person can
 * read ("connection refused: 127.0.0.1:1"), so callers never have to parse exception text.
 */
public final class DialException extends IOException {

    /** Why a dial failed. */
    public enum Reason {
        UNKNOWN_HOST, REFUSED, TIMEOUT, UNREACHABLE,
        SOURCE_IN_USE, SOURCE_DENIED, SOURCE_UNAVAILABLE, NO_USABLE_ADDRESS, OTHER
    }

    private final Reason reason;

    public DialException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
