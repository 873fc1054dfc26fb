package dev.switchboard.server;

/**
 * Hears about each connection's life: once when it ends, always, and once when it opens.
 * The CLI prints the records; an embedding program may count or ship them. Called on the
 * connection's own thread (or the accept loop's), so it must be quick and must not throw.
 */
@FunctionalInterface
public interface ConnectionListener {

    /** Logs nothing: the library's default. */
    ConnectionListener NONE = record -> { };

    /** A connection ended (or was refused: denied, over-limit); called exactly once per connection. */
    void ended(ConnectionRecord record);

    /** A connection was accepted and is about to be handled. */
    default void opened(ConnectionRecord record) {
    }

    /**
     * Whether {@link #opened} wants records; when not, the server doesn't build them (a record
     * per accept is measurable at tens of thousands of connections a second).
     */
    default boolean hearsOpenings() {
        return true;
    }
}
