package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.access.ApiTokens;
import dev.kiln.server.access.Role;
import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln login} and {@code kiln logout} as a user types them, each command in its own JVM
 * with its own XDG_CONFIG_HOME: the stored token is private, the next command sends it (a viewer's
 * token, so what the server allows shows whose it is), and logout revokes it.
 */
class LoginCliTest {
    @TempDir Path tmp;

    @Test
    void login_stores_a_private_token_the_next_command_uses_and_logout_revokes_it() throws Exception {
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            kiln.server.users().add("vera", Role.VIEWER, "vera-password");
            String url = kiln.server.url();
            Path home = Files.createDirectories(tmp.resolve("home"));
            Path file = home.resolve("xdg").resolve("kiln").resolve("credentials.json");

            KilnProcess wrong = KilnProcess.withInput(home, "not-her-password\n", "login", "--server", url, "--user", "vera",
                    "--password-stdin");
            assertThat(wrong.awaitExit(Duration.ofSeconds(30))).as(wrong.output()).isEqualTo(1);
            assertThat(wrong.output()).contains("ERROR: wrong user name or password").doesNotContain("Exception");
            assertThat(file).doesNotExist();

            KilnProcess login = KilnProcess.withInput(home, "vera-password\n", "login", "--server", url + "/", "--user", "vera",
                    "--password-stdin", "--expires", "30d");
            assertThat(login.awaitExit(Duration.ofSeconds(30))).as(login.output()).isZero();
            assertThat(login.output()).contains("Signed in to " + url + " as vera (viewer)", file.toString())
                    .doesNotContain("kiln_");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
            String token = Json.MAPPER.readTree(file.toFile()).path(url).asText();
            assertThat(kiln.server.tokens().verify(token)).hasValueSatisfying(p -> assertThat(p.name()).isEqualTo("vera"));
            ApiTokens.TokenInfo info = kiln.server.tokens().list("vera").get(0);
            assertThat(info.expireTime()).isNotNull();

            // Signing in again replaces the stored token, and the one replaced stops working.
            KilnProcess relogin = KilnProcess.withInput(home, "vera-password\n", "login", "--server", url, "--user", "vera",
                    "--password-stdin");
            assertThat(relogin.awaitExit(Duration.ofSeconds(30))).as(relogin.output()).isZero();
            String replaced = token;
            token = Json.MAPPER.readTree(file.toFile()).path(url).asText();
            assertThat(token).isNotEqualTo(replaced);
            assertThat(kiln.server.tokens().verify(replaced)).isEmpty();
            info = kiln.server.tokens().list("vera").get(0);

            String id = kiln.endedBuild(tmp.resolve("ok"));
            KilnProcess list = KilnProcess.start(home, "builds", "list", "--server", url);
            assertThat(list.awaitExit(Duration.ofSeconds(30))).as(list.output()).isZero();
            assertThat(list.output()).contains(id);
            // vera's token, not an admin's: a viewer may not add a repo.
            KilnProcess add = KilnProcess.start(home, "repos", "add", "mine", "--server", url);
            assertThat(add.awaitExit(Duration.ofSeconds(30))).as(add.output()).isEqualTo(1);
            assertThat(add.output()).contains("vera has viewer");
            assertThat(kiln.api.repos()).isEmpty();

            KilnProcess logout = KilnProcess.start(home, "logout", "--server", url);
            assertThat(logout.awaitExit(Duration.ofSeconds(30))).as(logout.output()).isZero();
            assertThat(logout.output()).contains("Signed out of " + url);
            assertThat(kiln.server.tokens().verify(token)).isEmpty();
            assertThat(kiln.server.tokens().get(info.id()).orElseThrow().revokeTime()).isNotNull();
            assertThat(Files.readString(file)).doesNotContain(token);
            KilnProcess again = KilnProcess.start(home, "logout", "--server", url);
            assertThat(again.awaitExit(Duration.ofSeconds(30))).as(again.output()).isZero();
            assertThat(again.output()).contains("Not signed in to " + url);
        }
    }

    @Test
    void without_a_console_or_a_password_on_stdin_login_says_what_to_pass() throws Exception {
        KilnProcess p = KilnProcess.start(tmp, "login", "--server", "http://127.0.0.1:9", "--user", "vera");
        assertThat(p.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
        assertThat(p.output()).contains("--password-stdin");
    }
}
