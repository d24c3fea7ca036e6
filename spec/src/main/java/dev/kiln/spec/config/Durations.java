package dev.kiln.spec.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses Cloud Build durations: {@code 600s}, {@code 1.5s}, {@code 10m}, {@code 2h}, {@code 250ms}. */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d{1,9}(?:\\.\\d{1,9})?)(ms|s|m|h)");

    private Durations() {}

    /** Empty when the text is not a duration of that form or is zero. */
    public static Optional<Duration> parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        BigDecimal amount = new BigDecimal(m.group(1));
        BigDecimal millisPerUnit = switch (m.group(2)) {
            case "ms" -> BigDecimal.ONE;
            case "s" -> BigDecimal.valueOf(1_000);
            case "m" -> BigDecimal.valueOf(60_000);
            default -> BigDecimal.valueOf(3_600_000);
        };
        long millis = amount.multiply(millisPerUnit).longValue();
        return millis <= 0 ? Optional.empty() : Optional.of(Duration.ofMillis(millis));
    }

    /** The form Cloud Build prints: seconds with up to three decimals. */
    public static String format(Duration d) {
        return BigDecimal.valueOf(d.toMillis()).movePointLeft(3).stripTrailingZeros().toPlainString() + "s";
    }
}
