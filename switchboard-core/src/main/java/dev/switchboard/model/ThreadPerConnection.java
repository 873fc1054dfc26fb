package dev.switchboard.model;

/** A platform (kernel) thread per connection: the classic threaded server. */
public record ThreadPerConnection() implements ConcurrencyModel {

    @Override
    public String name() {
        return "threads";
    }

    @Override
    public void execute(Runnable connectionTask) {
        Thread.ofPlatform().name("conn-", 0).start(connectionTask);
    }
}
