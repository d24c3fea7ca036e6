package dev.kiln.server.forge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.agent.client.ApiClient;
import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.RepoView;
import dev.kiln.spec.api.TriggerRun;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Commit statuses, end to end: a mirrored repo (a bare repo on disk, pushed to with the real git
 * CLI) with a forge configured, a build through its trigger, and the states Kiln posts. No GitHub,
 * GitLab or Gitea runs on this machine: the forge is a local HTTP recorder ({@link ForgeRecorder})
 * on loopback, and each request it saw is checked against that forge's documented API (method,
 * path, auth and accept headers, JSON body with state, target_url, description and context/name).
 */
class CommitStatusTest {
    @TempDir Path tmp;
    TestServer kiln;
    ForgeRecorder forge;
    String sha;
    Path origin;

    @BeforeEach
    void start() throws Exception {
        GitCli git = GitCli.in(tmp);
        origin = tmp.resolve("team/churn.git");
        Files.createDirectories(origin);
        git.run(origin, "init", "-q", "--bare", "-b", "dev");
        Path work = git.init(tmp.resolve("work"), "dev");
        sha = git.commit(work, "model", Map.of("build.yaml", "steps:\n  - args: [sh, -c, 'echo ok']\n"));
        git.run(work, "push", "-q", origin.toString(), "dev");
        kiln = TestServer.start(tmp.resolve("data"));
    }

    @AfterEach
    void stop() {
        if (kiln != null) {
            kiln.close();
        }
        if (forge != null) {
            forge.close();
        }
    }

    private Path tokenFile(String mode) throws Exception {
        Path f = tmp.resolve("token-" + mode);
        Files.writeString(f, "s3cret-token\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    private BuildView build(String kind, String project) throws Exception {
        kiln.api.createRepo(new RepoRequest("churn", "file://" + origin, null, null, null, null, kind, forge.url(), project,
                tokenFile("rw-------").toString()));
        kiln.api.createTrigger(new TriggerView("dev-push", "churn", "^dev$", null, false, null, List.of(), List.of(),
                Map.of(), true, null));
        BuildView b = kiln.api.runTrigger("dev-push", new TriggerRun("dev", null, null, Map.of()));
        assertThat(kiln.awaitEnd(b.id(), Duration.ofSeconds(60)).status()).isEqualTo(Status.SUCCESS);
        return b;
    }

    @ParameterizedTest
    @ValueSource(strings = {"github", "gitlab", "gitea"})
    void each_forge_gets_pending_then_success_as_its_api_documents(String kind) throws Exception {
        forge = new ForgeRecorder(n -> 201);
        String project = kind.equals("gitlab") ? "team/sub/churn" : "team/churn";
        BuildView b = build(kind, project);
        await().atMost(Duration.ofSeconds(30)).until(() -> !forge.requests.isEmpty()
                && state(forge.requests.get(forge.requests.size() - 1)).equals("success"));

        String link = kiln.server.url() + "/builds/" + b.id();
        List<String> states = forge.requests.stream().map(CommitStatusTest::state).toList();
        assertThat(states.get(0)).isIn("pending", "running");
        assertThat(states).last().isEqualTo("success");
        for (ForgeRecorder.Request r : forge.requests) {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.headers()).containsEntry("content-type", "application/json");
            JsonNode body = Json.MAPPER.readTree(r.body());
            assertThat(body.get("target_url").asText()).isEqualTo(link);
            assertThat(body.get("description").asText()).startsWith("Kiln: ");
            switch (kind) {
                case "github" -> {
                    assertThat(r.rawPath()).isEqualTo("/repos/team/churn/statuses/" + sha);
                    assertThat(r.headers()).containsEntry("authorization", "Bearer s3cret-token")
                            .containsEntry("accept", "application/vnd.github+json");
                    assertThat(body.get("context").asText()).isEqualTo("kiln/dev-push");
                    assertThat(body.get("state").asText()).isIn("pending", "success");
                }
                case "gitlab" -> {
                    assertThat(r.rawPath()).isEqualTo("/api/v4/projects/team%2Fsub%2Fchurn/statuses/" + sha);
                    assertThat(r.headers()).containsEntry("private-token", "s3cret-token").doesNotContainKey("authorization");
                    assertThat(body.get("name").asText()).isEqualTo("kiln/dev-push");
                    assertThat(body.get("state").asText()).isIn("pending", "running", "success");
                }
                default -> {
                    assertThat(r.rawPath()).isEqualTo("/api/v1/repos/team/churn/statuses/" + sha);
                    assertThat(r.headers()).containsEntry("authorization", "token s3cret-token");
                    assertThat(body.get("context").asText()).isEqualTo("kiln/dev-push");
                    assertThat(body.get("state").asText()).isIn("pending", "success");
                }
            }
        }
        RepoView repo = kiln.api.repo("churn");
        assertThat(repo.forge()).isEqualTo(kind);
        assertThat(repo.lastStatusError()).isNull();
        assertThat(repo.lastStatusTime()).isNotNull();
        assertThat(Json.MAPPER.writeValueAsString(repo)).doesNotContain("s3cret", "token-rw");
    }

    private static String state(ForgeRecorder.Request r) {
        try {
            return Json.MAPPER.readTree(r.body()).get("state").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void a_forge_that_refuses_every_post_does_not_fail_the_build_and_the_repo_shows_why() throws Exception {
        forge = new ForgeRecorder(n -> 403);
        build("github", null);   // the project comes from the mirror's path: team/churn
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(forge.requests).extracting(CommitStatusTest::state).contains("success");
            assertThat(kiln.api.repo("churn").lastStatusError()).contains("github status success of " + sha.substring(0, 7))
                    .contains("POST /repos/team/churn/statuses/" + sha + " answered HTTP 403");
        });
        assertThat(kiln.api.repo("churn").lastStatusError()).doesNotContain("s3cret");
    }

    @Test
    void a_token_file_others_may_read_or_a_hosted_repo_with_a_forge_is_refused() throws Exception {
        forge = new ForgeRecorder(n -> 201);
        assertThatThrownBy(() -> kiln.api.createRepo(new RepoRequest("churn", "file://" + origin, null, null, null, null,
                "github", forge.url(), null, tokenFile("rw-r--r--").toString())))
                .isInstanceOfSatisfying(ApiClient.ApiException.class, e -> assertThat(e.error().message())
                        .contains("may be read by others: chmod 600 it"));
        assertThatThrownBy(() -> kiln.api.createRepo(new RepoRequest("hosted", null, null, null, null, null, "gitea",
                forge.url(), "a/b", tokenFile("rw-------").toString())))
                .isInstanceOfSatisfying(ApiClient.ApiException.class, e -> assertThat(e.error().message())
                        .contains("commit statuses are for a mirrored repo"));
        assertThatThrownBy(() -> kiln.api.createRepo(new RepoRequest("churn", "file://" + origin, null, null, null, null,
                "bitbucket", null, null, null)))
                .isInstanceOfSatisfying(ApiClient.ApiException.class, e -> assertThat(e.error().message())
                        .isEqualTo("forge 'bitbucket' is not one of github, gitlab, gitea"));
        assertThat(kiln.api.repos()).isEmpty();
    }
}
