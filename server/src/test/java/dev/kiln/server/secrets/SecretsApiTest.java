package dev.kiln.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.server.KilnServer;
import dev.kiln.server.store.Database;
import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.SecretScan;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.SecretView;
import dev.kiln.spec.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln secrets} and {@code /api/secrets}: set, list, delete; values never come back; stored sealed. */
class SecretsApiTest {
    @TempDir Path tmp;

    @Test
    void set_list_and_delete_through_the_cli_never_show_a_value_and_are_audited_by_name_and_scope() throws Exception {
        TestServer kiln = TestServer.start(tmp.resolve("data"));
        try {
            String[] server = {"--server", kiln.server.url(), "--token", kiln.server.adminToken()};
            KilnProcess set = KilnProcess.withInput(tmp, "hf_Sup3rSecretValue\n", concat(new String[] {"secrets", "set",
                    "hf-token", "--repo", "model-a"}, server));
            assertThat(set.awaitExit(Duration.ofSeconds(30))).as(set.output()).isZero();
            assertThat(set.output()).contains("Stored secret hf-token for builds of repo model-a")
                    .doesNotContain("hf_Sup3rSecretValue");
            kiln.api.setSecret("deploy", null, "another-value-9".getBytes(StandardCharsets.UTF_8));

            KilnProcess json = KilnProcess.start(tmp, concat(new String[] {"secrets", "list", "--format", "json"}, server));
            assertThat(json.awaitExit(Duration.ofSeconds(30))).as(json.output()).isZero();
            assertThat(Json.MAPPER.readTree(json.output()).get(0).fieldNames()).toIterable()
                    .containsExactlyInAnyOrder("name", "repo", "updateTime");
            assertThat(json.output()).doesNotContain("hf_Sup3rSecretValue", "another-value-9");
            assertThat(kiln.api.secrets()).extracting(SecretView::name, SecretView::repo)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("deploy", null),
                            org.assertj.core.groups.Tuple.tuple("hf-token", "model-a"));

            KilnProcess delete = KilnProcess.start(tmp, concat(new String[] {"secrets", "delete", "hf-token", "--repo",
                    "model-a"}, server));
            assertThat(delete.awaitExit(Duration.ofSeconds(30))).as(delete.output()).isZero();
            assertThat(kiln.api.secrets()).extracting(SecretView::name).containsExactly("deploy");
            KilnProcess again = KilnProcess.start(tmp, concat(new String[] {"secrets", "delete", "hf-token"}, server));
            assertThat(again.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
            assertThat(again.output()).contains("ERROR: no secret hf-token for every build");

            var audit = kiln.server.audit().list(10, null, null);
            assertThat(audit).extracting(e -> e.action() + " " + e.target() + " " + e.detail()).contains(
                    "secret.set hf-token repo model-a", "secret.set deploy every build", "secret.deleted hf-token repo model-a");
            assertThat(audit.toString()).doesNotContain("hf_Sup3rSecretValue", "another-value-9");

            assertThat(Files.getPosixFilePermissions(kiln.dataDir.resolve("master.key")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        } finally {
            kiln.close();
        }
        assertThat(SecretScan.filesUnder(kiln.dataDir, "another-value-9")).isEmpty();
        assertThat(SecretScan.filesUnder(kiln.dataDir, "hf_Sup3rSecretValue")).isEmpty();
    }

    @Test
    void bad_input_is_refused_saying_why() throws Exception {
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            assertThat(refusal(kiln.api, "bad name", null, "v")).contains("a secret's name has 1 to 100 letters");
            assertThat(refusal(kiln.api, "ok", null, "")).contains("the secret's value is empty");
            assertThat(refusal(kiln.api, "ok", "../x", "value")).contains("repo");
            assertThat(refusal(kiln.api, "ok", null, "x".repeat(64 * 1024 + 1))).contains("at most 65536 characters");
            assertThat(kiln.api.secrets()).isEmpty();
        }
    }

    @Test
    void a_sealed_value_moved_to_another_row_does_not_open_and_a_wrong_master_key_is_refused() throws Exception {
        Path data = tmp.resolve("data");
        new KilnServer(KilnServer.Config.defaults(data).withPort(0)).close();   // makes master.key and the database
        try (Database db = Database.open(Database.h2Url(data), null, null)) {
            Vault vault = new Vault(db, MasterKey.load(data, null), Clock.systemUTC());
            Secrets secrets = new Secrets(vault);
            secrets.set("a", null, "value-of-a");
            secrets.set("b", null, "value-of-b");
            db.jdbi().useHandle(h -> h.execute("update secrets set sealed = (select sealed from secrets where name = 'a')"
                    + " where name = 'b'"));
            assertThat(secrets.resolve(java.util.List.of("a"), null)).containsEntry("a", "value-of-a");
            assertThatThrownBy(() -> secrets.resolve(java.util.List.of("b"), null)).isInstanceOf(Secrets.Missing.class)
                    .hasMessageContaining("secret b: a stored secret (build//b) cannot be decrypted")
                    .hasMessageNotContaining("value-of");

            String otherKey = Base64.getEncoder().encodeToString(new byte[32]);
            Secrets wrong = new Secrets(new Vault(db, MasterKey.load(data, otherKey), Clock.systemUTC()));
            assertThatThrownBy(() -> wrong.resolve(java.util.List.of("a"), null)).hasMessageContaining("master key");
        }
        assertThatThrownBy(() -> MasterKey.load(data, "c2hvcnQ=")).hasMessageContaining("the master key is 32 bytes");
    }

    private static String refusal(ApiClient api, String name, String repo, String value) throws Exception {
        try {
            api.setSecret(name, repo, value.getBytes(StandardCharsets.UTF_8));
            throw new AssertionError("accepted");
        } catch (ApiClient.ApiException e) {
            return e.getMessage();
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
