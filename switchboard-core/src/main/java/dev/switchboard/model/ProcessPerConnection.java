package dev.switchboard.model;

import dev.switchboard.server.ConnectionHandler;
import java.util.List;

/**
 * The tutorial's forking server: a child process per connection. TODO(fork): the handler
 * returned by {@link #adapt} starts {@code childCommand} per connection and splices the socket
 * to its stdin/stdout; the parent side of each connection runs on a virtual thread.
 *
 * @param childCommand the program (and arguments) to run per connection
 */
public record ProcessPerConnection(List<String> childCommand) implements ConcurrencyModel {

    public ProcessPerConnection {
        childCommand = List.copyOf(childCommand);
    }

    @Override
    public String name() {
        return "fork";
    }

    @Override
    public void execute(Runnable connectionTask) {
        Thread.ofVirtual().name("conn-", 0).start(connectionTask);
    }

    @Override
    public ConnectionHandler adapt(ConnectionHandler handler) {
        throw new UnsupportedOperationException("fork model: not written yet");
    }
}
