package dev.kiln.agent.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {

    @Test
    void a_token_given_is_sent_to_any_server() {
        assertThat(Credentials.find("https://kiln.example.com", "kiln_tok").token()).isEqualTo("kiln_tok");
    }

    @TempDir Path here;

    @Test
    void a_token_found_on_this_machine_goes_to_a_server_on_it_and_never_to_another() throws Exception {
        Files.createDirectories(here.resolve("kiln-data"));
        Files.writeString(here.resolve("kiln-data/admin.token"), "kiln_local\n");
        CredentialsFile none = new CredentialsFile(here.resolve("xdg/kiln/credentials.json"));

        assertThat(Credentials.find("http://localhost:9", null, here, none).token()).isEqualTo("kiln_local");
        Credentials remote = Credentials.find("http://build.example.com:8080", null, here, none);
        assertThat(remote.token()).isNull();
        assertThat(remote.tried()).contains("no --token, no KILN_TOKEN and no `kiln login` for the server at http://build.example.com:8080");
    }

    @Test
    void a_stored_login_goes_to_its_own_server_only_before_the_local_admin_token_and_after_the_flag() throws Exception {
        Files.createDirectories(here.resolve("kiln-data"));
        Files.writeString(here.resolve("kiln-data/admin.token"), "kiln_local\n");
        CredentialsFile stored = new CredentialsFile(here.resolve("xdg/kiln/credentials.json"));
        stored.put("http://localhost:9/", "kiln_mine");
        stored.put("https://Build.Example.com", "kiln_remote");

        Credentials local = Credentials.find("http://localhost:9", null, here, stored);
        assertThat(local.token()).isEqualTo("kiln_mine");
        assertThat(local.tried()).contains("kiln login", stored.path().toString());
        assertThat(Credentials.find("https://build.example.com/", null, here, stored).token()).isEqualTo("kiln_remote");
        assertThat(Credentials.find("http://other.example.com", null, here, stored).token()).isNull();
        assertThat(Credentials.find("http://localhost:10", null, here, stored).token()).isEqualTo("kiln_local");
        assertThat(Credentials.find("http://localhost:9", "kiln_flag", here, stored).token()).isEqualTo("kiln_flag");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stored.path()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stored.path().getParent())))
                .isEqualTo("rwx------");
        assertThat(stored.remove("http://localhost:9")).isTrue();
        assertThat(stored.remove("http://localhost:9")).isFalse();
        assertThat(Credentials.find("http://localhost:9", null, here, stored).token()).isEqualTo("kiln_local");
        assertThat(Files.readString(stored.path())).contains("kiln_remote").doesNotContain("kiln_mine");
        try (var files = Files.list(stored.path().getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("credentials.json");
        }
    }

    @Test
    void a_garbled_file_is_named_in_the_error_and_sends_nothing() throws Exception {
        CredentialsFile stored = new CredentialsFile(here.resolve("credentials.json"));
        Files.writeString(stored.path(), "[not a map");
        Credentials c = Credentials.find("http://build.example.com", null, here, stored);
        assertThat(c.token()).isNull();
        assertThat(c.tried()).contains(stored.path().toString(), "fix or delete it");
    }
}
