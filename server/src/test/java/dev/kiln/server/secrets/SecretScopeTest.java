package dev.kiln.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.TriggerRun;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.protocol.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A secret set for one repo serves that repo's builds only; a global one serves every build, after a repo's own. */
class SecretScopeTest {
    private static final String CONFIG = """
            steps:
              - secretEnv: [TOKEN]
                args: [sh, -c, 'echo "length $${#TOKEN}"']
            availableSecrets:
              secretManager:
                - versionName: projects/p/secrets/deploy-token/versions/latest
                  env: TOKEN
            """;

    @TempDir Path tmp;
    TestServer kiln;

    @AfterEach
    void stop() {
        if (kiln != null) {
            kiln.close();
        }
    }

    /**
     * Steps of two builds run at once as the same build user: the one without the secret looks for
     * the other's variable in every process /proc shows it, while the other waits for it to look.
     */
    @Test
    void a_step_of_another_build_running_at_once_cannot_read_the_secret_through_proc() throws Exception {
        dev.kiln.server.support.Requirements.root();
        TestServer.reachable(tmp);
        kiln = TestServer.start(dev.kiln.server.KilnServer.Config.defaults(tmp.resolve("data")).withPort(0)
                .withLease(Duration.ofSeconds(3), Duration.ofMillis(500)).withLocalAgentMaxBuilds(2));
        kiln.api.setSecret("deploy-token", null, "a-secret-value-from-proc".getBytes(StandardCharsets.UTF_8));
        Path meet = Files.createDirectories(tmp.resolve("meet"));
        Files.setPosixFilePermissions(meet, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        String holder = """
                steps:
                  - secretEnv: [TOKEN]
                    args: [sh, -c, 'touch %1$s/holding; i=0; while [ ! -f %1$s/looked ] && [ $$i -lt 600 ]; do sleep 0.1; i=$$((i+1)); done; echo held']
                availableSecrets:
                  secretManager:
                    - versionName: deploy-token
                      env: TOKEN
                """.formatted(meet);
        String looker = """
                steps:
                  - args: [sh, -c, 'i=0; while [ ! -f %1$s/holding ] && [ $$i -lt 600 ]; do sleep 0.1; i=$$((i+1)); done; n=0; leak=no; for e in /proc/[0-9]*/environ; do n=$$((n+1)); if tr "\\0" "\\n" < $$e 2>/dev/null | grep -q "^TOKEN="; then leak=yes; fi; done; echo "processes seen $$n, leak $$leak"; touch %1$s/looked']
                """.formatted(meet);
        BuildView held = kiln.submit(TestServer.repo(tmp.resolve("holder"), Map.of("build.yaml", holder)));
        BuildView looked = kiln.submit(TestServer.repo(tmp.resolve("looker"), Map.of("build.yaml", looker)));

        assertThat(kiln.awaitEnd(looked.id(), Duration.ofSeconds(90)).status()).isEqualTo(Status.SUCCESS);
        assertThat(kiln.awaitEnd(held.id(), Duration.ofSeconds(90)).status()).isEqualTo(Status.SUCCESS);
        assertThat(kiln.logText(held.id(), 0)).contains("held");
        assertThat(kiln.logText(looked.id(), 0)).as("the looker ran while the holder held the secret")
                .contains("processes seen ", "leak no").doesNotContain("leak yes");
    }

    @Test
    void a_secret_of_repo_a_is_never_given_to_a_build_of_repo_b() throws Exception {
        GitCli git = GitCli.in(tmp);
        kiln = TestServer.start(tmp.resolve("data"));
        for (String repo : List.of("model-a", "model-b")) {
            Path origin = Files.createDirectories(tmp.resolve(repo + ".git"));
            git.run(origin, "init", "-q", "--bare", "-b", "main");
            Path work = git.init(tmp.resolve(repo), "main");
            git.commit(work, "config", Map.of("build.yaml", CONFIG));
            git.run(work, "push", "-q", origin.toString(), "main");
            kiln.api.createRepo(new RepoRequest(repo, "file://" + origin, null, null, null));
            kiln.api.createTrigger(new TriggerView(repo + "-main", repo, "^main$", null, false, null, List.of(), List.of(),
                    Map.of(), true, null, false, false, false, null, null));
        }
        kiln.api.setSecret("deploy-token", "model-a", "sixteen-chars-aa".getBytes(StandardCharsets.UTF_8));

        BuildView a = run("model-a");
        assertThat(a.status()).as(a.statusDetail()).isEqualTo(Status.SUCCESS);
        assertThat(kiln.logText(a.id(), 0)).isEqualTo("length 16\n");
        BuildView b = run("model-b");
        assertThat(b.status()).isEqualTo(Status.FAILURE);
        assertThat(b.statusDetail()).startsWith("secret deploy-token does not exist for builds of repo model-b");
        assertThat(b.steps()).allSatisfy(s -> assertThat(s.startTime()).isNull());

        kiln.api.setSecret("deploy-token", null, "a-global-value-of-25-chars".substring(0, 25).getBytes(StandardCharsets.UTF_8));
        BuildView b2 = run("model-b");
        assertThat(b2.status()).as(b2.statusDetail()).isEqualTo(Status.SUCCESS);
        assertThat(kiln.logText(b2.id(), 0)).as("the global one").isEqualTo("length 25\n");
        BuildView a2 = run("model-a");
        assertThat(kiln.logText(a2.id(), 0)).as("the repo's own wins").isEqualTo("length 16\n");
    }

    private BuildView run(String repo) throws Exception {
        BuildView b = kiln.api.runTrigger(repo + "-main", new TriggerRun("main", null, null, Map.of()));
        return kiln.awaitEnd(b.id(), Duration.ofSeconds(60));
    }
}
