package dev.switchboard.model;

/**
 * The tutorial's first server: the accept loop handles each connection itself, one at a time,
 * first come first served; the next caller waits in the listen backlog until this one ends.
 */
public record Serial() implements ConcurrencyModel {

    @Override
    public String name() {
        return "serial";
    }

    @Override
    public void execute(Runnable connectionTask) {
        connectionTask.run();
    }
}
