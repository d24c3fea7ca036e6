package dev.kiln.server.triggers.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The cron parser, as a table: when each expression next runs after a given instant (UTC), and why a bad one is refused. */
class CronTest {

    @ParameterizedTest(name = "{0} after {1} is {2}")
    @CsvSource(delimiter = '|', textBlock = """
            0 3 * * *            | 2030-01-01T02:59:00Z | 2030-01-01T03:00:00Z
            0 3 * * *            | 2030-01-01T03:00:00Z | 2030-01-02T03:00:00Z
            0 3 * * *            | 2030-01-01T03:00:59Z | 2030-01-02T03:00:00Z
            0 3 * * *            | 2030-12-31T03:00:00Z | 2031-01-01T03:00:00Z
            * * * * *            | 2030-12-31T23:59:30Z | 2031-01-01T00:00:00Z
            */15 * * * *         | 2030-01-01T00:14:00Z | 2030-01-01T00:15:00Z
            */15 * * * *         | 2030-01-01T23:46:00Z | 2030-01-02T00:00:00Z
            5/20 * * * *         | 2030-01-01T00:26:00Z | 2030-01-01T00:45:00Z
            0 9-17/4 * * *       | 2030-01-01T09:00:00Z | 2030-01-01T13:00:00Z
            0 9-17/4 * * *       | 2030-01-01T17:00:00Z | 2030-01-02T09:00:00Z
            0 0 1,15 * *         | 2030-01-02T00:00:00Z | 2030-01-15T00:00:00Z
            0 0 31 * *           | 2030-01-31T00:00:00Z | 2030-03-31T00:00:00Z
            0 0 30 * *           | 2030-01-30T00:00:00Z | 2030-03-30T00:00:00Z
            0 0 29 2 *           | 2030-01-01T00:00:00Z | 2032-02-29T00:00:00Z
            30 2 * * 1-5         | 2030-01-04T03:00:00Z | 2030-01-07T02:30:00Z
            0 0 * * 0            | 2030-01-01T00:00:00Z | 2030-01-06T00:00:00Z
            0 0 * * 7            | 2030-01-01T00:00:00Z | 2030-01-06T00:00:00Z
            0 0 * * sun          | 2030-01-01T00:00:00Z | 2030-01-06T00:00:00Z
            0 12 * jan-mar mon   | 2030-03-31T00:00:00Z | 2031-01-06T12:00:00Z
            0 0 13 * 5           | 2030-01-01T00:00:00Z | 2030-01-04T00:00:00Z
            0 0 13 * *           | 2030-01-01T00:00:00Z | 2030-01-13T00:00:00Z
            0 0 1 1 *            | 2030-06-15T12:00:00Z | 2031-01-01T00:00:00Z
            @daily               | 2030-02-28T00:00:00Z | 2030-03-01T00:00:00Z
            @hourly              | 2030-02-28T23:00:00Z | 2030-03-01T00:00:00Z
            @weekly              | 2030-01-01T00:00:00Z | 2030-01-06T00:00:00Z
            @monthly             | 2030-12-05T00:00:00Z | 2031-01-01T00:00:00Z
            @yearly              | 2030-12-05T00:00:00Z | 2031-01-01T00:00:00Z
            """)
    void next_run(String expr, String after, String expected) {
        if (expected.equals("never")) {
            assertThatThrownBy(() -> Cron.parse(expr)).isInstanceOf(IllegalArgumentException.class);
            return;
        }
        assertThat(Cron.parse(expr).next(Instant.parse(after))).contains(Instant.parse(expected));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            ''                 | an empty schedule never runs
            0 3 * *            | a schedule has 5 fields (minute hour day-of-month month day-of-week), '0 3 * *' has 4
            0 3 * * * *        | '0 3 * * * *' has 6
            60 * * * *         | minute: 60 is out of range 0-59
            * 24 * * *         | hour: 24 is out of range 0-23
            * * 0 * *          | day-of-month: 0 is out of range 1-31
            * * 32 * *         | day-of-month: 32 is out of range 1-31
            * * * 13 *         | month: 13 is out of range 1-12
            * * * * 8          | day-of-week: 8 is out of range 0-7
            */0 * * * *        | minute: step in '*/0' must be 1 or more
            5-1 * * * *        | minute: range '5-1' runs backwards
            1,,2 * * * *       | minute: '1,,2' has an empty item in its list
            x * * * *          | minute: value 'x' is not a number
            * * * foo *        | month: value 'foo' is not a number or one of JAN,FEB
            * * * * funday     | day-of-week: value 'funday' is not a number or one of SUN,MON
            0 0 30 2 *         | never runs: no month it names has the day of month it names
            0 0 31 4,6,9,11 *  | never runs
            @reboot            | @reboot has no meaning for a server
            -1 * * * *         | minute: value '' is not a number
            """)
    void refused_with_the_reason(String expr, String reason) {
        assertThatThrownBy(() -> Cron.parse(expr)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
    }
}
