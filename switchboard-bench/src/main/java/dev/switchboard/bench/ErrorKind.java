package dev.switchboard.bench;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.Locale;

/** Why an operation failed, in the words a person load-testing a server thinks in. */
public enum ErrorKind {
    /** Nobody listening, or the listen queue overflowed (ECONNREFUSED). */
    REFUSED("refused"),
    /** The server reset the connection or it broke mid-way (ECONNRESET, EPIPE). */
    RESET("reset"),
    /** No answer within the operation timeout. */
    TIMEOUT("timeout"),
    /** An answer that was not the one expected (greet --expect, echo bytes). */
    MISMATCH("mismatch"),
    /** The server closed before answering in full. */
    CLOSED("closed"),
    /** We ran out of ephemeral ports (EADDRNOTAVAIL): a limit of this machine, not the server. */
    PORTS("no-ports"),
    /** We ran out of file descriptors (EMFILE, ENFILE): a limit of this process. */
    FILES("no-files"),
    /** Anything else. */
    OTHER("other");

    private final String label;

    ErrorKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /**
     * Classifies an I/O failure. The JDK maps errno to a handful of exception types and
     * keeps the rest only in the message (strerror's text), so for reset and the two
     * resource limits the message is the only evidence there is.
     */
    public static ErrorKind of(IOException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (m.contains("too many open files")) {
            return FILES;
        }
        if (e instanceof BindException || m.contains("cannot assign requested address")) {
            return PORTS;
        }
        if (m.contains("timed out") || e instanceof SocketTimeoutException) {
            return TIMEOUT;
        }
        if (e instanceof ConnectException) {
            return REFUSED;
        }
        if (m.contains("reset") || m.contains("broken pipe") || m.contains("aborted")) {
            return RESET;
        }
        return OTHER;
    }
}
