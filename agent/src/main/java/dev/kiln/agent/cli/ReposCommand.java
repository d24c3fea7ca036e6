package dev.kiln.agent.cli;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.RepoView;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kiln repos add|list|describe|delete|protect|unprotect|set-policy|policy|remove-policy}. */
@Command(name = "repos", mixinStandardHelpOptions = true, description = "Add and manage git repos.",
        subcommands = {ReposCommand.Add.class, ReposCommand.ListRepos.class, ReposCommand.Describe.class,
                ReposCommand.Delete.class, ReposCommand.Protect.class, ReposCommand.Unprotect.class,
                PolicyCommands.SetPolicy.class, PolicyCommands.ShowPolicy.class, PolicyCommands.RemovePolicy.class})
public final class ReposCommand {
    @Mixin
    ServerConnection connection;

    ApiClient api() {
        return connection.api();
    }

    boolean json() {
        return connection.json();
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a repo. Without --url Kiln hosts it: push to the git URL it prints.",
                    "With --url Kiln mirrors that remote (file://, a path, http(s)://; not ssh:// yet)."})
    static final class Add implements Callable<Integer> {
        @ParentCommand ReposCommand parent;
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Option(names = "--url", description = "The remote to mirror.") String url;
        @Option(names = "--poll-interval", paramLabel = "DURATION",
                description = "How often to fetch a mirrored repo, such as 30s (default 60s).") String pollInterval;
        @Option(names = "--credentials", paramLabel = "USER", description = "Basic-auth user for an http(s) remote.")
        String user;
        @Option(names = "--password-file", paramLabel = "FILE", description = "File holding that user's password or token.")
        Path passwordFile;
        @Option(names = "--webhook-secret-file", paramLabel = "FILE",
                description = "File holding the secret the forge signs this repo's webhooks with (8 characters or more).")
        Path webhookSecretFile;
        @Option(names = "--forge", paramLabel = "KIND", description = "Post build states to the commit: github, gitlab or gitea.")
        String forge;
        @Option(names = "--forge-url", paramLabel = "URL",
                description = "The forge's API (default https://api.github.com, https://gitlab.com; required for gitea).")
        String forgeUrl;
        @Option(names = "--forge-project", paramLabel = "OWNER/REPO", description = "The project there (default: from --url).")
        String forgeProject;
        @Option(names = "--forge-token-file", paramLabel = "FILE",
                description = "File (mode 600) holding the forge's API token; the server reads it at each post.")
        Path forgeTokenFile;

        @Override
        public Integer call() throws Exception {
            if ((user == null) != (passwordFile == null)) {
                System.err.println("ERROR: --credentials and --password-file go together");
                return 2;
            }
            String password = passwordFile == null ? null : Files.readString(passwordFile).strip();
            String secret = webhookSecretFile == null ? null : Files.readString(webhookSecretFile).strip();
            RepoView r = parent.api().createRepo(new RepoRequest(name, url, pollInterval, user, password, secret, forge,
                    forgeUrl, forgeProject, forgeTokenFile == null ? null : forgeTokenFile.toAbsolutePath().toString()));
            if (parent.json()) {
                BuildsCommand.printJson(r);
            } else if (r.gitUrl() != null) {
                System.out.println("Created hosted repo [" + r.name() + "]. Push to it from your clone (git asks kiln"
                        + " for your API token):");
                for (String line : pushCommands(r.gitUrl())) {
                    System.out.println("  " + line);
                }
                if (!r.protectedBranches().isEmpty()) {
                    System.out.println("Protected (no push changes them, only the server): "
                            + String.join(", ", r.protectedBranches()));
                }
            } else {
                System.out.println("Created repo [" + r.name() + "], a mirror of " + r.url() + ".");
                if (r.webhookSecret()) {
                    System.out.println("Webhook URL (content type application/json, the same secret): " + r.webhookUrl());
                }
                if (r.lastPollError() != null) {
                    System.out.println("WARNING: " + r.lastPollError());
                }
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List repos.")
    static final class ListRepos implements Callable<Integer> {
        @ParentCommand ReposCommand parent;

        @Override
        public Integer call() throws Exception {
            List<RepoView> repos = parent.api().repos();
            if (parent.json()) {
                BuildsCommand.printJson(repos);
                return 0;
            }
            System.out.printf("%-24s  %-8s  %-5s  %s%n", "NAME", "KIND", "HEADS", "URL");
            for (RepoView r : repos) {
                System.out.printf("%-24s  %-8s  %-5d  %s%n", r.name(), r.kind(), r.heads().size(),
                        r.gitUrl() != null ? r.gitUrl() : r.url());
            }
            return 0;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true, description = "Show a repo: its heads, where to push, its last poll.")
    static final class Describe implements Callable<Integer> {
        @ParentCommand ReposCommand parent;
        @Parameters(index = "0", paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            RepoView r = parent.api().repo(name);
            if (parent.json()) {
                BuildsCommand.printJson(r);
                return 0;
            }
            PrintStream o = System.out;
            o.println("name: " + r.name());
            o.println("kind: " + r.kind());
            if (r.gitUrl() != null) {
                o.println("gitUrl: " + r.gitUrl());
                o.println("protectedBranches: " + (r.protectedBranches().isEmpty() ? "-"
                        : String.join(", ", r.protectedBranches())));
            }
            if (r.url() != null) {
                o.println("url: " + r.url());
                o.println("pollInterval: " + r.pollInterval());
                o.println("credentials: " + (r.credentialsUser() != null ? r.credentialsUser() : "-"));
                o.println("lastPollTime: " + Output.time(r.lastPollTime()));
                o.println("lastSuccessTime: " + Output.time(r.lastSuccessTime()));
                o.println("lastPollError: " + (r.lastPollError() != null ? r.lastPollError() : "-"));
                o.println("nextPollTime: " + Output.time(r.nextPollTime()) + (r.pollFailures() > 0
                        ? " (backing off after " + r.pollFailures() + " failures in a row)" : ""));
                o.println("webhookUrl: " + r.webhookUrl() + (r.webhookSecret() ? "" : " (no secret set: webhooks are refused)"));
                if (r.forge() != null) {
                    o.println("forge: " + r.forge() + " " + r.forgeUrl() + " project " + r.forgeProject());
                    o.println("lastStatusTime: " + Output.time(r.lastStatusTime()));
                    o.println("lastStatusError: " + (r.lastStatusError() != null ? r.lastStatusError() : "-"));
                }
            }
            o.println("createTime: " + Output.time(r.createTime()));
            o.println("heads:" + (r.heads().isEmpty() ? " (none yet)" : ""));
            r.heads().forEach((ref, sha) -> o.println("  " + ref + " " + sha));
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a repo and Kiln's copy of it (delete its triggers first).")
    static final class Delete implements Callable<Integer> {
        @ParentCommand ReposCommand parent;
        @Parameters(index = "0", paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            parent.api().deleteRepo(name);
            if (parent.json()) {
                BuildsCommand.printJson(java.util.Map.of("deleted", name));
            } else {
                System.out.println("Deleted repo [" + name + "].");
            }
            return 0;
        }
    }

    /** What to type in a clone to push to {@code gitUrl}: the remote, the credential helper for that server, the push. */
    static List<String> pushCommands(String gitUrl) {
        java.net.URI u = java.net.URI.create(gitUrl);
        String server = u.getScheme() + "://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "");
        String launcher = System.getenv("KILN_LAUNCHER");   // set by the ./kiln script: kiln may not be on PATH
        String kiln = launcher == null || launcher.isBlank() || launcher.contains("'") ? "kiln"
                : launcher.contains(" ") ? "\"" + launcher + "\"" : launcher;
        return List.of("git remote add kiln " + gitUrl,
                "git config credential." + server + ".helper '!" + kiln + " git-credential'",
                "git push kiln BRANCH");
    }

    @Command(name = "protect", mixinStandardHelpOptions = true,
            description = {"Protect a branch of a hosted repo: every push that would create, move or delete it is",
                    "refused (the push's other branches still land); only the server changes it. prod is protected",
                    "on every hosted repo from the start."})
    static final class Protect implements Callable<Integer> {
        @ParentCommand ReposCommand parent;
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Parameters(index = "1", paramLabel = "BRANCH") String branch;

        @Override
        public Integer call() throws Exception {
            return parent.protect(name, branch, true);
        }
    }

    @Command(name = "unprotect", mixinStandardHelpOptions = true, description = "Let pushes change a protected branch again.")
    static final class Unprotect implements Callable<Integer> {
        @ParentCommand ReposCommand parent;
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Parameters(index = "1", paramLabel = "BRANCH") String branch;

        @Override
        public Integer call() throws Exception {
            return parent.protect(name, branch, false);
        }
    }

    int protect(String name, String branch, boolean on) throws Exception {
        RepoView r = api().protectBranch(name, branch, on);
        if (json()) {
            BuildsCommand.printJson(r);
        } else {
            System.out.println((on ? "Protected" : "Unprotected") + " branch [" + branch + "] of repo [" + name
                    + "]. Protected branches: " + (r.protectedBranches().isEmpty() ? "none"
                    : String.join(", ", r.protectedBranches())) + ".");
        }
        return 0;
    }
}
