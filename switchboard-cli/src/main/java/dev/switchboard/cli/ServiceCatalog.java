package dev.switchboard.cli;

import dev.switchboard.model.ConcurrencyModel;
import dev.switchboard.server.ConnectionHandler;

/**
 * The seam between {@code serve} and the services: turns a {@link ServiceRequest} into the
 * handler the server runs, and makes the fork model (a child process per connection) for it.
 * {@link #BUILT_IN} is what {@code serve} uses; tests plug in their own.
 */
public interface ServiceCatalog {

    /**
     * The handler for this request.
     *
     * @throws Failure a usage failure (exit 2) for an unknown service or options it can't take
     */
    ConnectionHandler handlerFor(ServiceRequest request);

    /** The model for {@code --model fork}: the same service in a child process per connection. */
    default ConcurrencyModel forkModel(ServiceRequest request) {
        throw Failure.usage("--model fork is not available for '" + request.name() + "'");
    }

    /** The built-in services: greet, echo, discard, chargen, daytime, time, exec. */
    ServiceCatalog BUILT_IN = BuiltInServices.DEFAULTS;
}
