package dev.kiln.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.scheduler.MutableClock;
import org.junit.jupiter.api.Test;

/** The sliding window of failed sign-ins, on a clock the test moves. */
class LoginThrottleTest {
    final MutableClock clock = new MutableClock(1_000_000);
    final LoginThrottle throttle = new LoginThrottle(clock);
    final long window = LoginThrottle.WINDOW.toMillis();

    @Test
    void a_name_waits_until_its_oldest_counted_failure_leaves_the_window() {
        for (int i = 0; i < LoginThrottle.PER_USER; i++) {
            assertThat(throttle.blockedUntil("Dana", "10.0.0.1")).isZero();
            throttle.failed("dana", "10.0.0." + i);
            clock.advance(10_000);
        }
        long first = 1_000_000;
        assertThat(throttle.blockedUntil("DANA ", "10.0.0.9")).as("names are compared as typed in any case")
                .isEqualTo(first + window);
        clock.set(first + window);
        assertThat(throttle.blockedUntil("dana", "10.0.0.9")).isZero();
        // One more failure: blocked again until the second-oldest of the last five leaves the window.
        throttle.failed("dana", "10.0.0.9");
        assertThat(throttle.blockedUntil("dana", "10.0.0.9")).isEqualTo(first + 10_000 + window);
        throttle.succeeded("dana");
        assertThat(throttle.blockedUntil("dana", "10.0.0.9")).isZero();
    }

    @Test
    void an_address_is_held_after_many_names_and_a_success_does_not_free_it() {
        for (int i = 0; i < LoginThrottle.PER_ADDRESS; i++) {
            throttle.failed("name" + i, "192.0.2.7");
        }
        assertThat(throttle.blockedUntil("someone", "192.0.2.7")).isEqualTo(1_000_000 + window);
        assertThat(throttle.blockedUntil("someone", "192.0.2.8")).isZero();
        throttle.succeeded("someone");
        assertThat(throttle.blockedUntil("someone", "192.0.2.7")).isEqualTo(1_000_000 + window);
    }

    @Test
    void names_tried_long_ago_are_dropped_so_random_names_cannot_fill_memory() {
        for (int i = 0; i < 30_000; i++) {
            if (i % 5_000 == 0) {
                clock.advance(window + 1);   // everything tried before is stale now
            }
            throttle.failed("n" + i, "198.51.100." + (i % 200));
        }
        assertThat(throttle.size()).as("names and addresses tracked").isLessThanOrEqualTo(10_000 + 5_000 + 200 + 1);
    }
}
