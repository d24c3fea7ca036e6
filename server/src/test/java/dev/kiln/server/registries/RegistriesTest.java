package dev.kiln.server.registries;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.BuildImageResultCallback;
import dev.kiln.agent.docker.DockerEngine;
import dev.kiln.agent.docker.TestImages;
import dev.kiln.agent.docker.TestRegistry;
import dev.kiln.agent.http.HttpAgentApi;
import dev.kiln.server.KilnServer;
import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.BuiltImage;
import dev.kiln.spec.api.RegistryLogin;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.RegistryCredential;
import dev.kiln.spec.protocol.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registry logins kept by the server ({@code kiln registries}, {@code /api/registries}) and used by
 * builds: a build's {@code images:} pushed with them to the real registry (htpasswd auth), its
 * digests shown by the API, {@code builds describe} and the build's page.
 */
class RegistriesTest {
    @TempDir Path tmp;

    @Test
    void login_list_and_logout_through_the_cli_never_show_the_password_and_keep_it_for_the_servers_user_only() throws Exception {
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            String[] server = {"--server", kiln.server.url(), "--token", kiln.server.adminToken()};
            KilnProcess login = KilnProcess.withInput(tmp, "pa55-word-xyz\n",
                    concat(new String[] {"registries", "login", "127.0.0.1:5999", "--username", "ci", "--password-stdin"}, server));
            assertThat(login.awaitExit(Duration.ofSeconds(30))).as(login.output()).isZero();
            assertThat(login.output()).contains("Stored the login of ci for 127.0.0.1:5999").doesNotContain("pa55-word-xyz");

            assertThat(kiln.dataDir.resolve("registries.json")).as("kept encrypted, not in a file").doesNotExist();
            assertThat(dev.kiln.server.support.SecretScan.filesUnder(kiln.dataDir, "pa55-word-xyz")).isEmpty();

            KilnProcess list = KilnProcess.start(tmp, concat(new String[] {"registries", "list"}, server));
            assertThat(list.awaitExit(Duration.ofSeconds(30))).as(list.output()).isZero();
            assertThat(list.output()).contains("HOST", "127.0.0.1:5999", "ci").doesNotContain("pa55-word-xyz");
            KilnProcess json = KilnProcess.start(tmp, concat(new String[] {"registries", "list", "--format", "json"}, server));
            assertThat(json.awaitExit(Duration.ofSeconds(30))).isZero();
            assertThat(Json.MAPPER.readTree(json.output()).get(0).fieldNames()).toIterable()
                    .containsExactlyInAnyOrder("host", "username", "loginTime");

            KilnProcess logout = KilnProcess.start(tmp, concat(new String[] {"registries", "logout", "127.0.0.1:5999"}, server));
            assertThat(logout.awaitExit(Duration.ofSeconds(30))).as(logout.output()).isZero();
            assertThat(kiln.api.registries()).isEmpty();
            KilnProcess again = KilnProcess.start(tmp, concat(new String[] {"registries", "logout", "127.0.0.1:5999"}, server));
            assertThat(again.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
            assertThat(again.output()).contains("ERROR: no login for registry 127.0.0.1:5999");

            KilnProcess noPassword = KilnProcess.start(tmp, concat(new String[] {"registries", "login", "r.example", "-u", "ci",
                    "--password-stdin"}, server));
            assertThat(noPassword.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(noPassword.output()).contains("ERROR: no password on standard input");
        }
    }

    @Test
    void bad_logins_are_refused_saying_what_is_wrong() throws Exception {
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            assertThat(refusal(kiln, new RegistryLogin("not a host", "u", "p"))).contains("is not a registry host");
            assertThat(refusal(kiln, new RegistryLogin("", "u", "p"))).contains("host is required");
            assertThat(refusal(kiln, new RegistryLogin("r.example", "a:b", "p"))).contains("without ':'");
            assertThat(refusal(kiln, new RegistryLogin("r.example", "u", ""))).contains("password must be");
            // A URL as docker login takes it is reduced to the host image names use.
            assertThat(kiln.api.loginRegistry(new RegistryLogin("https://Registry.Example:5000/v2/", "u", "p")).host())
                    .isEqualTo("registry.example:5000");
            assertThat(kiln.api.loginRegistry(new RegistryLogin("https://index.docker.io/v1/", "u", "p")).host())
                    .isEqualTo("docker.io");
        }
    }

