package dev.kiln.agent.cli;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.spec.api.RegistryLogin;
import dev.kiln.spec.api.RegistryView;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kiln registries login|list|logout}: the registry logins builds push their images with. */
@Command(name = "registries", mixinStandardHelpOptions = true,
        description = {"Registry logins the server hands to builds that push there (images: and docker push steps).",
                "Kept encrypted with the server's master key, as secrets are."},
        subcommands = {RegistriesCommand.Login.class, RegistriesCommand.ListRegistries.class, RegistriesCommand.Logout.class})
public final class RegistriesCommand {
    @Mixin
    ServerConnection connection;

    ApiClient api() {
        return connection.api();
    }

    @Command(name = "login", mixinStandardHelpOptions = true,
            description = {"Store a login for a registry, as in image names: host or host:port (docker.io for Docker Hub).",
                    "The password is read from standard input: echo \"$TOKEN\" | kiln registries login HOST -u USER --password-stdin"})
    static final class Login implements Callable<Integer> {
        @ParentCommand RegistriesCommand parent;
        @Parameters(index = "0", paramLabel = "HOST") String host;
        @Option(names = {"-u", "--username"}, required = true, paramLabel = "USER") String username;
        @Option(names = "--password-stdin", required = true, description = "Read the password from standard input (one line).")
        boolean passwordStdin;

        @Override
        public Integer call() throws Exception {
            String password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (password == null || password.isEmpty()) {
                System.err.println("ERROR: no password on standard input (pipe it in: ... | kiln registries login HOST"
                        + " --username USER --password-stdin)");
                return 2;
            }
            RegistryView r = parent.api().loginRegistry(new RegistryLogin(host, username, password));
            if (parent.connection.json()) {
                BuildsCommand.printJson(r);
            } else {
                System.out.println("Stored the login of " + r.username() + " for " + r.host()
                        + ". Builds that push there get it; the password is never shown again.");
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List registry logins (never their passwords).")
    static final class ListRegistries implements Callable<Integer> {
        @ParentCommand RegistriesCommand parent;

        @Override
        public Integer call() throws Exception {
            List<RegistryView> all = parent.api().registries();
            if (parent.connection.json()) {
                BuildsCommand.printJson(all);
                return 0;
            }
            System.out.printf("%-32s  %-20s  %s%n", "HOST", "USERNAME", "LOGIN TIME");
            for (RegistryView r : all) {
                System.out.printf("%-32s  %-20s  %s%n", r.host(), r.username(), Output.time(r.loginTime()));
            }
            return 0;
        }
    }

    @Command(name = "logout", mixinStandardHelpOptions = true, description = "Forget the login for a registry.")
    static final class Logout implements Callable<Integer> {
        @ParentCommand RegistriesCommand parent;
        @Parameters(index = "0", paramLabel = "HOST") String host;

        @Override
        public Integer call() throws Exception {
            parent.api().logoutRegistry(host);
            if (parent.connection.json()) {
                BuildsCommand.printJson(Map.of("loggedOut", host));
            } else {
                System.out.println("Removed the login for " + host + ".");
            }
            return 0;
        }
    }
}
