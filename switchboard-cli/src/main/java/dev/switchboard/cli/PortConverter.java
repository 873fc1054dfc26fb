package dev.switchboard.cli;

import picocli.CommandLine;

/**
 * Reads a TCP port number (0 to 65535) from the command line, rejecting anything else with a
 * message that names the bad value. Whether 0 ("any port") makes sense is the command's call.
 */
public final class PortConverter implements CommandLine.ITypeConverter<Integer> {

    @Override
    public Integer convert(String value) {
        return parse(value);
    }

    /** The port {@code value} names; a TypeConversionException if it is not one. */
    public static int parse(String value) {
        String v = value.strip();
        if (!digits(v)) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a port number (0-65535)");
        }
        int port = Integer.parseInt(v);
        if (port > 65535) {
            throw new CommandLine.TypeConversionException("port " + port + " is out of range (0-65535)");
        }
        return port;
    }

    /** Whether {@code value} is a port that can be called (1-65535), as {@link #parse} reads it. */
    static boolean isPort(String value) {
        String v = value.strip();
        if (!digits(v)) return false;
        int port = Integer.parseInt(v);
        return port > 0 && port <= 65535;
    }

    // A loop, not a stream: this runs in every one-shot's start-up.
    private static boolean digits(String v) {
        if (v.isEmpty() || v.length() > 5) return false;
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') return false;
        }
        return true;
    }
}