    @Test
    void a_lease_carries_the_logins_of_the_registries_its_build_pushes_to_and_no_others() throws Exception {
        KilnServer.Config config = KilnServer.Config.defaults(tmp.resolve("data")).withPort(0).withLocalAgent(false);
        try (TestServer kiln = TestServer.start(config)) {
            kiln.api.loginRegistry(new RegistryLogin("images.example:5000", "img", "img-pass"));
            kiln.api.loginRegistry(new RegistryLogin("push.example", "psh", "push-pass"));
            kiln.api.loginRegistry(new RegistryLogin("unused.example", "no", "unused-pass"));
            kiln.submit(TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                    steps:
                      - name: gcr.io/cloud-builders/docker
                        args: [push, push.example/team/app:1]
                    images: ['images.example:5000/app:$BUILD_ID']
                    """)));

            HttpAgentApi agent = new HttpAgentApi(kiln.server.url(), kiln.server.agentToken());
            // A docker step and images: only an agent offering 'docker' gets this build.
            var lease = agent.lease(new LeaseRequest(LeaseRequest.PROTOCOL, "a1", "h", List.of("docker")), Duration.ofSeconds(10))
                    .orElseThrow();

            assertThat(lease.registries()).containsExactlyInAnyOrder(
                    new RegistryCredential("images.example:5000", "img", "img-pass"),
                    new RegistryCredential("push.example", "psh", "push-pass"));

            // The agent's report of what it pushed, over HTTP, is what the API then shows.
            String name = "images.example:5000/app:" + lease.buildId();
            agent.imagesPushed(lease.buildId(), lease.leaseId(), List.of(new BuiltImage(name, "sha256:" + "a".repeat(64))));
            assertThat(kiln.api.get(lease.buildId()).results().images())
                    .containsExactly(new BuiltImage(name, "sha256:" + "a".repeat(64)));
            var bad = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(kiln.server.url()
                            + "/api/agent/v1/builds/" + lease.buildId() + "/images?lease=" + lease.leaseId()))
                    .header("Authorization", "Bearer " + kiln.server.agentToken()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("[{\"name\": \"x\"}]")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("send a list of").doesNotContain("Exception");
        }
    }

    @Test
    void images_are_pushed_with_the_servers_login_and_their_digests_shown_by_the_api_the_cli_and_the_page() throws Exception {
        DockerEngine engine = TestImages.engine();
        String base = TestImages.busybox();
        TestRegistry registry = TestRegistry.require();
        String repo = "kiln-server-test/" + UUID.randomUUID().toString().substring(0, 8);
        String image = registry.host() + "/" + repo + ":1.0";
        Path context = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM " + base + "\nRUN echo " + repo + " > /id\n");
        engine.client().buildImageCmd(context.toFile()).withTags(Set.of(image)).exec(new BuildImageResultCallback()).awaitImageId();
        Path src = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                steps:
                  - args: ['true']
                images: ['%s']
                """.formatted(image)));
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            BuildView withoutLogin = kiln.awaitEnd(kiln.submit(src).id(), Duration.ofSeconds(60));
            assertThat(withoutLogin.status()).isEqualTo(Status.FAILURE);
            assertThat(withoutLogin.statusDetail()).contains("no basic auth credentials",
                    "kiln registries login " + registry.host());
            assertThat(withoutLogin.results().images()).isEmpty();

            kiln.api.loginRegistry(new RegistryLogin(registry.host(), registry.user(), registry.password()));
            BuildView b = kiln.awaitEnd(kiln.submit(src).id(), Duration.ofSeconds(60));

            assertThat(b.status()).as(b.statusDetail()).isEqualTo(Status.SUCCESS);
            assertThat(registry.tags(repo)).containsExactly("1.0");
            String digest = engine.client().inspectImageCmd(image).exec().getRepoDigests().stream()
                    .filter(d -> d.startsWith(registry.host() + "/" + repo + "@")).findFirst().orElseThrow().replaceAll(".*@", "");
            assertThat(b.results().images()).containsExactly(new BuiltImage(image, digest));
            var raw = Json.MAPPER.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(kiln.server.url() + "/api/builds/" + b.id()))
                    .header("Authorization", "Bearer " + kiln.server.adminToken()).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(raw.at("/results/images/0/name").asText()).isEqualTo(image);
            assertThat(raw.at("/results/images/0/digest").asText()).isEqualTo(digest);

            KilnProcess describe = KilnProcess.start(tmp, "builds", "describe", b.id(), "--server", kiln.server.url(),
                    "--token", kiln.server.adminToken());
            assertThat(describe.awaitExit(Duration.ofSeconds(30))).as(describe.output()).isZero();
            assertThat(describe.output()).contains("results:\n  images:\n  - name: " + image + "\n    digest: " + digest + "\n");

            String page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(kiln.server.url() + "/builds/" + b.id()))
                    .header("Authorization", "Bearer " + kiln.server.adminToken()).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(page).contains("<h2>Images pushed</h2>", "<code>" + image + "</code>", digest);
            assertThat(kiln.api.registries()).extracting(r -> r.host()).contains(registry.host());
        } finally {
            engine.client().removeImageCmd(image).withForce(true).exec();
        }
    }

    private static String refusal(TestServer kiln, RegistryLogin login) throws Exception {
        try {
            kiln.api.loginRegistry(login);
            throw new AssertionError("accepted " + login);
        } catch (dev.kiln.agent.client.ApiClient.ApiException e) {
            assertThat(e.error().status()).isEqualTo(400);
            return e.getMessage();
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
