package dev.kiln.spec.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses Cloud Build durations: {@code 600s}, {@code 1.5s}, {@code 10m}, {@code 2h}, {@code 250ms}. */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d{1,9}(?:\\.\\d{1,9})?)(ms|s|m|h)");
    private static final Pattern LIFETIME = Pattern.compile("(\\d{1,6})([mhdw])");

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

    /**
     * Kiln's own lifetimes, as a token's or a promotion's expiry is written: {@code 90m}, {@code 12h},
     * {@code 30d}, {@code 2w}. Empty when the text is not of that form; its caller bounds it.
     */
    public static Optional<Duration> lifetime(String text) {
        Matcher m = LIFETIME.matcher(text.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        });
    }

    /** The form Cloud Build prints: seconds with up to three decimals. */
    public static String format(Duration d) {
        return BigDecimal.valueOf(d.toMillis()).movePointLeft(3).stripTrailingZeros().toPlainString() + "s";
    }
}
