package dev.switchboard.cli;

import dev.switchboard.server.Cidr;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** An address block for {@code --allow}/{@code --deny}: {@code 10.0.0.0/8}, {@code ::1}. */
public final class CidrConverter implements ITypeConverter<Cidr> {

    @Override
    public Cidr convert(String value) {
        try {
            return Cidr.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
