package dev.kiln.agent.cli;

import static dev.kiln.agent.cli.AuditCommand.cell;

import dev.kiln.spec.api.ArtifactDigest;
import dev.kiln.spec.api.DecisionView;
import dev.kiln.spec.api.GateView;
import dev.kiln.spec.api.ModelVersionView;
import dev.kiln.spec.api.PolicyView;
import dev.kiln.spec.api.PromotionView;
import dev.kiln.spec.archive.Sizes;
import dev.kiln.spec.metrics.Metric;
import dev.kiln.spec.promotion.Gate;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * How the CLI prints policies, promotions and model versions. Every text a person wrote (a comment,
 * a gate, a detail) goes through {@link AuditCommand#cell}, so it cannot forge lines or move the cursor.
 */
final class PromotionOutput {
    private PromotionOutput() {}

    /** {@code value} as JSON under {@code --format json}, else as {@code text} prints it; exit code 0. */
    static <T> int print(boolean json, T value, BiConsumer<PrintStream, T> text) throws Exception {
        if (json) {
            BuildsCommand.printJson(value);
        } else {
            text.accept(System.out, value);
        }
        return 0;
    }

    static String time(long millis) {
        return millis <= 0 ? "-" : Output.time(Instant.ofEpochMilli(millis));
    }

    /**
     * A value or threshold as a person wrote it: a threshold computed in binary floating point
     * ({@code 120 * 1.10} is 132.00000000000003) shows as 132. {@code --format json} has every digit.
     */
    static String number(Double d) {
        if (d == null) {
            return "-";
        }
        if (d.isNaN() || d.isInfinite()) {
            return d.toString();
        }
        return Metric.format(new BigDecimal(d).round(new MathContext(12)).doubleValue());
    }

    static String shortSha(String sha) {
        return sha == null ? "-" : sha.length() > 12 ? sha.substring(0, 12) : sha;
    }

    /** Rows under a header, each column as wide as its widest cell; the last column is not padded. */
    static void table(PrintStream out, String indent, List<String[]> rows) {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                r[i] = cell(r[i]);
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder(indent);
            for (int i = 0; i < r.length; i++) {
                line.append(i == r.length - 1 ? r[i] : String.format("%-" + width[i] + "s  ", r[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    static void policy(PrintStream o, PolicyView p) {
        o.println("repo: " + cell(p.repo()));
        o.println("from: " + cell(p.from()) + "  (a green build of it opens a promotion)");
        o.println("to: " + cell(p.to()) + "  (protected: only the server moves it, when a promotion is approved)");
        o.println("approval: " + (p.requireApproval()
                ? p.approvals() + " approval(s) by the " + cell(p.approverRole()) + " role"
                + (p.preventSelfApproval() ? ", not by the commit's author or the build's submitter" : "")
                : "none: a build that passes the gates is promoted at once"));
        o.println("expires: " + cell(p.expires()) + "  (a promotion not decided by then ends EXPIRED)");
        o.println("gates:" + (p.gates().isEmpty() ? " (none)" : ""));
        p.gates().forEach(g -> o.println("  - " + cell(g)));
        o.println("updated: " + time(p.updateTime()) + " by " + cell(p.updatedBy()));
    }

    /** What {@code kind} means to a reader: where the gate's threshold came from. */
    static String comparedWith(GateView g) {
        if (g.kind() == null) {
            return "-";
        }
        return switch (g.kind()) {
            case "ABSOLUTE" -> "a number";
            case "AGAINST_PRODUCTION" -> "production's recorded value";
            case "SAME_BUILD" -> "another metric of this build";
            default -> g.kind();
        };
    }

    static void gates(PrintStream o, List<GateView> gates) {
        if (gates.isEmpty()) {
            o.println("gates: (none)");
            return;
        }
        o.println("gates:");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"GATE", "COMPARED WITH", "VALUE", "THRESHOLD", "PRODUCTION", "VERDICT", "FROM", "REASON"});
        for (GateView g : gates) {
            rows.add(new String[] {g.gate(), comparedWith(g), number(g.value()), number(g.threshold()),
                    number(g.productionValue()), g.verdict(), g.source(), g.reason()});
        }
        table(o, "  ", rows);
    }

    static void decisions(PrintStream o, List<DecisionView> decisions) {
        o.println("decisions:" + (decisions.isEmpty() ? " (none yet)" : ""));
        for (DecisionView d : decisions) {
            o.println("  - " + cell(d.verdict()) + " by " + cell(d.user()) + " at " + time(d.time())
                    + (d.comment() == null || d.comment().isBlank() ? "" : ": " + cell(d.comment())));
        }
    }

    static void metrics(PrintStream o, Map<String, Double> metrics) {
        o.println("metrics:" + (metrics.isEmpty() ? " (none)" : ""));
        metrics.forEach((k, v) -> o.println("  " + cell(k) + ": " + number(v)));
    }

    static void artifacts(PrintStream o, List<ArtifactDigest> artifacts) {
        o.println("artifacts:" + (artifacts.isEmpty() ? " (none)" : ""));
        if (!artifacts.isEmpty()) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"PATH", "SIZE", "SHA256"});
            artifacts.forEach(a -> rows.add(new String[] {a.path(), Sizes.human(a.size()), a.sha256()}));
            table(o, "  ", rows);
        }
    }

    static String what(PromotionView p) {
        return "ROLLBACK".equals(p.kind()) ? "rollback of " + cell(p.to()) + " to v" + p.rollbackTo()
                : cell(p.from()) + " -> " + cell(p.to());
    }

    static long approvals(PromotionView p) {
        return p.decisions().stream().filter(d -> "APPROVE".equals(d.verdict())).count();
    }

    static void promotion(PrintStream o, PromotionView p) {
        o.println("id: " + p.id());
        o.println("repo: " + cell(p.repo()));
        o.println("kind: " + p.kind() + " (" + what(p) + ")");
        o.println("state: " + p.state());
        if (p.detail() != null) {
            o.println("detail: " + cell(p.detail()));
        }
        o.println("commit: " + cell(p.commit()));
        o.println("build: " + cell(p.build()));
        o.println("author: " + cell(p.author()) + "  submitter: " + cell(p.submitter()));
        o.println(p.productionVersion() == null ? "production: first promotion: no production model yet"
                : "production: v" + p.productionVersion() + " (what the gates compared with)");
        metrics(o, p.metrics());
        o.println("metricsDigest: " + cell(p.metricsDigest()));
        artifacts(o, p.artifacts());
        o.println("artifactsDigest: " + cell(p.artifactsDigest()));
        gates(o, p.gates());
        o.println("approvals: " + approvals(p) + " of " + p.approvalsNeeded() + " by the " + cell(p.approverRole()) + " role"
                + (p.preventSelfApproval() ? ", not by the commit's author or the build's submitter" : ""));
        decisions(o, p.decisions());
        if (p.prodBuild() != null) {
            o.println("prodBuild: " + cell(p.prodBuild()));
        }
        if (p.modelVersion() != null) {
            o.println("modelVersion: v" + p.modelVersion());
        }
        o.println("createTime: " + time(p.createTime()));
        o.println("updateTime: " + time(p.updateTime()));
        if ("AWAITING_APPROVAL".equals(p.state())) {
            o.println("expireTime: " + time(p.expireTime()));
        }
    }

    /** The metrics the version's gates name (all of them when no gate names one), as {@code name=value}. */
    static String keyMetrics(ModelVersionView v) {
        Set<String> named = new LinkedHashSet<>();
        for (GateView g : v.gates()) {
            try {
                named.add(Gate.parse(g.gate()).metric());
            } catch (IllegalArgumentException e) {
                // A gate the server kept reads; were it not to, the version's other metrics still show.
            }
        }
        Collection<String> keys = named.stream().anyMatch(v.metrics()::containsKey) ? named : v.metrics().keySet();
        List<String> parts = new ArrayList<>();
        for (String k : keys) {
            if (v.metrics().containsKey(k)) {
                parts.add(k + "=" + number(v.metrics().get(k)));
            }
        }
        return parts.isEmpty() ? "-" : String.join(" ", parts);
    }

    static String approvers(List<DecisionView> decisions) {
        List<String> names = decisions.stream().filter(d -> "APPROVE".equals(d.verdict())).map(DecisionView::user).toList();
        return names.isEmpty() ? "-" : String.join(",", names);
    }

    static void model(PrintStream o, ModelVersionView v) {
        o.println("repo: " + cell(v.repo()));
        o.println("version: v" + v.version() + (v.production() ? " (production)" : ""));
        if (v.rollbackOf() != null) {
            o.println("rollbackOf: v" + v.rollbackOf());
        }
        o.println("commit: " + cell(v.commit()));
        o.println("build: " + cell(v.build()) + "  (measured the metrics)");
        o.println("prodBuild: " + cell(v.prodBuild()));
        o.println("promotion: " + cell(v.promotion()));
        o.println("enteredProduction: " + time(v.enteredTime()));
        o.println("leftProduction: " + (v.leftTime() == null ? "- (production now)" : time(v.leftTime())));
        metrics(o, v.metrics());
        artifacts(o, v.artifacts());
        o.println("images:" + (v.images().isEmpty() ? " (none)" : ""));
        v.images().forEach(i -> o.println("  - " + cell(i)));
        gates(o, v.gates());
        decisions(o, v.decisions());
    }
}
