package dev.kiln.server.cli;

import dev.kiln.agent.cli.AgentCommand;
import dev.kiln.agent.cli.AgentsCommand;
import dev.kiln.agent.cli.AuditCommand;
import dev.kiln.agent.cli.BuildsCommand;
import dev.kiln.agent.cli.GitCredentialCommand;
import dev.kiln.agent.cli.LoginCommand;
import dev.kiln.agent.cli.LogoutCommand;
import dev.kiln.agent.cli.ModelsCommand;
import dev.kiln.agent.cli.PromotionsCommand;
import dev.kiln.agent.cli.NotificationsCommand;
import dev.kiln.agent.cli.RegistriesCommand;
import dev.kiln.agent.cli.ReposCommand;
import dev.kiln.agent.cli.SecretsCommand;
import dev.kiln.agent.cli.TriggersCommand;
import dev.kiln.agent.cli.SubmitCommand;
import dev.kiln.agent.cli.TokensCommand;
import dev.kiln.agent.cli.UsersCommand;
import dev.kiln.agent.cli.WhoamiCommand;
import dev.kiln.agent.cli.ValidateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kiln} command: server, agent and client commands in one jar. */
@Command(name = "kiln", mixinStandardHelpOptions = true, version = "kiln 0.1.0",
        description = "Kiln: a build server for machine-learning repositories.",
        subcommands = {ServerCommand.class, AgentCommand.class, AgentsCommand.class, SubmitCommand.class, BuildsCommand.class,
                ReposCommand.class, PromotionsCommand.class, ModelsCommand.class, TriggersCommand.class, RegistriesCommand.class,
                SecretsCommand.class, ValidateCommand.class,
                UsersCommand.class, TokensCommand.class, WhoamiCommand.class,
                AuditCommand.class, NotificationsCommand.class, GitCredentialCommand.class, LoginCommand.class, LogoutCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                // A person reads this: one line saying what went wrong, not a stack trace.
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("ERROR: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
                    return 1;
                })
                .execute(args));
    }
}
