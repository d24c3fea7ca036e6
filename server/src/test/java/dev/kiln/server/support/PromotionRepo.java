package dev.kiln.server.support;

import dev.kiln.server.access.Role;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.TriggerView;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * What a promotion test starts from: a server hosting repo {@code churn} with a push trigger on
 * {@code dev} and one on {@code prod}, users dana (developer), alice and bob (approvers) with API
 * tokens ({@code admin}'s too), and a clone in {@code work} on branch dev that pushes as dana.
 */
public final class PromotionRepo {
    public final TestServer kiln;
    public final GitCli git;
    public final Path work;
    public final Map<String, String> tokens = new HashMap<>();

    private PromotionRepo(TestServer kiln, GitCli git, Path work) {
        this.kiln = kiln;
        this.git = git;
        this.work = work;
    }

    public static PromotionRepo start(Path tmp) throws Exception {
        GitCli git = GitCli.in(tmp);
        TestServer kiln = TestServer.start(tmp.resolve("data"));
        PromotionRepo r = new PromotionRepo(kiln, git, git.init(tmp.resolve("work"), "dev"));
        kiln.api.createRepo(new RepoRequest("churn", null, null, null, null));
        for (String branch : List.of("dev", "prod")) {
            kiln.api.createTrigger(new TriggerView(branch + "-push", "churn", "^" + branch + "$", null, false, null,
                    List.of(), List.of(), Map.of(), true, null));
        }
        for (var u : Map.of("dana", Role.DEVELOPER, "alice", Role.APPROVER, "bob", Role.APPROVER).entrySet()) {
            kiln.server.users().add(u.getKey(), u.getValue(), "a-long-password-" + u.getKey());
            r.tokens.put(u.getKey(), kiln.server.tokens().create(u.getKey(), "t", null, null));
        }
        r.tokens.put("admin", kiln.server.adminToken());
        git.signIn(kiln.server.url(), "dana", r.tokens.get("dana")).run(r.work, "remote", "add", "kiln",
                kiln.server.url() + "/git/churn.git");
        return r;
    }

    /** The build of {@code sha} on {@code branch} of churn, once it has ended. */
    public BuildView awaitBuild(String branch, String sha) {
        return awaitBuild(kiln, branch, sha);
    }

    /** The same on {@code kiln} (the server started again on the same data). */
    public BuildView awaitBuild(TestServer kiln, String branch, String sha) {
        BuildView[] found = new BuildView[1];
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            found[0] = kiln.api.list(20, "churn", branch, null, null).stream()
                    .filter(b -> sha.equals(b.commitSha())).findFirst().orElse(null);
            return found[0] != null && found[0].status().isFinal();
        });
        return found[0];
    }
}
