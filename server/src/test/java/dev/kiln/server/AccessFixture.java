package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.access.Role;
import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.TriggerRun;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The people the route walker calls as: for each role a user holding it everywhere, and one holding
 * it on repo {@code other} only (a viewer elsewhere), each with an API token and a signed-in
 * browser session; a revoked and an expired token of the admin user; and a build of repo
 * {@code churn} (built by its trigger {@code dev} from a commit put into the hosted repo on disk;
 * the test made both).
 */
final class AccessFixture {
    static final String REPO = "churn";
    static final String OTHER = "other";
    static final String PASSWORD = "a password of the walker";

    /** A signed-in browser: its session cookie ({@code name=value}) and the CSRF token its forms carry. */
    record Session(String cookie, String csrf) {}

    final Map<Role, String> token = new EnumMap<>(Role.class);
    final Map<Role, String> otherRepoToken = new EnumMap<>(Role.class);
    final Map<Role, Session> session = new EnumMap<>(Role.class);
    final Map<Role, Session> otherRepoSession = new EnumMap<>(Role.class);
    final String revoked;
    final String expired;
    final String repoBuild;

    AccessFixture(TestServer kiln, Path tmp) throws Exception {
        kiln.api.createRepo(new RepoRequest(OTHER, null, null, null, null));
        this.repoBuild = repoBuild(kiln, tmp, "dev");
        var users = kiln.server.users();
        var tokens = kiln.server.tokens();
        for (Role r : Role.values()) {
            String name = "u-" + r.label();
            users.add(name, r, PASSWORD);
            token.put(r, tokens.create(name, "walker", null, null));
            session.put(r, signIn(kiln, name, token.get(r), "/builds/" + repoBuild));
            if (r != Role.VIEWER) {
                String only = "on-" + OTHER + "-" + r.label();
                users.add(only, Role.VIEWER, PASSWORD);
                users.setRepoRole(only, OTHER, r);
                otherRepoToken.put(r, tokens.create(only, "walker", null, null));
                otherRepoSession.put(r, signIn(kiln, only, otherRepoToken.get(r), "/builds/" + repoBuild));
            }
        }
        this.revoked = tokens.create("admin", "revoked", null, null);
        assertThat(tokens.verify(revoked)).isPresent();
        assertThat(tokens.revoke(revoked.split("_")[1])).isTrue();
        this.expired = tokens.create("admin", "expired", null, System.currentTimeMillis() - 60_000);
    }

    /** Churn's promotion policy in the walkers: dev to prod, one approver, no gates. */
    static final dev.kiln.spec.api.PolicyRequest POLICY = new dev.kiln.spec.api.PolicyRequest("dev", "prod", true, 1, null,
            false, null, List.of());

    /** The newest promotion of churn, once the end of its newest build has reached the promotion flow. */
    static String promotion(TestServer kiln) throws Exception {
        String newest = kiln.api.list(1, REPO, null, null, null).get(0).id();
        assertThat(kiln.server.promotions().awaitHandled(newest, Duration.ofSeconds(30))).isTrue();
        return kiln.server.promotions().promotions().list(REPO, null, 1).get(0).id();
    }

    /** A build of repo churn run to its end: {@link #pushDev} a build that succeeds, then {@code trigger} run. */
    static String repoBuild(TestServer kiln, Path tmp, String trigger) throws Exception {
        pushDev(kiln, tmp, "steps:\n  - args: ['true']\n");
        String id = kiln.api.runTrigger(trigger, new TriggerRun("dev", null, null, null)).id();
        kiln.awaitEnd(id, Duration.ofSeconds(30));
        assertThat(kiln.api.get(id).repo()).isEqualTo(REPO);
        return id;
    }

    /** Puts a commit with {@code buildYaml} on branch dev of hosted repo churn, straight into its directory. */
    static void pushDev(TestServer kiln, Path tmp, String buildYaml) throws Exception {
        GitCli git = GitCli.in(tmp);
        Path work = tmp.resolve("churn-work");
        if (!java.nio.file.Files.isDirectory(work.resolve(".git"))) {
            git.init(work, "dev");
        }
        git.commit(work, "build", Map.of("build.yaml", buildYaml));
        git.run(work, "push", "-q", "-f", kiln.dataDir.resolve("git").resolve(REPO + ".git").toString(), "dev:refs/heads/dev");
    }

    /**
     * Signs {@code user} in as the sign-in page does; the CSRF token is the one of a form on {@code formPage} (else
     * on the builds or repo page). The form carries both the user's token and
     * password, so that this works whichever of the two the sign-in form takes.
     */
    static Session signIn(TestServer kiln, String user, String token, String formPage) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = kiln.server.url();
        String form = "user=" + enc(user) + "&password=" + enc(PASSWORD) + "&token=" + enc(token) + "&next=%2F";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", base)
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("sign-in of " + user + ": " + r.body()).isEqualTo(303);
        String cookie = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("kiln_session="))
                .findFirst().orElseThrow().split(";", 2)[0];
        for (String page : List.of(formPage, "/", "/repos/" + REPO)) {
            HttpResponse<String> p = http.send(HttpRequest.newBuilder(URI.create(base + page)).header("Cookie", cookie)
                    .header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(p.body());
            if (m.find()) {
                return new Session(cookie, m.group(1));
            }
        }
        throw new AssertionError("no page shows " + user + " a form with a CSRF token");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
