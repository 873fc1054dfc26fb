package dev.switchboard.cli;

import java.math.BigDecimal;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Reads a duration given in seconds, decimals allowed ({@code 5}, {@code 0.25}); zero and
 * negative values are rejected because "wait no time at all" is never what a timeout means.
 */
public final class SecondsConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        BigDecimal seconds;
        try {
            seconds = new BigDecimal(value.strip());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a number of seconds");
        }
        if (seconds.signum() <= 0 || seconds.compareTo(BigDecimal.valueOf(31_536_000)) > 0) {
            throw new CommandLine.TypeConversionException("'" + value + "' seconds is out of range (more than 0, at most a year)");
        }
        long nanos = seconds.movePointRight(9).longValue();
        if (nanos < 1_000_000) {
            throw new CommandLine.TypeConversionException("'" + value + "' seconds is under a millisecond");
        }
        return Duration.ofNanos(nanos);
    }

    /** The other way round, for messages: "5s", "0.25s". */
    public static String format(Duration d) {
        return BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros().toPlainString() + "s";
    }
}
