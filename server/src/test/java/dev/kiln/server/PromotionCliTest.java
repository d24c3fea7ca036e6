package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kiln.server.promotion.Promotion;
import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.PromotionRepo;
import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.PromotionView;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.promotion.Gate;
import dev.kiln.spec.protocol.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln repos set-policy}, {@code kiln promotions} and {@code kiln models} as users type them,
 * each command in its own JVM against a real server, a real hosted repo, real pushes and real builds:
 * dana (developer) pushes, alice and bob (approvers) decide. Commands that do not depend on each
 * other run at once, to keep the JVM launches few and short.
 */
class PromotionCliTest {
    static final String CONFIG = """
            steps:
              - id: evaluate
                args: [sh, -c, 'echo "::metric accuracy=$(cat acc.txt)"; echo "::metric latency_p95_ms=120"; cp acc.txt model.pkl']
                artifacts: [model.pkl]
            """;
    static final String[] GATES = {"accuracy >= 0.80", "accuracy >= production - 0.01", "latency_p95_ms <= production * 1.10"};

    @TempDir Path tmp;
    PromotionRepo repo;
    TestServer kiln;
    GitCli git;
    Path work;
    final Map<String, String> tokens = new HashMap<>();

    @BeforeEach
    void start() throws Exception {
        repo = PromotionRepo.start(tmp);
        kiln = repo.kiln;
        git = repo.git;
        work = repo.work;
        tokens.putAll(repo.tokens);
    }

    @AfterEach
    void stop() {
        if (kiln != null) {
            kiln.close();
        }
    }

    /** Starts {@code kiln ARGS} as {@code user}. */
    private KilnProcess as(String user, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", kiln.server.url(), "--token", tokens.get(user)));
        return KilnProcess.start(tmp.resolve("home"), all.toArray(String[]::new));
    }

    /** What {@code p} printed, once it ended with {@code exit}; never a stack trace. */
    private static String ended(KilnProcess p, int exit) throws Exception {
        assertThat(p.awaitExit(Duration.ofSeconds(60))).as(p.output()).isEqualTo(exit);
        assertThat(p.output()).doesNotContain("Exception").doesNotContain("\tat ");
        return p.output();
    }

    private String setPolicy() throws Exception {
        List<String> args = new ArrayList<>(List.of("repos", "set-policy", "churn", "--from", "dev", "--to", "prod",
                "--require-approval", "--approvals", "1", "--prevent-self-approval", "--expires", "7d"));
        for (String g : GATES) {
            args.addAll(List.of("--gate", g));
        }
        return ended(as("admin", args.toArray(String[]::new)), 0);
    }

    /** Commits {@code accuracy} to dev, pushes it, waits for its build and the promotion it opened; returns that. */
    private Promotion pushDev(String accuracy) throws Exception {
        String sha = git.commit(work, "accuracy " + accuracy, Map.of("build.yaml", CONFIG, "acc.txt", accuracy + "\n"));
        git.run(work, "push", "-q", "kiln", "dev");
        assertThat(awaitBuild("dev", sha).status()).isEqualTo(Status.SUCCESS);
        kiln.server.promotions().flush();
        Promotion p = kiln.server.promotions().promotions().list("churn", null, 1).get(0);
        assertThat(p.commitSha()).isEqualTo(sha);
        return p;
    }

    private BuildView awaitBuild(String branch, String sha) {
        return repo.awaitBuild(branch, sha);
    }

