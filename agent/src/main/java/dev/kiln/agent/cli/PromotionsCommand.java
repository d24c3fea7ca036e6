package dev.kiln.agent.cli;

import static dev.kiln.agent.cli.AuditCommand.cell;

import dev.kiln.agent.client.PromotionClient;
import dev.kiln.spec.api.PromotionView;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kiln promotions list|describe|approve|reject}. */
@Command(name = "promotions", mixinStandardHelpOptions = true,
        description = "List promotions (a green build on its way to production), see their gates, approve or reject them.",
        subcommands = {PromotionsCommand.ListPromotions.class, PromotionsCommand.Describe.class,
                PromotionsCommand.Approve.class, PromotionsCommand.Reject.class})
public final class PromotionsCommand {
    @Mixin
    ServerConnection connection;

    PromotionClient client() {
        return new PromotionClient(connection.api());
    }

    boolean json() {
        return connection.json();
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List promotions, newest first.")
    static final class ListPromotions implements Callable<Integer> {
        @ParentCommand PromotionsCommand parent;
        @Option(names = "--repo", description = "Only promotions of this repo.") String repo;
        @Option(names = "--state", paramLabel = "STATE",
                description = "Only promotions in this state: AWAITING_APPROVAL, PROMOTING, PROMOTED, GATES_FAILED,"
                        + " REJECTED, FAILED, SUPERSEDED, EXPIRED.") String state;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
                description = "How many to show, 1 to 500 (default ${DEFAULT-VALUE}).") int limit;

        @Override
        public Integer call() throws Exception {
            return PromotionOutput.print(parent.json(), parent.client().list(repo, state, limit), ListPromotions::table);
        }

        static void table(PrintStream out, List<PromotionView> all) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"ID", "REPO", "WHAT", "STATE", "COMMIT", "GATES", "APPROVALS", "CREATE_TIME"});
            for (PromotionView p : all) {
                long passed = p.gates().stream().filter(g -> "PASS".equals(g.verdict())).count();
                long moot = p.gates().stream().filter(g -> "NOT_APPLICABLE".equals(g.verdict())).count();
                rows.add(new String[] {p.id(), p.repo(), PromotionOutput.what(p), p.state(), PromotionOutput.shortSha(p.commit()),
                        p.gates().isEmpty() ? "-" : passed + "/" + p.gates().size() + " pass" + (moot > 0 ? ", " + moot + " n/a" : ""),
                        PromotionOutput.approvals(p) + "/" + p.approvalsNeeded(), PromotionOutput.time(p.createTime())});
            }
            PromotionOutput.table(out, "", rows);
        }
    }

    @Command(name = "describe", aliases = "get", mixinStandardHelpOptions = true,
            description = {"Show a promotion: its commit, metrics, artifacts, gate table and decisions.",
                    "Each gate with its value, threshold, production value, verdict, what it compared with and why;"
                    + " once promoted, the production build and the model version."})
    static final class Describe implements Callable<Integer> {
        @ParentCommand PromotionsCommand parent;
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        public Integer call() throws Exception {
            return PromotionOutput.print(parent.json(), parent.client().get(id), PromotionOutput::promotion);
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true,
            description = {"Approve a promotion awaiting approval (needs the policy's approver role).",
                    "Bound to what it shows now: if its commit, metrics or artifacts change first, the server refuses it."})
    static final class Approve implements Callable<Integer> {
        @ParentCommand PromotionsCommand parent;
        @Parameters(index = "0", paramLabel = "ID") String id;
        @Option(names = "--comment", paramLabel = "TEXT", description = "Kept with the approval.") String comment;

        @Override
        public Integer call() throws Exception {
            PromotionClient client = parent.client();
            PromotionView shown = client.get(id);
            PromotionView now = client.approve(shown, comment);
            if (parent.json()) {
                BuildsCommand.printJson(now);
                return 0;
            }
            PrintStream o = System.out;
            o.println("Approved promotion [" + now.id() + "] of repo [" + cell(now.repo()) + "] ("
                    + PromotionOutput.what(now) + "):");
            o.println("  commit: " + cell(shown.commit()));
            o.println("  metrics: " + (shown.metrics().isEmpty() ? "(none)" : String.join(" ", shown.metrics().entrySet()
                    .stream().map(e -> cell(e.getKey()) + "=" + PromotionOutput.number(e.getValue())).toList())));
            o.println("  artifacts: " + shown.artifacts().size() + " (digest " + cell(shown.artifactsDigest()) + ")");
            o.println("State now " + now.state() + ("AWAITING_APPROVAL".equals(now.state())
                    ? " (" + PromotionOutput.approvals(now) + " of " + now.approvalsNeeded() + " approvals)" : "")
                    + (now.detail() == null ? "" : ": " + cell(now.detail())) + ".");
            return 0;
        }
    }

    @Command(name = "reject", mixinStandardHelpOptions = true,
            description = "Reject a promotion awaiting approval: it ends REJECTED and the target branch stays.")
    static final class Reject implements Callable<Integer> {
        @ParentCommand PromotionsCommand parent;
        @Parameters(index = "0", paramLabel = "ID") String id;
        @Option(names = "--comment", paramLabel = "TEXT", description = "Kept with the rejection.") String comment;

        @Override
        public Integer call() throws Exception {
            return PromotionOutput.print(parent.json(), parent.client().reject(id, comment), (o, now) -> o.println(
                    "Rejected promotion [" + now.id() + "] of repo [" + cell(now.repo()) + "] (state now " + now.state() + ")."));
        }
    }
}
