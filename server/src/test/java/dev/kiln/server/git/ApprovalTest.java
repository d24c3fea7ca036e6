package dev.kiln.server.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.RawHttp;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.StepView;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.protocol.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Triggers with {@code approvalRequired}, end to end with the real git CLI: a push makes a PENDING
 * build that no agent takes until someone approves it (then it runs) or rejects it (then it ends
 * CANCELLED, nothing run), through the API and through {@code kiln builds approve|reject}.
 */
class ApprovalTest {
    @TempDir Path tmp;
    TestServer kiln;
    GitCli git;
    Path work;

    @BeforeEach
    void start() throws Exception {
        git = GitCli.in(tmp);
        kiln = TestServer.start(tmp.resolve("data"));
        kiln.api.createRepo(new RepoRequest("churn", null, null, null, null));
        kiln.api.createTrigger(new TriggerView("gated", "churn", "^prod$", null, false, null, List.of(), List.of(),
                Map.of(), true, null, false, false, true, null, null));
        kiln.api.createTrigger(GitPushTest.branchTrigger("open", "^dev$"));
        work = git.init(tmp.resolve("work"), "prod");
        kiln.api.protectBranch("churn", "prod", false);   // the approval gate is tested here, not branch protection
        git.signIn(kiln).run(work, "remote", "add", "kiln", kiln.server.url() + "/git/churn.git");
        git.commit(work, "model", Map.of("build.yaml", "steps:\n  - args: [sh, -c, 'echo ran $SHORT_SHA']\n"));
    }

    @AfterEach
    void stop() {
        if (kiln != null) {
            kiln.close();
        }
    }

    /** Pushes prod, so the gated trigger makes its build, and returns it. */
    private BuildView pushGated() throws Exception {
        String out = git.run(work, "push", "kiln", "prod");
        BuildView b = kiln.api.list(1, null, null, "gated", null).get(0);
        assertThat(out).contains("gated: build " + b.id() + " waits for approval");
        return b;
    }

    /**
     * Proves the agent skipped the pending build: a build queued after it, on the same agent, runs to
     * its end while the pending one still waits (no sleep: the later build's end is the witness).
     */
    private void aLaterBuildRunsFirst() throws Exception {
        git.run(work, "push", "-q", "kiln", "prod:dev");
        BuildView open = kiln.api.list(1, null, null, "open", null).get(0);
        assertThat(kiln.awaitEnd(open.id(), Duration.ofSeconds(60)).status()).isEqualTo(Status.SUCCESS);
    }

    @Test
    void a_push_makes_a_pending_build_no_agent_takes_and_an_approval_runs_it_to_success() throws Exception {
        BuildView pending = pushGated();
        assertThat(pending.status()).isEqualTo(Status.PENDING);
        assertThat(pending.statusDetail()).contains("waiting for approval");
        aLaterBuildRunsFirst();
        assertThat(kiln.api.get(pending.id()).status()).isEqualTo(Status.PENDING);
        assertThat(kiln.api.get(pending.id()).startTime()).isNull();

        BuildView approved = kiln.api.approve(pending.id(), "looks good");
        assertThat(approved.approval().decision()).isEqualTo("APPROVED");
        assertThat(approved.approval().approver()).isEqualTo("admin");
        assertThat(approved.approval().comment()).isEqualTo("looks good");
        assertThat(approved.approval().time()).isNotNull();

        BuildView ended = kiln.awaitEnd(pending.id(), Duration.ofSeconds(60));
        assertThat(ended.status()).isEqualTo(Status.SUCCESS);
        assertThat(kiln.logText(pending.id(), 0)).contains("ran " + ended.commitSha().substring(0, 7));
        assertThat(ended.approval().decision()).isEqualTo("APPROVED");
    }

    @Test
    void a_rejected_build_ends_cancelled_with_nothing_run_and_the_rejection_recorded() throws Exception {
        BuildView pending = pushGated();
        BuildView rejected = kiln.api.reject(pending.id(), "not tonight");
        assertThat(rejected.status()).isEqualTo(Status.CANCELLED);
        assertThat(rejected.statusDetail()).isEqualTo("rejected by admin: not tonight");
        assertThat(rejected.approval()).extracting(a -> a.decision(), a -> a.approver(), a -> a.comment())
                .containsExactly("REJECTED", "admin", "not tonight");
        assertThat(rejected.steps()).extracting(StepView::status).containsOnly(Status.SKIPPED);
        assertThat(rejected.startTime()).isNull();
        assertThat(rejected.finishTime()).isNotNull();
        aLaterBuildRunsFirst();
        assertThat(kiln.api.get(pending.id()).status()).isEqualTo(Status.CANCELLED);
        assertThat(kiln.logText(pending.id(), 0)).isEmpty();
    }

