package dev.kiln.server.triggers.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.triggers.Trigger;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** When scheduled triggers run, ticked by hand with chosen instants: no timer, no sleep. */
class ScheduledRunsTest {
    private final List<Trigger> triggers = new CopyOnWriteArrayList<>();
    private final List<String> ran = new ArrayList<>();

    private ScheduledRuns runs() {
        return new ScheduledRuns(() -> triggers, (t, tick) -> ran.add(t.name() + "@" + tick),
                Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
    }

    private static Trigger scheduled(String name, String cron, boolean enabled) {
        return new Trigger(name, "churn", "^main$", null, false, null, List.of(), List.of(), Map.of(), enabled, 0,
                false, false, false, cron, "main");
    }

    private static Instant at(String iso) {
        return Instant.parse(iso);
    }

    @Test
    void a_trigger_runs_at_each_tick_once_and_not_before() {
        triggers.add(scheduled("nightly", "0 3 * * *", true));
        triggers.add(scheduled("plain", null, true));
        ScheduledRuns runs = runs();
        assertThat(runs.tick(at("2030-01-01T02:59:59Z"))).isZero();
        assertThat(runs.tick(at("2030-01-01T02:59:59.999Z"))).isZero();
        assertThat(runs.tick(at("2030-01-01T03:00:00Z"))).isEqualTo(1);
        assertThat(runs.tick(at("2030-01-01T03:00:01Z"))).isZero();
        assertThat(runs.tick(at("2030-01-02T03:00:00.500Z"))).isEqualTo(1);
        assertThat(ran).containsExactly("nightly@2030-01-01T03:00:00Z", "nightly@2030-01-02T03:00:00Z");
    }

    @Test
    void ticks_missed_between_two_calls_run_once_and_those_before_a_start_are_skipped() {
        triggers.add(scheduled("nightly", "0 3 * * *", true));
        ScheduledRuns runs = runs();
        runs.tick(at("2030-01-01T00:00:00Z"));
        assertThat(runs.tick(at("2030-01-05T12:00:00Z"))).isEqualTo(1);   // four ticks passed: one run
        assertThat(ran).containsExactly("nightly@2030-01-01T03:00:00Z");

        ScheduledRuns restarted = runs();   // the server was down over the 6th's tick
        assertThat(restarted.tick(at("2030-01-06T03:30:00Z"))).isZero();
        assertThat(restarted.tick(at("2030-01-07T03:00:00Z"))).isEqualTo(1);
        assertThat(ran).last().isEqualTo("nightly@2030-01-07T03:00:00Z");
    }

    @Test
    void a_disabled_trigger_never_runs_and_enabled_again_waits_for_its_next_tick() {
        triggers.add(scheduled("nightly", "0 3 * * *", false));
        ScheduledRuns runs = runs();
        runs.tick(at("2030-01-01T00:00:00Z"));
        assertThat(runs.tick(at("2030-01-01T03:00:00Z"))).isZero();
        triggers.set(0, scheduled("nightly", "0 3 * * *", true));
        assertThat(runs.tick(at("2030-01-01T04:00:00Z"))).isZero();
        assertThat(runs.tick(at("2030-01-02T03:00:00Z"))).isEqualTo(1);
    }

    @Test
    void a_run_that_throws_is_logged_and_the_others_still_run() {
        triggers.add(scheduled("a", "*/5 * * * *", true));
        triggers.add(scheduled("b", "*/5 * * * *", true));
        ScheduledRuns runs = new ScheduledRuns(() -> triggers, (t, tick) -> {
            if (t.name().equals("a")) {
                throw new IllegalStateException("boom");
            }
            ran.add(t.name());
        }, Clock.systemUTC());
        runs.tick(at("2030-01-01T00:01:00Z"));
        runs.tick(at("2030-01-01T00:05:00Z"));
        assertThat(ran).containsExactly("b");
    }
}
