package dev.switchboard.cli;

import dev.switchboard.server.ConnectionHandler;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A stand-in catalogue for serve's tests until the real services are merged: greet and echo,
 * written as plain handlers. Test code only.
 */
final class TestServices {

    private TestServices() {
    }

    private static final ConnectionHandler ECHO = c -> {
        ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
        while (c.read(buf) >= 0) {
            buf.flip();
            c.write(buf);
            buf.clear();
        }
    };

    static final ServiceCatalog CATALOG = request -> switch (request.name()) {
        case "greet" -> greet(request.message());
        case "echo" -> ECHO;
        default -> throw Failure.usage("unknown service: '" + request.name() + "'");
    };

    private static ConnectionHandler greet(String template) {
        return c -> {
            String remote = c.remote().getAddress().getHostAddress() + ":" + c.remote().getPort();
            String text = template == null ? "Hello, person from " + remote : template.replace("{remote}", remote);
            c.write(ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8)));
        };
    }
}
