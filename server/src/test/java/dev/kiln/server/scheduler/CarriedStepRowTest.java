package dev.kiln.server.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.store.Build;
import dev.kiln.server.store.StepRun;
import dev.kiln.spec.protocol.Status;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream no longer reads a step's row back after the agent's report: it applies the change the
 * report carries ({@link StepRun#started}, {@link StepRun#finished}) to the row it has. Here each
 * report goes to the real store, and the row a follower computes must be the row the store holds,
 * in the usual order and in the odd ones (a report sent twice, an end without a start, a start
 * after the end, a long detail).
 */
class CarriedStepRowTest {
    @TempDir java.nio.file.Path tmp;
    SchedulerFixture f;
    String id;
    StepRun followed;

    @BeforeEach
    void start() throws Exception {
        f = new SchedulerFixture(tmp);
        Build b = f.queue(3_600_000, null);
        id = b.id();
        followed = stored();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private StepRun stored() {
        return f.store.stepRun(id, 0).orElseThrow();
    }

    /** Applies the change to the followed row and checks it against the store's. */
    private void reported(boolean moved, boolean expectMoved, UnaryOperator<StepRun> how) {
        assertThat(moved).as("the store moved the row").isEqualTo(expectMoved);
        followed = how.apply(followed);
        assertThat(followed).isEqualTo(stored());
    }

    @Test
    void start_then_end_then_each_sent_again() {
        reported(f.store.stepStarted(id, 0, 100), true, r -> r.started(100));
        assertThat(followed.status()).isEqualTo(Status.WORKING);
        reported(f.store.stepStarted(id, 0, 150), false, r -> r.started(150));
        reported(f.store.stepFinished(id, 0, Status.SUCCESS, 0, 90L, 200, null), true,
                r -> r.finished(Status.SUCCESS, 0, 90L, 200, null));
        assertThat(followed.startTime()).as("the start already stored is kept").isEqualTo(100L);
        reported(f.store.stepFinished(id, 0, Status.FAILURE, 1, 90L, 300, "again"), false,
                r -> r.finished(Status.FAILURE, 1, 90L, 300, "again"));
        reported(f.store.stepStarted(id, 0, 400), false, r -> r.started(400));
        assertThat(followed.status()).isEqualTo(Status.SUCCESS);
    }

    @Test
    void an_end_without_a_start_takes_the_reports_start_and_a_long_detail_is_cut_alike() {
        String detail = "x".repeat(5_000);
        reported(f.store.stepFinished(id, 0, Status.FAILURE, 127, 50L, 60, detail), true,
                r -> r.finished(Status.FAILURE, 127, 50L, 60, detail));
        assertThat(followed.startTime()).isEqualTo(50L);
        assertThat(followed.statusDetail()).hasSize(2000).endsWith("...");
    }
}
