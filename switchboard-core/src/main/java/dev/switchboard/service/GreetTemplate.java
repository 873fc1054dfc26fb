package dev.switchboard.service;

import dev.switchboard.client.Dialer;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * The text {@link Greet} sends, compiled once per server: literal parts are encoded up front,
 * so per connection only the placeholders are formatted (and a template without any is one
 * shared buffer). The message always ends with a newline.
 *
 * <p>Placeholders: {@code {remote} {remote_ip} {remote_port} {local} {local_ip} {local_port}};
 * escapes: {@code \n \r \t \\}. An unknown {@code {name}} is an error, so a typo shows at
 * start rather than on the wire.
 */
public final class GreetTemplate {

    /** What greet says when not told otherwise: the tutorial's line. */
    public static final String DEFAULT = "Hello, person from {remote}";

    /** One placeholder and how it is formatted from (local, remote). */
    enum Field {
        REMOTE((l, r) -> Dialer.hostPort(r)),
        REMOTE_IP((l, r) -> Dialer.hostAddress(r.getAddress())),
        REMOTE_PORT((l, r) -> Integer.toString(r.getPort())),
        LOCAL((l, r) -> Dialer.hostPort(l)),
        LOCAL_IP((l, r) -> Dialer.hostAddress(l.getAddress())),
        LOCAL_PORT((l, r) -> Integer.toString(l.getPort()));

        final BiFunction<InetSocketAddress, InetSocketAddress, String> format;

        Field(BiFunction<InetSocketAddress, InetSocketAddress, String> format) {
            this.format = format;
        }

        String placeholder() {
            return "{" + name().toLowerCase(java.util.Locale.ROOT) + "}";
        }
    }

    /** The compiled template: byte[] for literals, Field for placeholders. */
    private final List<Object> parts;
    private final ByteBuffer constant;

    private GreetTemplate(List<Object> parts) {
        this.parts = List.copyOf(parts);
        this.constant = parts.size() == 1 && parts.get(0) instanceof byte[] b
                ? ByteBuffer.wrap(b).asReadOnlyBuffer() : null;
    }

    /**
     * Compiles a template.
     *
     * @throws IllegalArgumentException naming the first unknown placeholder or bad escape
     */
    public static GreetTemplate parse(String template) {
        List<Object> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '\\' && i + 1 < template.length()) {
                char e = template.charAt(++i);
                literal.append(switch (e) {
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    case '\\' -> '\\';
                    default -> throw new IllegalArgumentException("unknown escape \\" + e
                            + " in greeting (known: \\n \\r \\t \\\\)");
                });
            } else if (c == '{' && template.indexOf('}', i) > i) {
                int end = template.indexOf('}', i);
                String name = template.substring(i, end + 1);
                Field field = Arrays.stream(Field.values()).filter(f -> f.placeholder().equals(name))
                        .findFirst().orElseThrow(() -> new IllegalArgumentException("unknown placeholder "
                                + name + " in greeting (known: " + known() + ")"));
                addLiteral(parts, literal);
                parts.add(field);
                i = end;
            } else {
                literal.append(c);
            }
        }
        literal.append('\n');
        addLiteral(parts, literal);
        return new GreetTemplate(parts);
    }

    private static void addLiteral(List<Object> parts, StringBuilder literal) {
        if (!literal.isEmpty()) {
            parts.add(literal.toString().getBytes(StandardCharsets.UTF_8));
            literal.setLength(0);
        }
    }

    private static String known() {
        return Arrays.stream(Field.values()).map(Field::placeholder).collect(Collectors.joining(" "));
    }

    /** The bytes for one connection; a fresh buffer (or a duplicate of the shared one). */
    public ByteBuffer render(InetSocketAddress local, InetSocketAddress remote) {
        if (constant != null) {
            return constant.duplicate();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        for (Object part : parts) {
            byte[] bytes = part instanceof byte[] b ? b
                    : ((Field) part).format.apply(local, remote).getBytes(StandardCharsets.US_ASCII);
            out.write(bytes, 0, bytes.length);
        }
        return ByteBuffer.wrap(out.toByteArray());
    }
}
