package dev.kiln.agent.cli;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.agent.client.Credentials;
import dev.kiln.agent.client.CredentialsFile;
import dev.kiln.spec.api.LoginRequest;
import dev.kiln.spec.api.LoginView;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kiln login}: signs in with a user name and password and stores the API token the server
 * makes for it ({@link CredentialsFile}); later commands to that server send it.
 */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = {"Sign in to a Kiln server; later commands to that server use the token this stores in",
                "$XDG_CONFIG_HOME/kiln/credentials.json (default ~/.config/kiln/, mode 600).",
                "Asks for the user name and password on the console, or: echo \"$PW\" | kiln login --user U --password-stdin"})
public final class LoginCommand implements Callable<Integer> {
    @Option(names = "--server", description = "Server URL (default: KILN_SERVER, else http://localhost:8080).")
    String server;
    @Option(names = {"-u", "--user"}, paramLabel = "USER", description = "User name (asked for when not given).")
    String user;
    @Option(names = "--password-stdin", description = "Read the password from standard input (one line).")
    boolean passwordStdin;
    @Option(names = "--name", paramLabel = "NAME", description = "What to call the token (default: kiln login on HOST).")
    String tokenName;
    @Option(names = "--expires", paramLabel = "DURATION", description = "When the token stops working: 30d, 12h, 90m (default: never).")
    String expires;

    @Override
    public Integer call() throws Exception {
        String url = ApiClient.serverUrl(server).replaceAll("/+$", "");
        Console console = System.console();
        String name = user;
        if (name == null || name.isBlank()) {
            if (console == null) {
                System.err.println("ERROR: no console to ask for the user name; pass --user USER");
                return 2;
            }
            name = console.readLine("User name for %s: ", url);
        }
        String password;
        if (passwordStdin) {
            password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        } else if (console != null) {
            char[] pw = console.readPassword("Password for %s: ", name);
            password = pw == null ? null : new String(pw);
        } else {
            System.err.println("ERROR: no console to ask for the password; pipe it in: ... | kiln login --user "
                    + name + " --password-stdin");
            return 2;
        }
        if (name == null || name.isBlank() || password == null || password.isEmpty()) {
            System.err.println("ERROR: a user name and a password are needed to sign in");
            return 2;
        }
        String label = tokenName != null ? tokenName : "kiln login on " + host();
        LoginView v = new ApiClient(url, new Credentials(null, "signing in with a password"))
                .login(new LoginRequest(name.strip(), password, label, expires));
        CredentialsFile file = CredentialsFile.ofUser();
        Optional<String> replaced = file.token(url);
        file.put(url, v.token());
        if (replaced.isPresent() && !replaced.get().equals(v.token())) {
            // The token this one replaces would otherwise stay valid on the server, unused and forgotten here.
            try {
                new ApiClient(url, new Credentials(replaced.get(), "the token replaced")).logout();
            } catch (ApiClient.ApiException e) {
                // already revoked or expired: nothing to undo
            }
        }
        System.out.println("Signed in to " + url + " as " + v.user() + " (" + v.role() + "). The token is stored in "
                + file.path() + "; `kiln logout` revokes it.");
        return 0;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "this machine";
        }
    }
}
