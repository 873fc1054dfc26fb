package dev.switchboard.server;

import java.util.Map;

/**
 * The two ways a {@link ConnectionRecord} is written as one line: {@code key=value} pairs and
 * a JSON object, with the same fields in the same order. Anything that might come from a
 * caller is escaped (control and non-ASCII characters as escapes) and capped in length, so a
 * caller can never start a line of its own or forge a record.
 */
public enum RecordFormat {
    /** {@code event=close id=7 remote=127.0.0.1:40000 ... outcome=ok}; values with spaces are quoted. */
    KV,
    /** {@code {"event":"close","id":7,...}}: one object a line; counts are numbers. */
    JSON;

    /** The longest value written, in characters; longer ones end with "...". */
    public static final int MAX_VALUE = 200;

    /** The line (without a line break) for this record. */
    public String format(ConnectionRecord r) {
        Line line = new Line(this);
        line.text("event", r.event());
        line.number("id", r.id());
        line.text("remote", r.remote());
        line.text("local", r.local());
        line.text("service", r.service());
        line.text("model", r.model());
        if ("close".equals(r.event())) {
            line.number("in", r.in());
            line.number("out", r.out());
            line.number("ms", r.ms());
            line.text("outcome", r.outcome());
        }
        for (Map.Entry<String, String> f : r.fields().entrySet()) {
            line.text(f.getKey(), f.getValue());
        }
        return line.end();
    }

    /** Builds one line in either format. */
    private static final class Line {
        private final RecordFormat format;
        private final StringBuilder sb = new StringBuilder(160);
        private boolean first = true;

        Line(RecordFormat format) {
            this.format = format;
            if (format == JSON) sb.append('{');
        }

        void number(String key, long value) {
            key(key);
            sb.append(value);
        }

        void text(String key, String value) {
            key(key);
            String v = value == null ? "" : value;
            if (v.length() > MAX_VALUE) v = v.substring(0, MAX_VALUE) + "...";
            if (format == JSON || needsQuotes(v)) {
                sb.append('"');
                escape(v);
                sb.append('"');
            } else {
                sb.append(v);
            }
        }

        String end() {
            if (format == JSON) sb.append('}');
            return sb.toString();
        }

        private void key(String key) {
            if (!first) sb.append(format == JSON ? "," : " ");
            first = false;
            if (format == JSON) {
                sb.append('"').append(key).append("\":");
            } else {
                sb.append(key).append('=');
            }
        }

        private static boolean needsQuotes(String v) {
            if (v.isEmpty()) return true;
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c <= ' ' || c >= 0x7F || c == '"' || c == '\\') return true;
            }
            return false;
        }

        // Same escapes for both formats: they are valid JSON, and unambiguous in key=value.
        private void escape(String v) {
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (c < ' ' || c >= 0x7F) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
        }
    }
}
