package dev.kiln.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.KilnServer;
import dev.kiln.server.access.PrivateFiles;
import dev.kiln.server.store.Database;
import dev.kiln.server.support.SecretScan;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.RegistryView;
import dev.kiln.spec.api.RepoRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upgrade from a version that kept credentials in clear files (mode 600): at the first start the
 * registry logins, mirror passwords and webhook secrets go into the encrypted store, the files go,
 * and everything that used them still works.
 */
class ClearCredentialsUpgradeTest {
    @TempDir Path tmp;

    @Test
    void clear_files_of_an_earlier_version_are_sealed_once_and_deleted() throws Exception {
        Path data = tmp.resolve("data");
        Path remote = tmp.resolve("remote.git");
        Git.init().setBare(true).setInitialBranch("main").setDirectory(remote.toFile()).call().close();
        TestServer first = TestServer.start(data);
        try {
            first.api.createRepo(new RepoRequest("model", remote.toString(), "1h", null, null, "webhook-s3cret-old",
                    null, null, null, null));
        } finally {
            first.close();
        }
        // As the earlier version left things: the secrets in files, none in the table.
        try (Database db = Database.open(Database.h2Url(data), null, null)) {
            db.jdbi().useHandle(h -> h.execute("delete from secrets"));
        }
        PrivateFiles.write(data.resolve("registries.json"),
                "{\"127.0.0.1:5999\": {\"username\": \"ci\", \"password\": \"registry-pa55-old\", \"loginTime\": 1000}}");
        PrivateFiles.write(PrivateFiles.directory(data.resolve("git/webhook-secrets")).resolve("model"), "webhook-s3cret-old\n");
        PrivateFiles.write(PrivateFiles.directory(data.resolve("git/credentials")).resolve("model"), "mirror-pa55-old");

        TestServer again = TestServer.start(data);
        try {
            assertThat(again.api.registries()).extracting(RegistryView::host, RegistryView::username)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("127.0.0.1:5999", "ci"));
            assertThat(again.api.repo("model").webhookSecret()).isTrue();
        } finally {
            again.close();
        }
        assertThat(data.resolve("registries.json")).doesNotExist();
        assertThat(data.resolve("git/webhook-secrets")).doesNotExist();
        assertThat(data.resolve("git/credentials")).doesNotExist();
        for (String v : new String[] {"registry-pa55-old", "webhook-s3cret-old", "mirror-pa55-old"}) {
            assertThat(SecretScan.filesUnder(data, v)).as(v).isEmpty();
        }
        try (Database db = Database.open(Database.h2Url(data), null, null)) {
            Vault vault = new Vault(db, MasterKey.load(data, null), java.time.Clock.systemUTC());
            assertThat(vault.get(Vault.Kind.MIRROR, "", "model")).contains("mirror-pa55-old");
            assertThat(vault.get(Vault.Kind.WEBHOOK, "", "model")).contains("webhook-s3cret-old");
        }
    }
}
