package dev.switchboard.cli;

import dev.switchboard.model.ConcurrencyModel;
import dev.switchboard.model.ProcessPerConnection;
import dev.switchboard.server.ConnectionHandler;
import dev.switchboard.service.Exec;
import dev.switchboard.service.ProtocolHandler;
import dev.switchboard.service.Service;
import java.time.Duration;
import java.util.List;

/**
 * The catalogue behind {@code serve}: a built-in service by name (run through the one
 * {@link ProtocolHandler}), {@code exec -- PROGRAM}, and for {@code --model fork} the same
 * service in a child process per connection ({@code switchboard handle SERVICE} for the
 * built-ins, the program itself for exec).
 *
 * @param env         exec's extra environment ({@code NAME} or {@code NAME=VALUE})
 * @param idleTimeout stop a child that moves no byte for this long (null: leave it to the server)
 * @param childGrace  how long a child has between SIGTERM and SIGKILL
 */
record BuiltInServices(List<String> env, Duration idleTimeout, Duration childGrace) implements ServiceCatalog {

    static final BuiltInServices DEFAULTS = new BuiltInServices(List.of(), null, Exec.DEFAULT_GRACE);

    BuiltInServices {
        env = List.copyOf(env);
    }

    @Override
    public ConnectionHandler handlerFor(ServiceRequest request) {
        if (request.name().equals("exec")) {
            return exec(request);
        }
        Service service = service(request);
        try {
            return new ProtocolHandler(service.factory(Service.Options.message(request.message())));
        } catch (IllegalArgumentException badTemplate) {
            throw Failure.usage(badTemplate.getMessage());
        }
    }

    @Override
    public ConcurrencyModel forkModel(ServiceRequest request) {
        if (request.name().equals("exec")) {
            exec(request); // checks it
            return new ProcessPerConnection(List.of()); // exec is a child per connection already
        }
        Service service = service(request);
        handlerFor(request); // checks the template before any child is started
        // The child gets exec's chosen environment, not the server's: daytime answers in the
        // server's zone only if the child is told it (TZ; without it both read /etc/localtime).
        return new ProcessPerConnection(child(HandleCommand.childCommand(service, request.message()))
                .withEnv(List.of("TZ")));
    }

    private Service service(ServiceRequest request) {
        Service service = Service.named(request.name()).orElseThrow(() -> Failure.usage(
                "unknown service '" + request.name() + "' (known: " + Service.names() + ", exec)"));
        if (!request.command().isEmpty()) {
            throw Failure.usage(service.serviceName() + " runs no program (only exec does): unexpected '"
                    + request.command().get(0) + "'");
        }
        if (request.message() != null && service != Service.GREET) {
            throw Failure.usage("--message is greet's option, not " + service.serviceName() + "'s");
        }
        return service;
    }

    private Exec exec(ServiceRequest request) {
        if (request.command().isEmpty()) {
            throw Failure.usage("exec needs a program: serve exec -- PROGRAM [ARGS...]");
        }
        if (request.message() != null) {
            throw Failure.usage("--message is greet's option, not exec's");
        }
        try {
            return child(request.command());
        } catch (IllegalArgumentException e) {
            throw Failure.usage(e.getMessage());
        }
    }

    private Exec child(List<String> command) {
        return Exec.of(command).withEnv(env).withIdleTimeout(idleTimeout).withGrace(childGrace);
    }
}
