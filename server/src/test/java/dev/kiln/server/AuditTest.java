package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.agent.client.Credentials;
import dev.kiln.server.access.Role;
import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.RawHttp;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.AuditEntryView;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.RegistryLogin;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.TriggerRun;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.protocol.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log as an admin reads it: through the API, {@code kiln audit} and the dashboard's page. */
class AuditTest {
    private static final String SLEEP = "steps:\n  - args: [sleep, '30']\n";

    @TempDir Path tmp;
    TestServer kiln;
    ApiClient developer;
    ApiClient approver;
    String developerToken;
    String approverToken;

    @BeforeEach
    void start() throws Exception {
        kiln = TestServer.start(tmp.resolve("data"));
        kiln.server.users().add("dev", Role.DEVELOPER, AccessFixture.PASSWORD);
        kiln.server.users().add("ann", Role.VIEWER, AccessFixture.PASSWORD);
        kiln.server.users().setRepoRole("ann", AccessFixture.REPO, Role.APPROVER);
        developerToken = kiln.server.tokens().create("dev", "laptop", null, null);
        approverToken = kiln.server.tokens().create("ann", "laptop", null, null);
        developer = new ApiClient(kiln.server.url(), new Credentials(developerToken, "test"));
        approver = new ApiClient(kiln.server.url(), new Credentials(approverToken, "test"));
    }

    @AfterEach
    void stop() {
        kiln.close();
    }

    private List<AuditEntryView> audit(String action) throws Exception {
        return kiln.api.audit(500, null, action);
    }

    private BuildView submitAs(ApiClient who, String buildYaml) throws Exception {
        Path src = TestServer.repo(tmp.resolve("src-" + System.nanoTime()), Map.of("build.yaml", buildYaml));
        Path archive = tmp.resolve("src-" + System.nanoTime() + ".tgz");
        try (var out = java.nio.file.Files.newOutputStream(archive)) {
            dev.kiln.agent.archive.SourceArchive.pack(src, out);
        }
        return who.submit(archive, null, Map.of());
    }

    @Test
    void what_people_do_to_builds_repos_triggers_and_registries_is_recorded_with_who_and_from_where() throws Exception {
        kiln.api.createRepo(new RepoRequest(AccessFixture.REPO, null, null, null, null));
        kiln.api.createTrigger(new TriggerView("gated", AccessFixture.REPO, "^dev$", null, false, null, List.of(), List.of(),
                Map.of(), true, null, false, false, true, null, null));
        kiln.api.enableTrigger("gated", false);
        kiln.api.enableTrigger("gated", true);
        AccessFixture.pushDev(kiln, tmp, "steps:\n  - args: ['true']\n");

        BuildView slow = submitAs(developer, SLEEP);
        developer.cancel(slow.id());
        BuildView again = developer.retry(slow.id());
        developer.cancel(again.id());
        developer.keep(slow.id(), true);
        developer.keep(slow.id(), false);
        BuildView approved = developer.runTrigger("gated", new TriggerRun("dev", null, null, null));
        BuildView rejected = developer.runTrigger("gated", new TriggerRun("dev", null, null, null));
        approver.approve(approved.id(), "ship it");
        approver.reject(rejected.id(), "not on a Friday");
        kiln.awaitEnd(approved.id(), Duration.ofSeconds(30));
        kiln.api.loginRegistry(new RegistryLogin("127.0.0.1:5000", "ci", "registry-password"));
        kiln.api.logoutRegistry("127.0.0.1:5000");
        kiln.api.deleteTrigger("gated");
        kiln.api.deleteRepo(AccessFixture.REPO);

        List<AuditEntryView> all = audit(null);
        assertThat(all).extracting(e -> e.actor() + " " + e.action() + " " + e.target()).containsExactly(
                "admin repo.delete churn", "admin trigger.delete gated", "admin registry.logout 127.0.0.1:5000",
                "admin registry.login 127.0.0.1:5000", "ann build.reject " + rejected.id(),
                "ann build.approve " + approved.id(), "dev trigger.run gated", "dev trigger.run gated",
                "dev build.unkeep " + slow.id(), "dev build.keep " + slow.id(), "dev build.cancel " + again.id(),
                "dev build.retry " + slow.id(), "dev build.cancel " + slow.id(), "dev build.submit " + slow.id(),
                "admin trigger.enable gated", "admin trigger.disable gated", "admin trigger.create gated",
                "admin repo.add churn");
        assertThat(all).allSatisfy(e -> {
            assertThat(e.address()).isEqualTo("127.0.0.1");
            assertThat(e.time()).isBetween(java.time.Instant.now().minusSeconds(120), java.time.Instant.now());
        });
        assertThat(audit("build.approve")).singleElement().extracting(AuditEntryView::detail).isEqualTo("ship it");
        assertThat(audit("build.reject")).singleElement().extracting(AuditEntryView::detail).isEqualTo("not on a Friday");
        assertThat(audit("build.retry")).singleElement().extracting(AuditEntryView::detail).isEqualTo("new build " + again.id());
        assertThat(audit("trigger.run")).extracting(AuditEntryView::detail)
                .containsExactly("branch dev -> build " + rejected.id(), "branch dev -> build " + approved.id());
        assertThat(audit("registry.login")).singleElement().extracting(AuditEntryView::detail).isEqualTo("user ci");
        assertThat(Json.MAPPER.writeValueAsString(all)).doesNotContain("registry-password");
        // Newest first, a page at a time.
        assertThat(kiln.api.audit(2, null, null)).extracting(AuditEntryView::seq).containsExactly(all.get(0).seq(), all.get(1).seq());
        assertThat(kiln.api.audit(2, all.get(1).seq(), null)).extracting(AuditEntryView::seq)
                .containsExactly(all.get(2).seq(), all.get(3).seq());
    }

