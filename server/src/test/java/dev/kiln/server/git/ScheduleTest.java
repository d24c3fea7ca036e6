package dev.kiln.server.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.TestServer;
import dev.kiln.server.triggers.Trigger;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scheduled triggers end to end with a hosted repo and the real git CLI. The test ticks the
 * server's schedule itself with chosen instants; the schedule used ({@code 0 3 29 2 *}, 29 February
 * only) keeps the server's own once-a-second ticking from ever reaching a run during the test.
 */
class ScheduleTest {
    static final String LEAP = "0 3 29 2 *";

    @TempDir Path tmp;
    TestServer kiln;
    GitCli git;
    Path work;

    @BeforeEach
    void start() throws Exception {
        git = GitCli.in(tmp);
        kiln = TestServer.start(tmp.resolve("data"));
        kiln.api.createRepo(new RepoRequest("churn", null, null, null, null));
        work = git.init(tmp.resolve("work"), "main");
        git.signIn(kiln).run(work, "remote", "add", "kiln", kiln.server.url() + "/git/churn.git");
    }

    @AfterEach
    void stop() {
        if (kiln != null) {
            kiln.close();
        }
    }

    private static TriggerView trigger(String name, String branch, String schedule, String scheduleBranch) {
        return new TriggerView(name, "churn", branch, null, false, null, List.of(), List.of(), Map.of(), true, null,
                false, false, false, schedule, scheduleBranch);
    }

    /** Runs the server's schedule at its next tick for {@code name}, as its timer would at that instant. */
    private void tick(String name) throws Exception {
        var schedules = kiln.server.schedules();
        schedules.tick(Instant.now());   // notes the trigger's next tick, if the timer has not yet
        TriggerView v = kiln.api.trigger(name);
        Trigger t = new Trigger(v.name(), v.repo(), v.branch(), v.tag(), v.invertRegex(), v.config(), v.includedFiles(),
                v.ignoredFiles(), v.substitutions(), v.enabled(), 0, v.pullRequest(),
                v.commentControl(), v.approvalRequired(), v.schedule(), v.scheduleBranch());
        Instant due = schedules.nextRun(t).orElseThrow();
        assertThat(schedules.tick(due)).isEqualTo(1);
    }

    @Test
    void a_tick_builds_the_branch_head_with_no_new_commit_and_says_so() throws Exception {
        kiln.api.createTrigger(trigger("nightly", "^main$", LEAP, null));
        String sha = git.commit(work, "model", Map.of("build.yaml", "steps:\n  - args: [sh, -c, 'echo trained $SHORT_SHA']\n"));
        git.run(work, "push", "-q", "kiln", "main");
        BuildView pushed = kiln.api.list(1).get(0);
        assertThat(pushed.cause()).isEqualTo("push");
        kiln.awaitEnd(pushed.id(), Duration.ofSeconds(60));

        tick("nightly");

        BuildView scheduled = kiln.api.list(1).get(0);
        assertThat(scheduled.id()).isNotEqualTo(pushed.id());
        assertThat(scheduled).extracting(BuildView::cause, BuildView::commitSha, BuildView::ref, BuildView::trigger)
                .containsExactly("schedule", sha, "refs/heads/main", "nightly");
        assertThat(scheduled.causeDetail()).startsWith("scheduled run for ").endsWith(": no new commit since build "
                + pushed.id());
        assertThat(kiln.awaitEnd(scheduled.id(), Duration.ofSeconds(60)).status()).isEqualTo(Status.SUCCESS);
        assertThat(kiln.logText(scheduled.id(), 0)).contains("trained " + sha.substring(0, 7));

        String next = git.commit(work, "more data", Map.of("data.txt", "2\n"));
        git.run(work, "push", "-q", "kiln", "main:other");   // the branch head moves only on 'other'
        tick("nightly");
        assertThat(kiln.api.list(1).get(0).causeDetail()).endsWith("no new commit since build " + scheduled.id());
        git.run(work, "push", "-q", "kiln", "main");
        String pushedAgain = kiln.api.list(1).get(0).id();
        kiln.api.enableTrigger("nightly", false);
        kiln.api.enableTrigger("nightly", true);
        tick("nightly");
        BuildView third = kiln.api.list(1).get(0);
        assertThat(third.commitSha()).isEqualTo(next);
        assertThat(third.causeDetail()).endsWith("no new commit since build " + pushedAgain);
    }

