package dev.switchboard.cli;

import java.util.List;

/**
 * What the command line said about the service to run: its name and its own options. The
 * {@link ServiceCatalog} turns it into a handler.
 *
 * @param name    the service's name as typed ({@code greet}, {@code echo}, {@code exec}, ...)
 * @param message greet's {@code --message} template, or null for the default
 * @param command the words after {@code --}: exec's program and its arguments (else empty)
 */
public record ServiceRequest(String name, String message, List<String> command) {

    public ServiceRequest {
        command = List.copyOf(command);
    }
}
