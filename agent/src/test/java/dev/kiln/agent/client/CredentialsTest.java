package dev.kiln.agent.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
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

        assertThat(Credentials.find("http://localhost:9", null, here).token()).isEqualTo("kiln_local");
        Credentials remote = Credentials.find("http://build.example.com:8080", null, here);
        assertThat(remote.token()).isNull();
        assertThat(remote.tried()).contains("no --token and no KILN_TOKEN for the server at http://build.example.com:8080");
    }
}
