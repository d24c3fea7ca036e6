package dev.kiln.server.triggers.schedule;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A UNIX cron expression, as crontab(5) and Cloud Scheduler read it, always in UTC (no daylight
 * saving, so no hour runs twice or never): five fields, minute (0-59), hour (0-23), day of month
 * (1-31), month (1-12 or JAN-DEC) and day of week (0-7 or SUN-SAT, 0 and 7 both Sunday). A field is
 * a comma list of {@code *}, {@code N}, {@code A-B}, each with an optional {@code /STEP}. When both
 * day fields are restricted (neither starts with {@code *}), a day matches if either does, as in
 * Vixie cron. {@code @yearly}, {@code @monthly}, {@code @weekly}, {@code @daily}, {@code @hourly}
 * are shorthands. Written here (a small parser, no library) so that its rules are exactly these.
 */
public final class Cron {
    private static final Map<String, String> MACROS = Map.of("@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *");
    private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP",
            "OCT", "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
    /** No valid expression waits longer than this between runs (29 February comes at least every 8 years). */
    private static final int MAX_YEARS = 9;

    /** One of the five fields: its name, range and the names it takes (offset by {@code min}). */
    private record Field(String name, int min, int max, List<String> names) {}

    private static final Field MINUTE = new Field("minute", 0, 59, List.of());
    private static final Field HOUR = new Field("hour", 0, 23, List.of());
    private static final Field DAY = new Field("day-of-month", 1, 31, List.of());
    private static final Field MONTH = new Field("month", 1, 12, MONTHS);
    private static final Field WEEKDAY = new Field("day-of-week", 0, 7, DAYS);

    private final String text;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet days;
    private final BitSet months;
    private final BitSet weekdays;
    private final boolean daysRestricted;
    private final boolean weekdaysRestricted;

    private Cron(String text, BitSet[] f, boolean daysRestricted, boolean weekdaysRestricted) {
        this.text = text;
        this.minutes = f[0];
        this.hours = f[1];
        this.days = f[2];
        this.months = f[3];
        this.weekdays = f[4];
        this.daysRestricted = daysRestricted;
        this.weekdaysRestricted = weekdaysRestricted;
    }

    /** Parses {@code text}; throws IllegalArgumentException saying which field is wrong and why. */
    public static Cron parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("an empty schedule never runs; give 5 fields such as '0 3 * * *'");
        }
        String expr = text.strip();
        if (expr.startsWith("@")) {
            String macro = MACROS.get(expr.toLowerCase(Locale.ROOT));
            if (macro == null) {
                throw new IllegalArgumentException("'" + expr + "' is not one of " + String.join(", ",
                        MACROS.keySet().stream().sorted().toList()) + " (@reboot has no meaning for a server)");
            }
            expr = macro;
        }
        String[] parts = expr.split("\\s+");
        if (parts.length != 5) {
            throw new IllegalArgumentException("a schedule has 5 fields (minute hour day-of-month month day-of-week),"
                    + " '" + text.strip() + "' has " + parts.length);
        }
        Field[] fields = {MINUTE, HOUR, DAY, MONTH, WEEKDAY};
        BitSet[] sets = new BitSet[5];
        for (int i = 0; i < 5; i++) {
            sets[i] = field(fields[i], parts[i]);
        }
        if (sets[4].get(7)) {
            sets[4].set(0);   // 7 is Sunday too
            sets[4].clear(7);
        }
        Cron cron = new Cron(text.strip(), sets, !parts[2].startsWith("*"), !parts[4].startsWith("*"));
        if (!cron.weekdaysRestricted && !cron.anyDayExists()) {
            throw new IllegalArgumentException("schedule '" + text.strip() + "' never runs: no month it names has"
                    + " the day of month it names");
        }
        return cron;
    }

    private static BitSet field(Field f, String text) {
        BitSet set = new BitSet();
        for (String item : text.split(",", -1)) {
            if (item.isEmpty()) {
                throw new IllegalArgumentException(f.name() + ": '" + text + "' has an empty item in its list");
            }
            String range = item;
            int step = 1;
            int slash = item.indexOf('/');
            if (slash >= 0) {
                range = item.substring(0, slash);
                step = number(f, item.substring(slash + 1), "step");
                if (step < 1) {
                    throw new IllegalArgumentException(f.name() + ": step in '" + item + "' must be 1 or more");
                }
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = f.min();
                to = f.max();
            } else {
                int dash = range.indexOf('-');
                from = value(f, dash < 0 ? range : range.substring(0, dash));
                // "5/15" is "5-max/15", as Vixie cron reads it.
                to = dash >= 0 ? value(f, range.substring(dash + 1)) : slash >= 0 ? f.max() : from;
                if (to < from) {
                    throw new IllegalArgumentException(f.name() + ": range '" + range + "' runs backwards");
                }
            }
            for (int v = from; v <= to; v += step) {
                set.set(v);
            }
        }
        return set;
    }

    private static int value(Field f, String s) {
        int named = f.names().indexOf(s.toUpperCase(Locale.ROOT));
        int v = named >= 0 ? named + (f == MONTH ? 1 : 0) : number(f, s, "value");
        if (v < f.min() || v > f.max()) {
            throw new IllegalArgumentException(f.name() + ": " + s + " is out of range " + f.min() + "-" + f.max());
        }
        return v;
    }

    private static int number(Field f, String s, String what) {
        if (s.isEmpty() || s.length() > 4 || !s.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException(f.name() + ": " + what + " '" + s + "' is not a number"
                    + (f.names().isEmpty() ? "" : " or one of " + String.join(",", f.names())));
        }
        return Integer.parseInt(s);
    }

    /** Whether some named month has some named day (31 February is refused at parse, it never comes). */
    private boolean anyDayExists() {
        int[] longest = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        for (int m = months.nextSetBit(1); m >= 0; m = months.nextSetBit(m + 1)) {
            if (days.nextSetBit(1) <= longest[m]) {
                return true;
            }
        }
        return false;
    }

    /** The first minute strictly after {@code after} that matches (UTC); empty only past {@value #MAX_YEARS} years. */
    public Optional<Instant> next(Instant after) {
        LocalDateTime t = LocalDateTime.ofInstant(after, ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        int lastYear = t.getYear() + MAX_YEARS;
        while (t.getYear() <= lastYear) {
            if (!months.get(t.getMonthValue())) {
                t = t.withDayOfMonth(1).withHour(0).withMinute(0).plusMonths(1);
            } else if (!dayMatches(t)) {
                t = t.withHour(0).withMinute(0).plusDays(1);
            } else if (!hours.get(t.getHour())) {
                t = t.withMinute(0).plusHours(1);
            } else if (!minutes.get(t.getMinute())) {
                t = t.plusMinutes(1);
            } else {
                return Optional.of(t.toInstant(ZoneOffset.UTC));
            }
        }
        return Optional.empty();
    }

    private boolean dayMatches(LocalDateTime t) {
        boolean day = days.get(t.getDayOfMonth());
        boolean weekday = weekdays.get(t.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : t.getDayOfWeek().getValue());
        if (daysRestricted && weekdaysRestricted) {
            return day || weekday;
        }
        return day && weekday;
    }

    @Override
    public String toString() {
        return text;
    }
}
