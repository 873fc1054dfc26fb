package dev.switchboard.cli;

import java.util.BitSet;
import picocli.CommandLine;

/**
 * A set of ports written as a list of numbers and ranges, {@code 22,80,8000-8010}, as a scan
 * takes them; duplicates collapse and the ports come out in ascending order.
 */
record PortList(int[] ports) {

    /** Parses {@code spec}; a TypeConversionException names the first bad item. */
    static PortList parse(String spec) {
        BitSet set = new BitSet(65536);
        for (String item : spec.split(",", -1)) {
            int dash = item.indexOf('-');
            int low = port(dash < 0 ? item : item.substring(0, dash), spec);
            int high = dash < 0 ? low : port(item.substring(dash + 1), spec);
            if (high < low) {
                throw new CommandLine.TypeConversionException("range '" + item + "' runs backwards");
            }
            set.set(low, high + 1);
        }
        return new PortList(set.stream().toArray());
    }

    private static int port(String text, String spec) {
        if (text.isBlank()) {
            throw new CommandLine.TypeConversionException("'" + spec + "' is not a port list (example: 22,80,8000-8010)");
        }
        int port = PortConverter.parse(text);
        if (port == 0) {
            throw new CommandLine.TypeConversionException("port 0 cannot be connected to");
        }
        return port;
    }
}
