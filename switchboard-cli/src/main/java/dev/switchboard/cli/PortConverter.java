package dev.switchboard.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A TCP port: 0 to 65535 (0 asks the system for a free one where that makes sense). */
public final class PortConverter implements ITypeConverter<Integer> {

    @Override
    public Integer convert(String value) {
        if (!value.matches("\\d{1,5}") || Integer.parseInt(value) > 65535) {
            throw new TypeConversionException("'" + value + "' is not a port (0 to 65535)");
        }
        return Integer.parseInt(value);
    }
}
