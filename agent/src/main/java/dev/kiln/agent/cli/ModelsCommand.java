package dev.kiln.agent.cli;

import static dev.kiln.agent.cli.AuditCommand.cell;

import dev.kiln.agent.client.PromotionClient;
import dev.kiln.spec.api.ModelVersionView;
import dev.kiln.spec.api.PromotionView;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kiln models list|history|describe|rollback}: the model registry promotions fill. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "The model registry: each repo's production version, its history, and rollback.",
        subcommands = {ModelsCommand.ListModels.class, ModelsCommand.History.class, ModelsCommand.Describe.class,
                ModelsCommand.Rollback.class})
public final class ModelsCommand {
    @Mixin
    ServerConnection connection;

    PromotionClient client() {
        return new PromotionClient(connection.api());
    }

    boolean json() {
        return connection.json();
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the production version of every repo's model.")
    static final class ListModels implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;

        @Override
        public Integer call() throws Exception {
            return PromotionOutput.print(parent.json(), parent.client().models(), ListModels::table);
        }

        static void table(PrintStream out, List<ModelVersionView> all) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"REPO", "VERSION", "COMMIT", "ENTERED", "METRICS", "APPROVERS"});
            for (ModelVersionView v : all) {
                rows.add(new String[] {v.repo(), "v" + v.version(), PromotionOutput.shortSha(v.commit()),
                        PromotionOutput.time(v.enteredTime()), PromotionOutput.keyMetrics(v),
                        PromotionOutput.approvers(v.decisions())});
            }
            PromotionOutput.table(out, "", rows);
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true,
            description = "List every version of a repo's model, newest first: when it entered and left production.")
    static final class History implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;
        @Parameters(index = "0", paramLabel = "REPO") String repo;

        @Override
        public Integer call() throws Exception {
            return PromotionOutput.print(parent.json(), parent.client().history(repo), this::table);
        }

        void table(PrintStream out, List<ModelVersionView> all) {
            if (all.isEmpty()) {
                out.println("repo " + cell(repo) + " has no model version yet: nothing was promoted");
                return;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"VERSION", "PRODUCTION", "COMMIT", "ENTERED", "LEFT", "METRICS", "APPROVERS", "NOTE"});
            for (ModelVersionView v : all) {
                rows.add(new String[] {"v" + v.version(), v.production() ? "yes" : "-", PromotionOutput.shortSha(v.commit()),
                        PromotionOutput.time(v.enteredTime()), v.leftTime() == null ? "-" : PromotionOutput.time(v.leftTime()),
                        PromotionOutput.keyMetrics(v), PromotionOutput.approvers(v.decisions()),
                        v.rollbackOf() == null ? "-" : "rollback to v" + v.rollbackOf()});
            }
            PromotionOutput.table(out, "", rows);
        }
    }

    @Command(name = "describe", aliases = "get", mixinStandardHelpOptions = true,
            description = {"Show one model version in full: REPO@production (or REPO alone), REPO@3 or REPO@v3.",
                    "Commit, builds, metrics, artifacts with SHA-256, images, gates and decisions."})
    static final class Describe implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;
        @Parameters(index = "0", paramLabel = "REPO[@VERSION]") String ref;

        @Override
        public Integer call() throws Exception {
            int at = ref.lastIndexOf('@');
            String repo = at < 0 ? ref : ref.substring(0, at);
            String version = at < 0 ? "production" : ref.substring(at + 1);
            if (repo.isBlank() || version.isBlank()) {
                System.err.println("ERROR: write REPO@production, REPO@3 or REPO@v3, not '" + cell(ref) + "'");
                return 2;
            }
            return PromotionOutput.print(parent.json(), parent.client().version(repo, version), PromotionOutput::model);
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = {"Ask to bring an earlier model version back to production.",
                    "A promotion of the target branch back to that version's commit, approved as any other"
                    + " (kiln promotions approve ID)."})
    static final class Rollback implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;
        @Parameters(index = "0", paramLabel = "REPO") String repo;
        @Option(names = "--to", required = true, paramLabel = "VERSION", description = "The version to bring back: 3 or v3.")
        String to;
        @Option(names = "--comment", paramLabel = "TEXT", description = "Why; kept with the rollback.") String comment;

        @Override
        public Integer call() throws Exception {
            String digits = to.strip().toLowerCase(Locale.ROOT);
            digits = digits.startsWith("v") ? digits.substring(1) : digits;
            if (!digits.matches("[0-9]{1,9}") || Integer.parseInt(digits) < 1) {
                System.err.println("ERROR: --to must be a model version such as 3 or v3, not '" + cell(to) + "'");
                return 2;
            }
            PromotionView p = parent.client().rollback(repo, Integer.parseInt(digits), comment);
            if (parent.json()) {
                BuildsCommand.printJson(p);
                return 0;
            }
            System.out.println("Asked to roll " + cell(p.to()) + " of repo [" + cell(p.repo()) + "] back to v" + p.rollbackTo()
                    + " (commit " + cell(p.commit()) + "): promotion [" + p.id() + "] is " + p.state()
                    + (p.detail() == null ? "" : ": " + cell(p.detail())) + ".");
            if ("AWAITING_APPROVAL".equals(p.state())) {
                System.out.println("It needs " + p.approvalsNeeded() + " approval(s) by the " + cell(p.approverRole())
                        + " role: kiln promotions approve " + p.id());
            }
            return 0;
        }
    }
}