    @Test
    void a_schedule_branch_names_the_head_a_wide_regex_cannot() throws Exception {
        kiln.api.createTrigger(trigger("train", "^release/.*", LEAP, "release/v1"));
        String sha = git.commit(work, "model", Map.of("build.yaml", "steps:\n  - args: [sh, -c, 'echo ok']\n"));
        git.run(work, "push", "-q", "kiln", "main:release/v1");
        tick("train");
        BuildView b = kiln.api.list(1).get(0);
        assertThat(b).extracting(BuildView::cause, BuildView::ref, BuildView::commitSha)
                .containsExactly("schedule", "refs/heads/release/v1", sha);
        assertThat(kiln.api.trigger("train").scheduleBranch()).isEqualTo("release/v1");
    }

    @Test
    void a_bad_schedule_or_one_without_a_single_branch_is_refused_with_the_reason() throws Exception {
        assertThatThrownBy(() -> kiln.api.createTrigger(trigger("t", "^main$", "0 25 * * *", null)))
                .isInstanceOfSatisfying(ApiClient.ApiException.class, e -> {
                    assertThat(e.error().status()).isEqualTo(400);
                    assertThat(e.error().message()).isEqualTo("schedule '0 25 * * *' is not a UNIX cron expression:"
                            + " hour: 25 is out of range 0-23");
                });
        assertThatThrownBy(() -> kiln.api.createTrigger(trigger("t", "^dev.*", "0 3 * * *", null)))
                .isInstanceOfSatisfying(ApiClient.ApiException.class, e -> assertThat(e.error().message())
                        .contains("a scheduled trigger builds the head of one branch"));
        assertThatThrownBy(() -> kiln.api.createTrigger(trigger("t", "^main$", null, "main")))
                .isInstanceOfSatisfying(ApiClient.ApiException.class, e -> assertThat(e.error().message())
                        .contains("scheduleBranch is for a scheduled trigger"));
        assertThat(kiln.api.triggers()).isEmpty();
        assertThat(kiln.api.createTrigger(trigger("esc", "^release-1\\.0$", "@daily", null)).scheduleBranch())
                .isEqualTo("release-1.0");
    }

    @Test
    void kiln_triggers_create_takes_a_schedule_and_refuses_a_bad_one() throws Exception {
        List<String> common = List.of("--server", kiln.server.url(), "--token", kiln.server.adminToken());
        KilnProcess ok = KilnProcess.start(tmp, concat(List.of("triggers", "create", "nightly", "--repo", "churn",
                "--branch", "^main$", "--schedule", "0 3 * * 1-5"), common));
        assertThat(ok.awaitExit(Duration.ofSeconds(60))).as(ok.output()).isZero();
        KilnProcess describe = KilnProcess.start(tmp, concat(List.of("triggers", "describe", "nightly"), common));
        assertThat(describe.awaitExit(Duration.ofSeconds(60))).isZero();
        assertThat(describe.output()).contains("schedule: 0 3 * * 1-5 (UTC), builds branch main");
        KilnProcess bad = KilnProcess.start(tmp, concat(List.of("triggers", "create", "bad", "--repo", "churn",
                "--branch", "^main$", "--schedule", "0 3 * *"), common));
        assertThat(bad.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
        assertThat(bad.output()).contains("ERROR: schedule '0 3 * *' is not a UNIX cron expression: a schedule has 5 fields")
                .doesNotContain("Exception");
    }

    private static String[] concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toArray(String[]::new);
    }
}
