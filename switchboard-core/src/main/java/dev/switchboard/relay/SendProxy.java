package dev.switchboard.relay;

/** Whether a relay (or a client) announces the real caller to the upstream with a PROXY header. */
public enum SendProxy {
    /** Nothing is sent before the caller's bytes. */
    NONE,
    /** The text header: {@code PROXY TCP4 ...\r\n}. */
    V1,
    /** The binary header. */
    V2
}
