package dev.kiln.agent.cli;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.agent.client.BuildWatcher;
import dev.kiln.agent.client.LogPrinter;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.StepView;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.metrics.Metric;
import dev.kiln.spec.protocol.Status;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kiln builds list|describe|log|cancel|retry|approve|reject|keep|artifacts|download}. */
@Command(name = "builds", mixinStandardHelpOptions = true, description = "List and manage builds.",
        subcommands = {BuildsCommand.ListBuilds.class, BuildsCommand.Describe.class, BuildsCommand.Log.class,
                BuildsCommand.Cancel.class, BuildsCommand.Retry.class, BuildsCommand.Approve.class,
                BuildsCommand.Reject.class, BuildsCommand.Keep.class, ArtifactCommands.ListArtifacts.class,
                ArtifactCommands.Download.class})
public final class BuildsCommand {
    @Mixin
    ServerConnection connection;

    ApiClient api() {
        return connection.api();
    }

    boolean json() {
        return connection.json();
    }

    static void printJson(Object o) throws Exception {
        System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o));
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List recent builds, newest first.")
    static final class ListBuilds implements Callable<Integer> {
        @ParentCommand BuildsCommand parent;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
                description = "How many builds to show (default ${DEFAULT-VALUE}).") int limit;
        @Option(names = "--repo", description = "Only builds of this repo.") String repo;
        @Option(names = "--branch", description = "Only builds of this branch.") String branch;
        @Option(names = "--trigger", description = "Only builds this trigger started.") String trigger;
        @Option(names = "--status", description = "Only builds with this status (SUCCESS, FAILURE, WORKING...).") String status;

        @Override
        public Integer call() throws Exception {
            List<BuildView> builds = parent.api().list(limit, repo, branch, trigger, status);
            if (parent.json()) {
                printJson(builds);
            } else {
                Output.table(System.out, builds);
            }
            return 0;
        }
    }

    @Command(name = "describe", aliases = "get", mixinStandardHelpOptions = true,
            description = "Show a build, where it came from, and its steps.")
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
            if (b.approval() != null) {
                o.println("approval: " + b.approval().decision() + " by " + b.approval().approver() + " at "
                        + Output.time(b.approval().time()) + (b.approval().comment() != null ? ": " + b.approval().comment() : ""));
            }
            o.println("config: " + b.configPath());
            if (b.labels() != null && !b.labels().isEmpty()) {
                o.println("labels: " + String.join(", ", b.labels()));
            }
            if (b.agent() != null) {
                o.println("agent: " + b.agent());
            }
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
            o.println("cause: " + b.cause() + (b.causeDetail() != null ? " (" + b.causeDetail() + ")" : ""));
            if (b.repo() != null) {
                o.println("repo: " + b.repo());
                o.println("ref: " + (b.ref() != null ? b.ref() : "-"));
                o.println("commit: " + b.commitSha());
                o.println("author: " + b.commitAuthor());
                o.println("message: " + firstLine(b.commitMessage()));
            }
            if (b.trigger() != null) {
                o.println("trigger: " + b.trigger());
            }
            if (b.kept()) {
                o.println("kept: true (retention never removes it)");
            }
            if (!b.results().images().isEmpty()) {
                o.println("results:");
                o.println("  images:");
                b.results().images().forEach(i -> o.println("  - name: " + i.name() + "\n    digest: " + i.digest()));
            }
            if (!b.metrics().isEmpty()) {
                o.println("metrics:");
                b.metrics().forEach(m -> o.println("  " + m.name() + ": " + Metric.format(m.value()) + "  (step " + m.step() + ")"));
            }
            if (!b.warnings().isEmpty()) {
                o.println("warnings:");
                b.warnings().forEach(w -> o.println("  - step " + w.step() + ": " + w.message()));
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

    private static String firstLine(String s) {
        if (s == null) {
            return "-";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl) + " ...";
    }

    @Command(name = "log", mixinStandardHelpOptions = true, description = {"Print a build's log; --stream follows it.",
            "With --format json: an array with one object per step (index, id, status, log), the log as text."})
    static final class Log implements Callable<Integer> {
        @ParentCommand BuildsCommand parent;
        @Parameters(index = "0") String id;
        @Option(names = "--stream", description = "Follow the log until the build ends.") boolean stream;

        @Override
        public Integer call() throws Exception {
            ApiClient api = parent.api();
            if (stream && parent.json()) {
                System.err.println("ERROR: --stream prints the log as text while it comes; for JSON, leave out --stream"
                        + " (the log as it is now, one object per step)");
                return 2;
            }
            if (parent.json()) {
                printJsonLog(api);
                return 0;
            }
            if (stream) {
                BuildView end = new BuildWatcher(api, System.out).follow(id);
                // As kiln submit ends: the build's status, after the last step's end.
                System.out.println(BuildWatcher.RULE);
                System.out.println(BuildWatcher.statusLine(end));
                System.out.flush();
                return end.status() == Status.SUCCESS ? 0 : 1;
            }
            BuildView b = api.get(id);
            LogPrinter out = LogPrinter.over(System.out);
            byte[] chunk = new byte[256 * 1024];
            for (StepView s : b.steps()) {
                byte[] prefix = BuildWatcher.prefixFor(s).getBytes(StandardCharsets.UTF_8);
                try (InputStream in = api.log(id, s.index())) {
                    int n;
                    while ((n = in.read(chunk)) > 0) {
                        out.log(s.index(), prefix, chunk, 0, n);
                    }
                }
                out.endStep(s.index(), prefix);
            }
            out.flush();
            return 0;
        }

        /** Streams each step's log into the JSON, so a large log is not held in memory. */
        private void printJsonLog(ApiClient api) throws Exception {
            BuildView b = api.get(id);
            PrintStream out = System.out;
            try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out).useDefaultPrettyPrinter()) {
                g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                g.writeStartArray();
                for (StepView s : b.steps()) {
                    g.writeStartObject();
                    g.writeNumberField("index", s.index());
                    g.writeStringField("id", s.id());
                    g.writeStringField("status", s.status().name());
                    g.writeFieldName("log");
                    try (InputStream in = api.log(id, s.index());
                         Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                        g.writeString(r, -1);
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            out.println();
            out.flush();
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "Cancel a queued or running build; exit 1 if it had already ended.")
    static final class Cancel implements Callable<Integer> {
        @ParentCommand BuildsCommand parent;
        @Parameters(index = "0") String id;

        @Override
        public Integer call() throws Exception {
            ApiClient api = parent.api();
            BuildView before = api.get(id);
            // A build that ended (or ended while we asked) is not cancelled: say so, and fail.
            BuildView b = before.status().isFinal() ? before : api.cancel(id);
            boolean ended = before.status().isFinal() || (b.status().isFinal() && b.status() != Status.CANCELLED);
            if (parent.json()) {
                printJson(b);
            } else if (!ended) {
                System.out.println("Cancelling build [" + b.id() + "] (status now " + b.status() + ").");
            }
            if (ended) {
                System.err.println("ERROR: build " + b.id() + " had already ended: " + b.status() + "; nothing to cancel.");
                return 1;
            }
            return 0;
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true,
            description = "Let a build waiting for approval (status PENDING) run.")
    static final class Approve implements Callable<Integer> {
        @ParentCommand BuildsCommand parent;
        @Parameters(index = "0") String id;
        @Option(names = "--comment", paramLabel = "TEXT", description = "Kept with the approval.") String comment;

        @Override
        public Integer call() throws Exception {
            return decide(parent, parent.api().approve(id, comment), "Approved");
        }
    }

    @Command(name = "reject", mixinStandardHelpOptions = true,
            description = "Turn down a build waiting for approval: it ends CANCELLED without running.")
    static final class Reject implements Callable<Integer> {
        @ParentCommand BuildsCommand parent;
        @Parameters(index = "0") String id;
        @Option(names = "--comment", paramLabel = "TEXT", description = "Kept with the rejection.") String comment;

        @Override
        public Integer call() throws Exception {
            return decide(parent, parent.api().reject(id, comment), "Rejected");
        }
    }

    private static int decide(BuildsCommand parent, BuildView b, String verb) throws Exception {
        if (parent.json()) {
            printJson(b);
        } else {
            System.out.println(verb + " build [" + b.id() + "] (status now " + b.status() + ").");
        }
        return 0;
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

    @Command(name = "keep", mixinStandardHelpOptions = true,
            description = "Keep a build (its logs and source) whatever the server's retention; --release lets it go again.")
    static final class Keep implements Callable<Integer> {
        @ParentCommand BuildsCommand parent;
        @Parameters(index = "0") String id;
        @Option(names = "--release", description = "No longer keep it: retention may remove it again.") boolean release;

        @Override
        public Integer call() throws Exception {
            BuildView b = parent.api().keep(id, !release);
            if (parent.json()) {
                printJson(b);
            } else {
                System.out.println((b.kept() ? "Keeping build [" : "No longer keeping build [") + b.id() + "].");
            }
            return 0;
        }
    }
}
