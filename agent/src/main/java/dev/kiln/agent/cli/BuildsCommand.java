package dev.kiln.agent.cli;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.agent.client.BuildWatcher;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.StepView;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.protocol.Status;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kiln builds list|describe|log|cancel|retry}. */
@Command(name = "builds", mixinStandardHelpOptions = true, description = "List and manage builds.",
        subcommands = {BuildsCommand.ListBuilds.class, BuildsCommand.Describe.class, BuildsCommand.Log.class,
                BuildsCommand.Cancel.class, BuildsCommand.Retry.class})
public final class BuildsCommand {
    @Option(names = "--server", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Server URL (default: KILN_SERVER, else http://localhost:8080).")
    String server;
    @Option(names = "--format", scope = picocli.CommandLine.ScopeType.INHERIT, description = "text or json (default text).")
    String format = "text";
    @Option(names = "--token", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "API token (default: KILN_TOKEN, else the admin token of a server on this machine).")
    String token;

    ApiClient api() {
        return ApiClient.forCli(server, token);
    }

    boolean json() {
        return "json".equalsIgnoreCase(format);
    }

    static void printJson(Object o) throws Exception {
        System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o));
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List recent builds, newest first.")
    static final class ListBuilds implements Callable<Integer> {
        @ParentCommand BuildsCommand parent;
        @Option(names = "--limit", defaultValue = "50") int limit;

        @Override
        public Integer call() throws Exception {
            List<BuildView> builds = parent.api().list(limit);
            if (parent.json()) {
                printJson(builds);
            } else {
                Output.table(System.out, builds);
            }
            return 0;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true, description = "Show a build and its steps.")
    static final class Describe implements Callable<Integer> {
        @ParentCommand BuildsCommand parent;
        @Parameters(index = "0") String id;

        @Override
        public Integer call() throws Exception {
            BuildView b = parent.api().get(id);
            if (parent.json()) {
                printJson(b);
                return 0;
            }
            PrintStream o = System.out;
            o.println("id: " + b.id());
            o.println("status: " + b.status());
            if (b.statusDetail() != null) {
                o.println("statusDetail: " + b.statusDetail());
            }
            o.println("config: " + b.configPath());
            o.println("createTime: " + Output.time(b.createTime()));
            o.println("startTime: " + Output.time(b.startTime()));
            o.println("finishTime: " + Output.time(b.finishTime()));
            o.println("duration: " + Output.duration(b));
            if (!b.substitutions().isEmpty()) {
                o.println("substitutions:");
                b.substitutions().forEach((k, v) -> o.println("  " + k + ": " + v));
            }
            if (b.retryOf() != null) {
                o.println("retryOf: " + b.retryOf());
            }
            o.println("steps:");
            for (StepView s : b.steps()) {
                o.printf("  - #%d %s: %s%s%s%n", s.index(), s.id(), s.status(),
                        s.exitCode() != null ? " (exit " + s.exitCode() + ")" : "",
                        s.statusDetail() != null ? " - " + s.statusDetail() : "");
            }
            return 0;
        }
    }

    @Command(name = "log", mixinStandardHelpOptions = true, description = "Print a build's log; --stream follows it.")
    static final class Log implements Callable<Integer> {
        @ParentCommand BuildsCommand parent;
        @Parameters(index = "0") String id;
        @Option(names = "--stream", description = "Follow the log until the build ends.") boolean stream;

        @Override
        public Integer call() throws Exception {
            ApiClient api = parent.api();
            if (stream) {
                BuildView end = new BuildWatcher(api, System.out).follow(id);
                return end.status() == Status.SUCCESS ? 0 : 1;
            }
            BuildView b = api.get(id);
            for (StepView s : b.steps()) {
                String prefix = BuildWatcher.prefixFor(s);
                try (InputStream in = api.log(id, s.index());
                     BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        System.out.println(prefix + line);
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a queued or running build.")
    static final class Cancel implements Callable<Integer> {
        @ParentCommand BuildsCommand parent;
        @Parameters(index = "0") String id;

        @Override
        public Integer call() throws Exception {
            BuildView b = parent.api().cancel(id);
            if (parent.json()) {
                printJson(b);
            } else {
                System.out.println("Cancelling build [" + b.id() + "] (status now " + b.status() + ").");
            }
            return 0;
        }
    }

    @Command(name = "retry", mixinStandardHelpOptions = true, description = "Run a build again from the same source and config.")
    static final class Retry implements Callable<Integer> {
        @ParentCommand BuildsCommand parent;
        @Parameters(index = "0") String id;

        @Override
        public Integer call() throws Exception {
            ApiClient api = parent.api();
            BuildView b = api.retry(id);
            if (parent.json()) {
                printJson(b);
            } else {
                System.out.println("Created [" + api.base() + "/builds/" + b.id() + "].");
                Output.table(System.out, List.of(b));
            }
            return 0;
        }
    }
}