    @Test
    void only_admins_read_it_and_a_refused_action_records_nothing() throws Exception {
        BuildView ended = kiln.submit(TestServer.repo(tmp.resolve("ok"), Map.of("build.yaml", "steps:\n  - args: ['true']\n")));
        kiln.awaitEnd(ended.id(), Duration.ofSeconds(30));
        assertThat(audit(null)).extracting(AuditEntryView::action).containsExactly("build.submit");
        for (ApiClient who : List.of(developer, approver)) {
            assertThatThrownBy(() -> who.audit(10, null, null)).isInstanceOf(ApiClient.ApiException.class)
                    .satisfies(e -> assertThat(((ApiClient.ApiException) e).error().status()).isEqualTo(403));
        }
        // Nothing done: an ended build is not cancelled again, and a viewer of the build's (no) repo cannot approve.
        assertThat(developer.cancel(ended.id()).status()).isEqualTo(Status.SUCCESS);
        assertThatThrownBy(() -> approver.approve(ended.id(), "sneaky")).isInstanceOf(ApiClient.ApiException.class);
        assertThat(audit(null)).extracting(AuditEntryView::action).containsExactly("build.submit");
        RawHttp.Response bad = RawHttp.send(kiln.server.port(), "GET", "/api/audit?limit=501",
                Map.of("Authorization", "Bearer " + kiln.server.adminToken()), new byte[0]);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("limit must be between 1 and 500");
    }

    @Test
    void the_dashboard_page_is_for_admins_escapes_what_it_shows_and_records_the_forms_too() throws Exception {
        kiln.api.createRepo(new RepoRequest(AccessFixture.REPO, null, null, null, null));
        kiln.api.createTrigger(new TriggerView("dev", AccessFixture.REPO, "^dev$", null, false, null, List.of(), List.of(),
                Map.of(), true, null));
        AccessFixture.pushDev(kiln, tmp, SLEEP);
        kiln.server.users().setPassword("admin", AccessFixture.PASSWORD);
        var dev = AccessFixture.signIn(kiln, "dev", developerToken, "/repos/" + AccessFixture.REPO);
        var admin = AccessFixture.signIn(kiln, "admin", kiln.server.adminToken(), "/repos/" + AccessFixture.REPO);
        int port = kiln.server.port();
        RawHttp.Response run = RawHttp.send(port, "POST", "/triggers/dev/run", form(dev),
                ("csrf=" + dev.csrf() + "&kind=branch&ref=dev").getBytes(StandardCharsets.UTF_8));
        assertThat(run.status()).as(run.body()).isEqualTo(303);
        String id = audit("trigger.run").get(0).detail().replaceAll(".* -> build ", "");
        RawHttp.Response cancel = RawHttp.send(port, "POST", "/builds/" + id + "/cancel", form(dev),
                ("csrf=" + dev.csrf()).getBytes(StandardCharsets.UTF_8));
        assertThat(cancel.status()).as(cancel.body()).isEqualTo(303);
        assertThat(kiln.awaitEnd(id, Duration.ofSeconds(30)).status()).isEqualTo(Status.CANCELLED);
        kiln.server.audit().record("dev", "build.approve", id, "<script>alert(1)</script> & \"quotes\"", "127.0.0.1");

        RawHttp.Response page = RawHttp.send(port, "GET", "/admin/audit", Map.of("Cookie", admin.cookie(), "Accept", "text/html"),
                new byte[0]);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("href=\"/admin/audit\"", "trigger.run", "build.cancel", "dev", id)
                .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; ")
                .doesNotContain("<script>alert");
        RawHttp.Response filtered = RawHttp.send(port, "GET", "/admin/audit?action=build.cancel",
                Map.of("Cookie", admin.cookie(), "Accept", "text/html"), new byte[0]);
        assertThat(filtered.body()).contains("build.cancel").doesNotContain("trigger.run");

        RawHttp.Response refused = RawHttp.send(port, "GET", "/admin/audit", Map.of("Cookie", dev.cookie(), "Accept", "text/html"),
                new byte[0]);
        assertThat(refused.status()).isEqualTo(403);
        RawHttp.Response builds = RawHttp.send(port, "GET", "/", Map.of("Cookie", dev.cookie(), "Accept", "text/html"), new byte[0]);
        assertThat(builds.status()).isEqualTo(200);
        assertThat(builds.body()).doesNotContain("/admin/audit");
        RawHttp.Response adminBuilds = RawHttp.send(port, "GET", "/", Map.of("Cookie", admin.cookie(), "Accept", "text/html"),
                new byte[0]);
        assertThat(adminBuilds.body()).contains("<a href=\"/admin/audit\">Audit</a>");
    }

