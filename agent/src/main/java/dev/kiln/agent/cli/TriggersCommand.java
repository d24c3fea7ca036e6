package dev.kiln.agent.cli;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.TriggerRun;
import dev.kiln.spec.api.TriggerView;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kiln triggers create|list|describe|delete|enable|disable|run}. */
@Command(name = "triggers", mixinStandardHelpOptions = true, description = "Create and manage triggers: what a push builds.",
        subcommands = {TriggersCommand.Create.class, TriggersCommand.ListTriggers.class, TriggersCommand.Describe.class,
                TriggersCommand.Delete.class, TriggersCommand.Enable.class, TriggersCommand.Disable.class,
                TriggersCommand.Run.class})
public final class TriggersCommand {
    @Mixin
    ServerConnection connection;

    ApiClient api() {
        return connection.api();
    }

    boolean json() {
        return connection.json();
    }

    /** {@code _K=V,_L=W} as a map; a part without '=' is refused by the server with the others. */
    static Map<String, String> substitutions(List<String> given) {
        Map<String, String> subs = new LinkedHashMap<>();
        for (String kv : given) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("substitution '" + kv + "' must have the form _KEY=VALUE");
            }
            subs.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return subs;
    }

    static final class Refs {
        @Option(names = "--branch", paramLabel = "REGEX", required = true,
                description = "Build pushes to branches matching this regex (RE2 syntax, found anywhere unless anchored: '^dev$').")
        String branch;
        @Option(names = "--tag", paramLabel = "REGEX", required = true, description = "Build pushes of tags matching this regex.")
        String tag;
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a trigger on a repo.")
    static final class Create implements Callable<Integer> {
        @ParentCommand TriggersCommand parent;
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Option(names = "--repo", required = true) String repo;
        @ArgGroup(exclusive = true, multiplicity = "1") Refs refs;
        @Option(names = "--invert-regex", description = "Build the refs that do NOT match.") boolean invert;
        @Option(names = "--config", paramLabel = "FILE",
                description = "Build config path in the repo (default: the first of " + ConfigFiles.DEFAULT_NAMES + ").")
        String config;
        @Option(names = "--included-files", split = ",", paramLabel = "GLOB",
                description = "Build only when a changed file matches one of these (src/**,data/**).")
        List<String> included = List.of();
        @Option(names = "--ignored-files", split = ",", paramLabel = "GLOB",
                description = "Changed files matching these do not count (docs/**); they win over --included-files.")
        List<String> ignored = List.of();
        @Option(names = "--substitutions", split = ",", paramLabel = "_KEY=VALUE") List<String> subs = List.of();
        @Option(names = "--pull-request", description = {"Build pull requests (from the repo's webhooks) whose BASE branch",
                "matches --branch, instead of pushes."}) boolean pullRequest;
        @Option(names = "--comment-control", description = {"With --pull-request: a pull request from someone who is not a",
                "collaborator waits until a collaborator comments '/kiln run'."}) boolean commentControl;
        @Option(names = "--collaborators", split = ",", paramLabel = "USER", description = {"With --comment-control: the",
                "users who count as collaborators, on every forge (default: GitHub's author_association)."})
        List<String> collaborators = List.of();
        @Option(names = "--approval-required",
                description = "Its builds wait in PENDING until `kiln builds approve ID` (or reject).") boolean approval;
        @Option(names = "--schedule", paramLabel = "CRON",
                description = "Also build the branch head on this UNIX cron schedule (5 fields, UTC: '0 3 * * *'),"
                        + " even with no new commit.") String schedule;
        @Option(names = "--schedule-branch", paramLabel = "BRANCH",
                description = "The branch a scheduled run builds (default: the one a '^name$' --branch names).")
        String scheduleBranch;

        @Override
        public Integer call() throws Exception {
            TriggerView t = parent.api().createTrigger(new TriggerView(name, repo, refs.branch, refs.tag, invert, config,
                    included, ignored, substitutions(subs), true, null, pullRequest, commentControl, approval, schedule,
                    scheduleBranch, collaborators));
            if (parent.json()) {
                BuildsCommand.printJson(t);
            } else {
                System.out.println("Created trigger [" + t.name() + "] on repo " + t.repo() + ".");
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List triggers.")
    static final class ListTriggers implements Callable<Integer> {
        @ParentCommand TriggersCommand parent;

        @Override
        public Integer call() throws Exception {
            List<TriggerView> all = parent.api().triggers();
            if (parent.json()) {
                BuildsCommand.printJson(all);
                return 0;
            }
            System.out.printf("%-24s  %-20s  %-8s  %s%n", "NAME", "REPO", "ENABLED", "REFS");
            for (TriggerView t : all) {
                System.out.printf("%-24s  %-20s  %-8s  %s%n", t.name(), t.repo(), t.enabled(), refs(t));
            }
            return 0;
        }
    }

    static String refs(TriggerView t) {
        return (t.pullRequest() ? "pull requests into " : "") + (t.invertRegex() ? "not " : "")
                + (t.branch() != null ? "branch " + t.branch() : "tag " + t.tag())
                + (t.commentControl() ? " (comment control)" : "");
    }

    @Command(name = "describe", mixinStandardHelpOptions = true, description = "Show a trigger.")
    static final class Describe implements Callable<Integer> {
        @ParentCommand TriggersCommand parent;
        @Parameters(index = "0", paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            TriggerView t = parent.api().trigger(name);
            if (parent.json()) {
                BuildsCommand.printJson(t);
                return 0;
            }
            PrintStream o = System.out;
            o.println("name: " + t.name());
            o.println("repo: " + t.repo());
            o.println("refs: " + refs(t));
            o.println("enabled: " + t.enabled());
            o.println("config: " + (t.config() != null ? t.config() : "(first of " + ConfigFiles.DEFAULT_NAMES + ")"));
            o.println("approvalRequired: " + t.approvalRequired());
            if (t.commentControl()) {
                o.println("collaborators: " + (t.collaborators().isEmpty() ? "(as the forge says)"
                        : String.join(",", t.collaborators())));
            }
            if (t.schedule() != null) {
                o.println("schedule: " + t.schedule() + " (UTC), builds branch " + t.scheduleBranch());
            }
            o.println("includedFiles: " + String.join(",", t.includedFiles()));
            o.println("ignoredFiles: " + String.join(",", t.ignoredFiles()));
            if (!t.substitutions().isEmpty()) {
                o.println("substitutions:");
                t.substitutions().forEach((k, v) -> o.println("  " + k + ": " + v));
            }
            o.println("createTime: " + Output.time(t.createTime()));
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a trigger.")
    static final class Delete implements Callable<Integer> {
        @ParentCommand TriggersCommand parent;
        @Parameters(index = "0", paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            parent.api().deleteTrigger(name);
            if (parent.json()) {
                BuildsCommand.printJson(Map.of("deleted", name));
            } else {
                System.out.println("Deleted trigger [" + name + "].");
            }
            return 0;
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a trigger.")
    static final class Enable implements Callable<Integer> {
        @ParentCommand TriggersCommand parent;
        @Parameters(index = "0", paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            return switchTo(parent, name, true);
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disable a trigger: pushes build nothing through it.")
    static final class Disable implements Callable<Integer> {
        @ParentCommand TriggersCommand parent;
        @Parameters(index = "0", paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            return switchTo(parent, name, false);
        }
    }

    private static int switchTo(TriggersCommand parent, String name, boolean enabled) throws Exception {
        TriggerView t = parent.api().enableTrigger(name, enabled);
        if (parent.json()) {
            BuildsCommand.printJson(t);
        } else {
            System.out.println((enabled ? "Enabled" : "Disabled") + " trigger [" + t.name() + "].");
        }
        return 0;
    }

    static final class Revision {
        @Option(names = "--branch", required = true, description = "Build this branch's head.") String branch;
        @Option(names = "--tag", required = true, description = "Build this tag.") String tag;
        @Option(names = "--sha", required = true, description = "Build this commit (4 to 40 hex digits).") String sha;
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Build a branch head, tag or commit through the trigger's settings, as a push would (cause: manual).")
    static final class Run implements Callable<Integer> {
        @ParentCommand TriggersCommand parent;
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @ArgGroup(exclusive = true, multiplicity = "1") Revision revision;
        @Option(names = "--substitutions", split = ",", paramLabel = "_KEY=VALUE",
                description = "Win over the trigger's own.") List<String> subs = List.of();

        @Override
        public Integer call() throws Exception {
            ApiClient api = parent.api();
            BuildView b = api.runTrigger(name, new TriggerRun(revision.branch, revision.tag, revision.sha, substitutions(subs)));
            if (parent.json()) {
                BuildsCommand.printJson(b);
            } else {
                System.out.println("Created [" + api.base() + "/builds/" + b.id() + "] from " + b.commitSha() + ".");
                Output.table(System.out, List.of(b));
            }
            return 0;
        }
    }
}
