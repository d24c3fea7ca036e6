package dev.kiln.agent.cli;

import dev.kiln.agent.client.ApiClient;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The options every command group that talks to a server takes ({@code builds}, {@code repos},
 * {@code triggers}), inherited by their subcommands: where the server is, the token, how to print.
 */
public final class ServerConnection {
    /** How a command prints; anything else is refused by picocli (exit 2, naming these). */
    public enum Format { text, json }

    @Option(names = "--server", scope = ScopeType.INHERIT,
            description = "Server URL (default: KILN_SERVER, else http://localhost:8080).")
    String server;
    @Option(names = "--format", scope = ScopeType.INHERIT, defaultValue = "text",
            description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    Format format;
    @Option(names = "--token", scope = ScopeType.INHERIT,
            description = "API token (default: KILN_TOKEN, else the admin token of a server on this machine).")
    String token;

    ApiClient api() {
        return ApiClient.forCli(server, token);
    }

    boolean json() {
        return format == Format.json;
    }
}
