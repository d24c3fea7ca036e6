package dev.kiln.agent.cli;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.agent.client.Credentials;
import dev.kiln.agent.client.CredentialsFile;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kiln logout}: revokes the token {@code kiln login} stored for a server, and forgets it. */
@Command(name = "logout", mixinStandardHelpOptions = true,
        description = "Sign out of a Kiln server: the server revokes the token `kiln login` stored, and it is removed here.")
public final class LogoutCommand implements Callable<Integer> {
    @Option(names = "--server", description = "Server URL (default: KILN_SERVER, else http://localhost:8080).")
    String server;

    @Override
    public Integer call() throws Exception {
        String url = ApiClient.serverUrl(server).replaceAll("/+$", "");
        CredentialsFile file = CredentialsFile.ofUser();
        Optional<String> token = file.token(url);
        if (token.isEmpty()) {
            System.out.println("Not signed in to " + url + " (no token of `kiln login` in " + file.path() + ").");
            return 0;
        }
        String note = "";
        try {
            new ApiClient(url, new Credentials(token.get(), "token of `kiln login` from " + file.path())).logout();
        } catch (ApiClient.ApiException e) {
            if (e.error().status() != 401) {
                throw e;   // keep the token: the server could not revoke it
            }
            note = " (the server no longer accepted the token)";
        }
        file.remove(url);
        System.out.println("Signed out of " + url + note + "; removed its token from " + file.path() + ".");
        return 0;
    }
}
