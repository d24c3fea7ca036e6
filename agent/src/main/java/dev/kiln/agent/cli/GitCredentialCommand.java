package dev.kiln.agent.cli;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.agent.client.Credentials;
import dev.kiln.spec.api.LocalServers;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code kiln git-credential get}: a git credential helper, so that {@code git push} to a repo Kiln
 * hosts sends the user's API token without the token being written into {@code .git/config}. Git
 * asks with {@code protocol}, {@code host} and the {@code username} of the remote's URL (Kiln's git
 * URLs name the user; without one, the server is asked whose the token is); the answer is the token
 * {@code kiln} itself would send to that server. It
 * answers only for a server on this machine or the one {@code KILN_SERVER} names, so a helper
 * configured too widely sends no Kiln token to another host. {@code store} and {@code erase} do
 * nothing: the token lives where {@code kiln} keeps it.
 */
@Command(name = "git-credential", mixinStandardHelpOptions = true,
        description = {"A git credential helper that answers with your Kiln API token.",
                "Set it up in a clone: git config credential.helper '!kiln git-credential'"})
public final class GitCredentialCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "OPERATION", description = "get, store or erase (as git calls it).")
    String operation;

    @Override
    public Integer call() throws Exception {
        Map<String, String> asked = read();
        if (!"get".equals(operation)) {
            return 0;
        }
        answer(asked, System.getenv("KILN_SERVER"), System.out);
        return 0;
    }

    /** Prints the credentials for the request {@code asked} of git, or nothing when it is not for a Kiln server. */
    static void answer(Map<String, String> asked, String kilnServer, PrintStream out) {
        String protocol = asked.get("protocol");
        String host = asked.get("host");
        if (host == null || !("http".equals(protocol) || "https".equals(protocol))) {
            return;
        }
        String url = protocol + "://" + host;
        if (!LocalServers.isLocal(url) && !sameServer(url, kilnServer)) {
            return;
        }
        Credentials c = Credentials.find(url, null);
        if (c.token() == null) {
            System.err.println("kiln git-credential: " + c.tried());
            return;
        }
        String user = asked.get("username");
        if (user == null) {
            user = owner(url, c);   // a remote URL without a user (the dashboard's): the token's own
        }
        if (user != null) {
            out.println("username=" + user);
        }
        out.println("password=" + c.token());
    }

    /** The user a token belongs to, as the server says; null when it cannot say. */
    private static String owner(String url, Credentials c) {
        try {
            return new ApiClient(url, c).whoami().name();
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static boolean sameServer(String url, String kilnServer) {
        if (kilnServer == null || kilnServer.isBlank()) {
            return false;
        }
        try {
            URI a = URI.create(url);
            URI b = URI.create(ApiClient.serverUrl(kilnServer));
            return a.getScheme().equalsIgnoreCase(b.getScheme()) && b.getRawAuthority() != null
                    && a.getRawAuthority().equalsIgnoreCase(b.getRawAuthority().replaceFirst("^.*@", ""));
        } catch (IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }

    /** Git's request: {@code key=value} lines up to a blank line or the end. */
    private static Map<String, String> read() throws java.io.IOException {
        Map<String, String> asked = new LinkedHashMap<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                asked.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return asked;
    }
}
