package dev.switchboard.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;

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

    /** Why binding the source address failed, in words that name the address and the cure. */
    static DialException bindFailure(InetSocketAddress source, IOException e) {
        String where = where(source);
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("in use")) {
            return new DialException(Reason.SOURCE_IN_USE, where + " is already in use", e);
        }
        if (msg.contains("ermission denied") || msg.contains("ccess denied")) {
            return new DialException(Reason.SOURCE_DENIED, "permission denied binding " + where
                    + " (ports below 1024 need root or CAP_NET_BIND_SERVICE)", e);
        }
        if (msg.contains("assign requested address")) {
            return new DialException(Reason.SOURCE_UNAVAILABLE,
                    "cannot bind " + where + ": not an address of this machine", e);
        }
        return new DialException(Reason.OTHER, "cannot bind " + where + ": " + msg, e);
    }

    /**
     * A fixed source that binds (SO_REUSEADDR) but already has a connection to this target:
     * the connect itself fails (EADDRNOTAVAIL), and "cannot assign requested address" would
     * not tell the user it is their -p.
     */
    static DialException sourceInUse(InetSocketAddress source, InetSocketAddress target, IOException e) {
        return new DialException(Reason.SOURCE_IN_USE, where(source) + " is already in use for " + Dialer.hostPort(target), e);
    }

    private static String where(InetSocketAddress source) {
        return source.getAddress().isAnyLocalAddress()
                ? "source port " + source.getPort()
                : "source address " + Dialer.hostPort(source);
    }

    /** One attempt's failure: socket errors become a reason; anything else is kept as it is. */
    public static IOException connectFailure(IOException e, InetSocketAddress target) {
        return e instanceof SocketException ? classify(e, target) : e;
    }

    /** What to throw when every attempt failed: the last failure, as a DialException. */
    public static IOException finalFailure(IOException last, InetSocketAddress target) {
        if (last instanceof DialException) return last;
        if (last == null) return new DialException(Reason.OTHER, "cannot connect to " + Dialer.hostPort(target), null);
        return classify(last, target);
    }

    private static DialException classify(IOException e, InetSocketAddress target) {
        String to = Dialer.hostPort(target);
        String msg = String.valueOf(e.getMessage());
        if (e instanceof ConnectException && msg.contains("refused")) {
            return new DialException(Reason.REFUSED, "connection refused: " + to, e);
        }
        if (e instanceof NoRouteToHostException || msg.contains("nreachable")) {
            return new DialException(Reason.UNREACHABLE, to + " is unreachable: " + msg, e);
        }
        if (msg.contains("reset")) {
            // The handshake completed and the peer reset before we saw it: it answered, then hung up.
            return new DialException(Reason.OTHER, "connection reset by " + to + " as it opened", e);
        }
        return new DialException(Reason.OTHER, "cannot connect to " + to + ": " + msg, e);
    }
}
