package dev.kiln.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.access.Role;
import dev.kiln.server.promotion.Promotion;
import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.PolicyRequest;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A server hosting repo churn with a dev → prod policy, as the promotion pages' tests use it: dev
 * and prod triggers, users dana (developer), alice and bob (approvers), and a clone pushing as dana.
 */
final class PromotionSite implements AutoCloseable {
    static final String CONFIG = """
            steps:
              - id: evaluate
                args: [sh, -c, 'echo "::metric accuracy=$(cat acc.txt)"; cp acc.txt model.pkl']
                artifacts: [model.pkl]
            """;

    final TestServer kiln;
    final GitCli git;
    final Path work;

    PromotionSite(Path tmp, List<String> gates) throws Exception {
        git = GitCli.in(tmp);
        kiln = TestServer.start(tmp.resolve("data"));
        kiln.api.createRepo(new RepoRequest("churn", null, null, null, null));
        for (String branch : List.of("dev", "prod")) {
            kiln.api.createTrigger(new TriggerView(branch + "-push", "churn", "^" + branch + "$", null, false, null,
                    List.of(), List.of(), Map.of(), true, null));
        }
        for (var u : Map.of("dana", Role.DEVELOPER, "alice", Role.APPROVER, "bob", Role.APPROVER).entrySet()) {
            kiln.server.users().add(u.getKey(), u.getValue(), password(u.getKey()));
        }
        kiln.server.promotions().setPolicy("churn", new PolicyRequest("dev", "prod", true, 1, null, false, "7d", gates), "admin");
        work = git.init(tmp.resolve("work"), "dev");
        git.signIn(kiln.server.url(), "dana", kiln.server.tokens().create("dana", "t", null, null)).run(work, "remote", "add",
                "kiln", kiln.server.url() + "/git/churn.git");
    }

    static String password(String user) {
        return "a-long-password-" + user;
    }

    WebSession session(String user) throws Exception {
        return new WebSession(kiln.server.url()).signIn(user, password(user));
    }

    /** Commits {@code accuracy} to dev, pushes it, waits for its build and the promotion it opened. */
    Promotion pushDev(String accuracy) throws Exception {
        String sha = git.commit(work, "accuracy " + accuracy, Map.of("build.yaml", CONFIG, "acc.txt", accuracy + "\n"));
        git.run(work, "push", "-q", "kiln", "dev");
        assertThat(awaitBuild("dev", sha).status()).isEqualTo(Status.SUCCESS);
        kiln.server.promotions().flush();
        Promotion p = kiln.server.promotions().promotions().list("churn", null, 1).get(0);
        assertThat(p.commitSha()).isEqualTo(sha);
        return p;
    }

    BuildView awaitBuild(String branch, String sha) {
        BuildView[] found = new BuildView[1];
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            found[0] = kiln.api.list(20, "churn", branch, null, null).stream()
                    .filter(b -> sha.equals(b.commitSha())).findFirst().orElse(null);
            return found[0] != null && found[0].status().isFinal();
        });
        return found[0];
    }

    String prodHead() throws Exception {
        String out = git.run(work, "ls-remote", "kiln", "refs/heads/prod").strip();
        return out.isEmpty() ? null : out.split("\\s+")[0];
    }

    Promotion get(String id) {
        return kiln.server.promotions().promotions().get(id).orElseThrow();
    }

    @Override
    public void close() {
        kiln.close();
    }
}