    @Test
    void deciding_a_build_twice_or_one_that_never_waited_is_a_409_that_says_why() throws Exception {
        BuildView pending = pushGated();
        kiln.api.approve(pending.id(), null);
        assertThatThrownBy(() -> kiln.api.approve(pending.id(), "again")).isInstanceOfSatisfying(ApiClient.ApiException.class,
                e -> {
                    assertThat(e.error().status()).isEqualTo(409);
                    assertThat(e.error().message()).startsWith("cannot approve build " + pending.id()
                            + ": it is not waiting for approval (approved by admin at ");
                });
        assertThatThrownBy(() -> kiln.api.reject(pending.id(), null)).isInstanceOfSatisfying(ApiClient.ApiException.class,
                e -> assertThat(e.error().status()).isEqualTo(409));
        assertThat(kiln.awaitEnd(pending.id(), Duration.ofSeconds(60)).approval().decision()).isEqualTo("APPROVED");

        git.run(work, "push", "-q", "kiln", "prod:dev");
        BuildView open = kiln.api.list(1, null, null, "open", null).get(0);
        assertThatThrownBy(() -> kiln.api.approve(open.id(), null)).isInstanceOfSatisfying(ApiClient.ApiException.class,
                e -> assertThat(e.error().message()).contains("it is not waiting for approval (its status is"));
        RawHttp.Response unknown = RawHttp.send(kiln.server.port(), "POST", "/api/builds/nope/approve",
                Map.of("Authorization", "Bearer " + kiln.server.adminToken(), "Content-Type", "application/json"),
                "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(unknown.status()).isEqualTo(404);
        RawHttp.Response anonymous = RawHttp.send(kiln.server.port(), "POST", "/api/builds/" + open.id() + "/approve",
                Map.of(), new byte[0]);
        assertThat(anonymous.status()).isEqualTo(401);
    }

    @Test
    void a_pending_build_can_be_cancelled_and_then_no_longer_approved() throws Exception {
        BuildView pending = pushGated();
        BuildView cancelled = kiln.api.cancel(pending.id());
        assertThat(cancelled.status()).isEqualTo(Status.CANCELLED);
        assertThat(cancelled.statusDetail()).isEqualTo("cancelled while waiting for approval");
        assertThatThrownBy(() -> kiln.api.approve(pending.id(), null)).isInstanceOfSatisfying(ApiClient.ApiException.class,
                e -> assertThat(e.error().status()).isEqualTo(409));
    }

    @Test
    void a_retry_of_an_approved_or_rejected_build_waits_for_approval_again() throws Exception {
        BuildView approved = pushGated();
        kiln.api.approve(approved.id(), "ship it");
        assertThat(kiln.awaitEnd(approved.id(), Duration.ofSeconds(60)).status()).isEqualTo(Status.SUCCESS);
        BuildView again = kiln.api.retry(approved.id());
        assertThat(again.status()).isEqualTo(Status.PENDING);
        assertThat(again.approval()).isNull();
        aLaterBuildRunsFirst();
        assertThat(kiln.api.get(again.id()).status()).isEqualTo(Status.PENDING);

        BuildView cancelled = kiln.api.cancel(again.id());
        assertThat(kiln.api.retry(cancelled.id()).status()).isEqualTo(Status.PENDING);
    }

    @Test
    void triggers_run_of_a_gated_trigger_waits_for_approval_too() throws Exception {
        git.run(work, "push", "-q", "kiln", "prod");
        BuildView manual = kiln.api.runTrigger("gated", new dev.kiln.spec.api.TriggerRun("prod", null, null, Map.of()));
        assertThat(manual.status()).isEqualTo(Status.PENDING);
        assertThat(kiln.api.trigger("gated").approvalRequired()).isTrue();
    }

    private KilnProcess cli(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", kiln.server.url(), "--token", kiln.server.adminToken()));
        return KilnProcess.start(tmp, all.toArray(String[]::new));
    }

    @Test
    void kiln_builds_approve_and_reject_decide_from_the_command_line() throws Exception {
        BuildView first = pushGated();
        git.commit(work, "second", Map.of("data.txt", "2\n"));
        BuildView second = pushGated();

        KilnProcess approve = cli("builds", "approve", first.id(), "--comment", "ship it");
        assertThat(approve.awaitExit(Duration.ofSeconds(60))).as(approve.output()).isZero();
        assertThat(approve.output()).contains("Approved build [" + first.id() + "]");
        KilnProcess reject = cli("builds", "reject", second.id(), "--comment", "wrong data");
        assertThat(reject.awaitExit(Duration.ofSeconds(60))).as(reject.output()).isZero();
        assertThat(reject.output()).contains("Rejected build [" + second.id() + "] (status now CANCELLED)");

        assertThat(kiln.awaitEnd(first.id(), Duration.ofSeconds(60)).status()).isEqualTo(Status.SUCCESS);
        KilnProcess describe = cli("builds", "describe", second.id());
        assertThat(describe.awaitExit(Duration.ofSeconds(60))).isZero();
        assertThat(describe.output()).contains("status: CANCELLED", "approval: REJECTED by admin", ": wrong data");

        KilnProcess twice = cli("builds", "approve", first.id());
        assertThat(twice.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
        assertThat(twice.output()).contains("not waiting for approval").doesNotContain("Exception", "\tat ");

        KilnProcess gate = cli("triggers", "create", "gate2", "--repo", "churn", "--branch", "^x$", "--approval-required");
        assertThat(gate.awaitExit(Duration.ofSeconds(60))).as(gate.output()).isZero();
        assertThat(kiln.api.trigger("gate2").approvalRequired()).isTrue();
    }
}