    /** Waits until {@code p} settles (prod's build ended and the flow saw it); returns its state then. */
    private Promotion.State shipped(Promotion p) {
        Promotion.State[] state = new Promotion.State[1];
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            kiln.server.promotions().flush();
            state[0] = kiln.server.promotions().promotions().get(p.id()).orElseThrow().state();
            return state[0].settled();
        });
        return state[0];
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    /** A line of a table: the cells in order, separated by the table's spaces. */
    private static Pattern row(String... cells) {
        return Pattern.compile("(?m)^\\s*" + String.join("\\s+", List.of(cells).stream().map(Pattern::quote).toList()) + "(\\s|$)");
    }

    @Test
    void set_policy_shows_its_gates_and_a_gate_that_cannot_be_read_is_refused_with_the_reason() throws Exception {
        String set = setPolicy();
        assertThat(set).contains("Set the promotion policy of repo [churn]:", "from: dev", "to: prod",
                "approval: 1 approval(s) by the approver role, not by the commit's author or the build's submitter",
                "expires: 7d", "updated: ").contains("by admin");

        String bad = "accuracy => 0.8";
        String reason = null;
        try {
            Gate.parse(bad);
        } catch (IllegalArgumentException e) {
            reason = e.getMessage();
        }
        assertThat(reason).startsWith("gate 'accuracy => 0.8' cannot be read");
        KilnProcess refused = as("admin", "repos", "set-policy", "churn", "--from", "dev", "--to", "prod",
                "--gate", "accuracy >= 0.5", "--gate", bad);
        KilnProcess show = as("dana", "repos", "policy", "churn");
        KilnProcess both = as("admin", "repos", "set-policy", "churn", "--from", "dev", "--to", "prod", "--no-approval",
                "--require-approval");
        assertThat(ended(refused, 1)).contains("ERROR: " + reason);
        String shown = ended(show, 0);
        for (String g : GATES) {
            assertThat(shown).contains("  - " + g + "\n");
        }
        assertThat(ended(both, 2)).contains("ERROR: --require-approval and --no-approval contradict each other");
        // Neither refusal touched the policy.
        assertThat(kiln.server.promotions().policy("churn").orElseThrow().view().gates()).containsExactly(GATES);
    }

    @Test
    void a_promotion_is_listed_described_approved_by_an_approver_only_registered_and_rolled_back() throws Exception {
        setPolicy();
        Promotion first = pushDev("0.90");
        assertThat(first.state()).isEqualTo(Promotion.State.AWAITING_APPROVAL);
        String id = first.id();

        KilnProcess list = as("dana", "promotions", "list", "--repo", "churn", "--state", "AWAITING_APPROVAL");
        KilnProcess describe = as("dana", "promotions", "describe", id);
        KilnProcess json = as("dana", "promotions", "describe", id, "--format", "json");
        KilnProcess byDeveloper = as("dana", "promotions", "approve", id, "--comment", "mine is fine");
        assertThat(ended(list, 0)).containsPattern(row(id, "churn", "dev -> prod", "AWAITING_APPROVAL",
                first.commitSha().substring(0, 12), "1/3 pass, 2 n/a", "0/1"));
        assertThat(ended(describe, 0)).contains("state: AWAITING_APPROVAL", "commit: " + first.commitSha(),
                        "production: first promotion: no production model yet", "accuracy: 0.9", "latency_p95_ms: 120",
                        "model.pkl", sha256("0.90\n"), "approvals: 0 of 1 by the approver role", "decisions: (none yet)")
                .containsPattern(row("GATE", "COMPARED WITH", "VALUE", "THRESHOLD", "PRODUCTION", "VERDICT", "FROM", "REASON"))
                .containsPattern(row("accuracy >= 0.80", "a number", "0.9", "0.8", "-", "PASS", "policy", "-"))
                .containsPattern(row("accuracy >= production - 0.01", "production's recorded value", "0.9", "-", "-",
                        "NOT_APPLICABLE", "policy"))
                .containsPattern(row("latency_p95_ms <= production * 1.10", "production's recorded value", "120", "-", "-",
                        "NOT_APPLICABLE", "policy"));
        PromotionView parsed = Json.read(ended(json, 0), new TypeReference<PromotionView>() {});
        assertThat(parsed.id()).isEqualTo(id);
        assertThat(parsed.gates()).hasSize(3);
        assertThat(ended(byDeveloper, 1)).contains("ERROR: this needs the approver role; dana has developer");
        assertThat(kiln.server.promotions().promotions().get(id).orElseThrow().state())
                .isEqualTo(Promotion.State.AWAITING_APPROVAL);

        String approved = ended(as("alice", "promotions", "approve", id, "--comment", "eval looks good"), 0);
        assertThat(approved).contains("Approved promotion [" + id + "] of repo [churn] (dev -> prod):",
                "commit: " + first.commitSha(), "accuracy=0.9", "latency_p95_ms=120", "State now PROMOTING");
        assertThat(shipped(first)).isEqualTo(Promotion.State.PROMOTED);

        KilnProcess models = as("dana", "models", "list");
        KilnProcess history = as("dana", "models", "history", "churn");
        KilnProcess production = as("dana", "models", "describe", "churn@production");
        KilnProcess done = as("dana", "promotions", "describe", id);
        String sha12 = first.commitSha().substring(0, 12);
        assertThat(ended(models, 0)).containsPattern(row("REPO", "VERSION", "COMMIT", "ENTERED", "METRICS", "APPROVERS"))
                .containsPattern("(?m)^churn\\s+v1\\s+" + sha12 + "\\s+\\S+\\s+accuracy=0.9 latency_p95_ms=120\\s+alice$");
        assertThat(ended(history, 0))
                .containsPattern("(?m)^v1\\s+yes\\s+" + sha12 + "\\s+\\S+\\s+-\\s+accuracy=0.9 latency_p95_ms=120\\s+alice\\s+-$");
        String prodBuild = kiln.server.promotions().promotions().get(id).orElseThrow().prodBuildId();
        assertThat(ended(production, 0)).contains("version: v1 (production)", "commit: " + first.commitSha(),
                        "prodBuild: " + prodBuild, "promotion: " + id, "leftProduction: - (production now)",
                        "APPROVE by alice at ", ": eval looks good")
                .containsPattern(row("model.pkl", "5 bytes", sha256("0.90\n")))
                .containsPattern(row("accuracy >= 0.80", "a number", "0.9", "0.8", "-", "PASS"));
        assertThat(ended(done, 0)).contains("state: PROMOTED", "prodBuild: " + prodBuild, "modelVersion: v1",
                "approvals: 1 of 1", "APPROVE by alice at ");

        // A second version: its gates compare with what v1 recorded.
        Promotion second = pushDev("0.91");
        assertThat(ended(as("dana", "promotions", "describe", second.id()), 0))
                .contains("production: v1 (what the gates compared with)")
                .containsPattern(row("accuracy >= production - 0.01", "production's recorded value", "0.91", "0.89", "0.9",
                        "PASS"))
                .containsPattern(row("latency_p95_ms <= production * 1.10", "production's recorded value", "120", "132",
                        "120", "PASS"));
        assertThat(ended(as("bob", "promotions", "approve", second.id()), 0)).contains("State now PROMOTING");
        assertThat(shipped(second)).isEqualTo(Promotion.State.PROMOTED);

        // Rolling back is a promotion of its own: rejected once, asked again, approved.
        KilnProcess badVersion = as("bob", "models", "rollback", "churn", "--to", "latest");
        String asked = ended(as("bob", "models", "rollback", "churn", "--to", "V1", "--comment", "v2 drifts"), 0);
        assertThat(ended(badVersion, 2)).contains("ERROR: --to must be a model version such as 3 or v3, not 'latest'");
        Promotion rollback = kiln.server.promotions().promotions().list("churn", null, 1).get(0);
        assertThat(rollback.kind()).isEqualTo(Promotion.Kind.ROLLBACK);
        assertThat(asked).contains("Asked to roll prod of repo [churn] back to v1 (commit " + first.commitSha()
                + "): promotion [" + rollback.id() + "] is AWAITING_APPROVAL", "kiln promotions approve " + rollback.id());
        assertThat(ended(as("alice", "promotions", "reject", rollback.id(), "--comment", "drift on tenure"), 0))
                .contains("Rejected promotion [" + rollback.id() + "] of repo [churn] (state now REJECTED)");

        ended(as("bob", "models", "rollback", "churn", "--to", "1"), 0);
        Promotion again = kiln.server.promotions().promotions().list("churn", null, 1).get(0);
        assertThat(ended(as("alice", "promotions", "approve", again.id()), 0))
                .contains("(rollback of prod to v1)", "commit: " + first.commitSha());
        assertThat(shipped(again)).isEqualTo(Promotion.State.PROMOTED);
        assertThat(ended(as("dana", "models", "history", "churn"), 0))
                .containsPattern("(?m)^v3\\s+yes\\s+" + sha12 + "\\s.*\\salice\\s+rollback to v1$")
                .containsPattern("(?m)^v2\\s+-\\s+" + second.commitSha().substring(0, 12) + "\\s+\\S+\\s+\\S+\\s+accuracy=0.91 ")
                .containsPattern("(?m)^v1\\s+-\\s+" + sha12 + "\\s");
    }
}
