package dev.kiln.agent.cli;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.spec.api.SecretView;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kiln secrets set|list|delete}: the encrypted secrets steps get through secretEnv. */
@Command(name = "secrets", mixinStandardHelpOptions = true,
        description = {"Secrets builds name in availableSecrets.secretManager and steps get through secretEnv.",
                "Stored encrypted; no command or API ever shows a value again."},
        subcommands = {SecretsCommand.Set.class, SecretsCommand.ListSecrets.class, SecretsCommand.Delete.class})
public final class SecretsCommand {
    @Mixin
    ServerConnection connection;

    ApiClient api() {
        return connection.api();
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = {"Set a secret; the value is read from standard input (one trailing newline is dropped):",
                    "  printf %s \"$TOKEN\" | kiln secrets set hf-token [--repo R]"})
    static final class Set implements Callable<Integer> {
        @ParentCommand SecretsCommand parent;
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Option(names = "--repo", paramLabel = "REPO", description = "Only builds of this repo get it (default: every build).")
        String repo;

        @Override
        public Integer call() throws Exception {
            byte[] value = System.in.readAllBytes();
            int n = value.length;
            if (n > 0 && value[n - 1] == '\n') {
                n -= n > 1 && value[n - 2] == '\r' ? 2 : 1;
            }
            if (n == 0) {
                System.err.println("ERROR: no value on standard input (pipe it in: ... | kiln secrets set " + name + ")");
                return 2;
            }
            SecretView s = parent.api().setSecret(name, repo, java.util.Arrays.copyOf(value, n));
            if (parent.connection.json()) {
                BuildsCommand.printJson(s);
            } else {
                System.out.println("Stored secret " + s.name() + (s.repo() == null ? " for every build" : " for builds of repo "
                        + s.repo()) + ". Steps that list it in secretEnv get it; the value is never shown again.");
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List secrets: names, scope and when set (never values).")
    static final class ListSecrets implements Callable<Integer> {
        @ParentCommand SecretsCommand parent;

        @Override
        public Integer call() throws Exception {
            List<SecretView> all = parent.api().secrets();
            if (parent.connection.json()) {
                BuildsCommand.printJson(all);
                return 0;
            }
            System.out.printf("%-32s  %-20s  %s%n", "NAME", "REPO", "UPDATED");
            for (SecretView s : all) {
                System.out.printf("%-32s  %-20s  %s%n", s.name(), s.repo() == null ? "(all)" : s.repo(),
                        Output.time(s.updateTime()));
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a secret (builds naming it then fail).")
    static final class Delete implements Callable<Integer> {
        @ParentCommand SecretsCommand parent;
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Option(names = "--repo", paramLabel = "REPO", description = "The repo's own secret (default: the global one).")
        String repo;

        @Override
        public Integer call() throws Exception {
            parent.api().deleteSecret(name, repo);
            if (parent.connection.json()) {
                BuildsCommand.printJson(Map.of("deleted", name));
            } else {
                System.out.println("Deleted secret " + name + (repo == null ? "" : " of repo " + repo) + ".");
            }
            return 0;
        }
    }
}
