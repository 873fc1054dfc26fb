package dev.switchboard.model;

/**
 * A virtual thread per connection: blocking code, as cheap per connection as an event loop's
 * bookkeeping. The default for handlers written as blocking code.
 */
public record VirtualThreadPerConnection() implements ConcurrencyModel {

    public VirtualThreadPerConnection {
        preparePoller();
    }

    /**
     * Starts the JDK's I/O poller for virtual threads now. It starts lazily, at the first
     * blocking read of any virtual thread, and needs file descriptors of its own: on a server
     * whose accept loop has just run out of descriptors, that first read would fail and every
     * virtual-thread connection with it (ServeDescriptorsIT found this). Initializing the class
     * needs no access to its members; a JDK without it has nothing to prepare.
     */
    static void preparePoller() {
        try {
            Class.forName("sun.nio.ch.Poller", true, null);
        } catch (ClassNotFoundException | LinkageError ignored) {
            // nothing to prepare, or it will fail later where the error can be reported
        }
    }

    @Override
    public String name() {
        return "virtual";
    }

    @Override
    public void execute(Runnable connectionTask) {
        Thread.ofVirtual().name("conn-", 0).start(connectionTask);
    }
}