    @Test
    void retention_removes_builds_and_leaves_their_audit_entries() throws Exception {
        var upkeep = new KilnServer.Upkeep(dev.kiln.server.retention.RetentionPolicy.DEFAULTS.withLimits(0, 1),
                dev.kiln.server.disk.MinFree.DEFAULT, dev.kiln.server.disk.DiskSpace.system());
        try (TestServer small = TestServer.start(KilnServer.Config.defaults(tmp.resolve("small")).withPort(0), upkeep)) {
            List<String> ids = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(small.endedBuild(tmp.resolve("b" + i)));
            }
            assertThat(small.server.retention().sweep().builds()).isEqualTo(2);
            assertThat(small.api.list(10)).hasSize(1);
            assertThat(small.api.audit(10, null, null)).extracting(AuditEntryView::target)
                    .containsExactly(ids.get(2), ids.get(1), ids.get(0));
        }
    }

    @Test
    void no_code_or_migration_of_the_server_changes_or_removes_an_entry() throws Exception {
        var change = java.util.regex.Pattern.compile("(?is)\\b(update|delete\\s+from|truncate\\s+table|drop\\s+table|alter\\s+table)"
                + "\\s+audit_log\\b");
        List<Path> touching;
        try (var files = java.nio.file.Files.walk(Path.of("src/main"))) {
            touching = files.filter(java.nio.file.Files::isRegularFile).filter(f -> {
                try {
                    return java.nio.file.Files.readString(f).contains("audit_log");
                } catch (java.io.IOException | java.io.UncheckedIOException e) {
                    return false;   // not text
                }
            }).toList();
        }
        assertThat(touching).extracting(f -> f.getFileName().toString()).contains("AuditLog.java", "V8__users_roles_audit.sql");
        for (Path f : touching) {
            assertThat(change.matcher(java.nio.file.Files.readString(f)).find()).as(f + " changes audit_log").isFalse();
        }
    }

    private Map<String, String> form(AccessFixture.Session s) {
        return Map.of("Cookie", s.cookie(), "Origin", kiln.server.url(), "Content-Type", "application/x-www-form-urlencoded");
    }

    @Test
    void kiln_audit_prints_a_table_or_json() throws Exception {
        kiln.api.loginRegistry(new RegistryLogin("127.0.0.1:5000", "ci", "registry-password"));
        kiln.server.audit().record("dev", "build.approve", "b-1", "line one\nFORGED ROW\u001b[2J", "10.0.0.7");
        String token = kiln.server.adminToken();
        KilnProcess text = KilnProcess.start(tmp, Map.of("KILN_TOKEN", token), List.of(), "audit", "--server", kiln.server.url());
        assertThat(text.awaitExit(Duration.ofSeconds(30))).as(text.output()).isZero();
        List<String> lines = text.output().lines().toList();
        assertThat(lines.get(0)).matches("SEQ\\s+TIME\\s+ACTOR\\s+ACTION\\s+TARGET\\s+ADDRESS\\s+DETAIL");
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).matches("2\\s+\\S+\\s+dev\\s+build\\.approve\\s+b-1\\s+10\\.0\\.0\\.7\\s+line one FORGED ROW \\[2J");
        assertThat(lines.get(2)).matches("1\\s+\\S+\\s+admin\\s+registry\\.login\\s+127\\.0\\.0\\.1:5000\\s+127\\.0\\.0\\.1\\s+user ci");

        KilnProcess json = KilnProcess.start(tmp, Map.of("KILN_TOKEN", token), List.of(), "audit", "--server",
                kiln.server.url(), "--action", "registry.login", "--format", "json");
        assertThat(json.awaitExit(Duration.ofSeconds(30))).as(json.output()).isZero();
        List<AuditEntryView> entries = Json.MAPPER.readValue(json.output(),
                new com.fasterxml.jackson.core.type.TypeReference<List<AuditEntryView>>() {});
        assertThat(entries).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo("admin");
            assertThat(e.target()).isEqualTo("127.0.0.1:5000");
        });

        KilnProcess refused = KilnProcess.start(tmp, Map.of("KILN_TOKEN", developerToken), List.of(), "audit", "--server",
                kiln.server.url());
        assertThat(refused.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
        assertThat(refused.output()).contains("ERROR: this needs the admin role; dev has developer");
    }
}
