package dev.switchboard.model;

/**
 * A virtual thread per connection: blocking code, as cheap per connection as an event loop's
 * bookkeeping. The default for handlers written as blocking code.
 */
public record VirtualThreadPerConnection() implements ConcurrencyModel {

    @Override
    public String name() {
        return "virtual";
    }

    @Override
    public void execute(Runnable connectionTask) {
        Thread.ofVirtual().name("conn-", 0).start(connectionTask);
    }
}
