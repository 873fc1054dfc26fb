package dev.switchboard.bench;

/** What the load generator does on each connection, and so what its figure of merit is. */
public enum Mode {
    /** Connect, read until the server closes, close: connections per second. */
    GREET("conn/s"),
    /** Persistent connections send a message and wait for exactly it back: round trips per second. */
    ECHO("rtt/s"),
    /** Persistent connections write as fast as they can: megabytes (10^6) per second. */
    STREAM("MB/s"),
    /** Open connections and keep them open: how many the server holds at once. */
    HOLD("held");

    private final String unit;

    Mode(String unit) {
        this.unit = unit;
    }

    /** The unit of this mode's headline figure. */
    public String unit() {
        return unit;
    }

    /** Whether an operation has a latency worth a histogram (a connection or a round trip). */
    public boolean timed() {
        return this == GREET || this == ECHO;
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
