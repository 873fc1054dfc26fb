package dev.switchboard.cli;

import picocli.CommandLine;

/** Reads an arrival rate: 1000/s, 1000, or 2.5k/s. */
final class Rates implements CommandLine.ITypeConverter<Double> {

    @Override
    public Double convert(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.endsWith("/s")) {
            t = t.substring(0, t.length() - 2);
        }
        double factor = 1;
        if (t.endsWith("k")) {
            factor = 1000;
            t = t.substring(0, t.length() - 1);
        }
        try {
            double v = Double.parseDouble(t) * factor;
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a rate (try 1000/s)");
        }
    }
}
