package dev.kiln.agent.cli;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.spec.api.AgentView;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kiln agents list|registration-token|disable|enable}: the agents that joined the server. */
@Command(name = "agents", mixinStandardHelpOptions = true,
        description = {"The agents that joined the server. An agent joins with the registration token",
                "(kiln agent --token-file FILE), then calls with a credential of its own."},
        subcommands = {AgentsCommand.ListAgents.class, AgentsCommand.RegistrationToken.class,
                AgentsCommand.Disable.class, AgentsCommand.Enable.class})
public final class AgentsCommand {
    @Mixin
    ServerConnection connection;

    ApiClient api() {
        return connection.api();
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the agents that joined (never their credentials).")
    static final class ListAgents implements Callable<Integer> {
        @ParentCommand AgentsCommand parent;

        @Override
        public Integer call() throws Exception {
            List<AgentView> all = parent.api().agents();
            if (parent.connection.json()) {
                BuildsCommand.printJson(all);
                return 0;
            }
            System.out.printf("%-28s  %-8s  %-25s  %-20s  %s%n", "ID", "STATE", "LAST SEEN", "HOST", "BUILDS");
            for (AgentView a : all) {
                System.out.printf("%-28s  %-8s  %-25s  %-20s  %s%n", a.id(), a.disabled() ? "disabled" : "enabled",
                        a.lastSeen() == null ? "never" : Output.time(a.lastSeen()), a.hostname() == null ? "" : a.hostname(),
                        String.join(",", a.builds()));
            }
            return 0;
        }
    }

    @Command(name = "registration-token", mixinStandardHelpOptions = true,
            description = {"Print the token new agents join with (admins only).",
                    "--rotate replaces it: agents that joined keep working, new ones need the new token."})
    static final class RegistrationToken implements Callable<Integer> {
        @ParentCommand AgentsCommand parent;
        @Option(names = "--rotate", description = "Make a new registration token; the old one joins no more agents.")
        boolean rotate;

        @Override
        public Integer call() throws Exception {
            String token = parent.api().registrationToken(rotate);
            if (parent.connection.json()) {
                BuildsCommand.printJson(Map.of("token", token));
            } else {
                System.out.println(token);
                if (rotate) {
                    System.err.println("Rotated: the old token joins no more agents; agents that joined keep working.");
                }
            }
            return 0;
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = {"Disable an agent: its calls are refused at once, and the builds it runs end (INTERNAL_ERROR,",
                    "saying so). To keep a machine out for good, also rotate the registration token."})
    static final class Disable implements Callable<Integer> {
        @ParentCommand AgentsCommand parent;
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        public Integer call() throws Exception {
            AgentView a = parent.api().setAgentDisabled(id, true);
            if (parent.connection.json()) {
                BuildsCommand.printJson(a);
            } else {
                System.out.println("Disabled agent " + a.id() + ".");
            }
            return 0;
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled agent again.")
    static final class Enable implements Callable<Integer> {
        @ParentCommand AgentsCommand parent;
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        public Integer call() throws Exception {
            AgentView a = parent.api().setAgentDisabled(id, false);
            if (parent.connection.json()) {
                BuildsCommand.printJson(a);
            } else {
                System.out.println("Enabled agent " + a.id() + "; a remote agent must be started again.");
            }
            return 0;
        }
    }
}
