package dev.switchboard.proxy;

import java.util.Objects;

/**
 * The outcome of reading a PROXY header: a header and how many bytes it took, or a refusal
 * with a reason fit for a log record. Refusals are results, not exceptions; only a real I/O
 * failure (a reset, say) is thrown.
 */
public sealed interface ProxyResult permits ProxyResult.Accepted, ProxyResult.Refused {

    /** A complete, valid header of {@code length} bytes; nothing after it was consumed. */
    record Accepted(ProxyHeader header, int length) implements ProxyResult {
        public Accepted {
            Objects.requireNonNull(header, "header");
        }
    }

    /** No usable header; the connection must be closed without passing anything on. */
    record Refused(Reason reason, String detail) implements ProxyResult {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }

        /** "proxy-malformed: bad IPv4 address": the reason code, then the detail. */
        @Override
        public String toString() {
            return reason.code() + ": " + detail;
        }
    }

    /** Why a header was refused; {@link #code()} is what the log record says. */
    enum Reason {
        /** The first bytes are not a PROXY signature: a caller speaking without a header. */
        MISSING("proxy-missing"),
        /** The peer closed before sending a byte (a plain TCP health check does this). */
        CLOSED("proxy-closed"),
        /** The peer closed part-way through a header. */
        TRUNCATED("proxy-truncated"),
        /** The header breaks the grammar: bad field, bad address, lying length, bad checksum. */
        MALFORMED("proxy-malformed"),
        /** A v1 line past 107 bytes, or a v2 block longer than we accept. */
        OVERSIZED("proxy-oversized"),
        /** The v2 signature with a version other than 2. */
        UNKNOWN_VERSION("proxy-unknown-version"),
        /** No complete header within the deadline. */
        TIMEOUT("proxy-timeout"),
        /** A peer outside the trusted ({@code --proxy-from}) list. */
        UNTRUSTED("proxy-untrusted");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    static Refused refuse(Reason reason, String detail) {
        return new Refused(reason, detail);
    }
}
