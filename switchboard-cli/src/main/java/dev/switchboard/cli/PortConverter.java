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
        if (v.isEmpty() || v.length() > 5 || !v.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a port number (0-65535)");
        }
        int port = Integer.parseInt(v);
        if (port > 65535) {
            throw new CommandLine.TypeConversionException("port " + port + " is out of range (0-65535)");
        }
        return port;
    }
}
