package dev.kiln.server.web;

import dev.kiln.server.artifacts.BuildArtifacts;
import dev.kiln.server.git.Repos;
import dev.kiln.server.promotion.Promotion;
import dev.kiln.server.promotion.Promotions;
import dev.kiln.spec.api.DecisionView;
import dev.kiln.spec.api.GateView;
import dev.kiln.spec.archive.Sizes;
import dev.kiln.spec.metrics.Metric;
import dev.kiln.webui.view.BuildPage;
import dev.kiln.webui.view.Buttons;
import dev.kiln.webui.view.PromotionPage;
import dev.kiln.webui.view.PromotionsPage;
import java.util.List;
import java.util.Locale;

/** Turns promotions into the view records of the promotions pages and of the build page's banner. */
final class PromotionViews {
    private final Promotions promotions;
    private final Repos repos;

    PromotionViews(Promotions promotions, Repos repos) {
        this.promotions = promotions;
        this.repos = repos;
    }

    PromotionsPage.Row row(Promotion p) {
        return new PromotionsPage.Row(p.id(), p.repo(), kind(p), p.state().name(), PromotionsPage.stateKind(p.state().name()),
                p.from(), p.to(), p.shortCommit(), p.buildId(), PageViews.stamp(p.createTime()), PageViews.text(p.detail()));
    }

    PromotionPage page(Promotion p, Buttons buttons) {
        List<DecisionView> decisions = promotions.decisions(p.id());
        long approved = decisions.stream().filter(d -> d.verdict().equals("APPROVE")).count();
        return new PromotionPage(p.id(), p.repo(), kind(p), p.state().name(), PromotionsPage.stateKind(p.state().name()),
                PageViews.text(p.detail()), p.from(), p.to(), p.commitSha(), p.shortCommit(),
                repos.find(p.repo()).isPresent() ? "/repos/" + p.repo() : "", p.buildId(), PageViews.text(p.prodBuildId()),
                promotions.versionOf(p.id()).map(v -> "v" + v).orElse(""), p.rollbackTo() == null ? "" : "v" + p.rollbackTo(),
                p.productionVersion() == null ? "first promotion: no production model yet"
                        : "v" + p.productionVersion() + " (what the gates compared with)",
                p.gates().stream().map(g -> gate(g, p.productionVersion())).toList(),
                p.metrics().entrySet().stream().map(e -> new PromotionPage.MetricRow(e.getKey(), Metric.format(e.getValue())))
                        .toList(),
                p.artifacts().stream().map(a -> new PromotionPage.ArtifactRow(a.path(), Sizes.human(a.size()), a.sha256(),
                        BuildArtifacts.url(p.buildId(), a.path()))).toList(),
                decisions.stream().map(d -> new PromotionPage.Decision(d.user(), d.verdict().equals("APPROVE") ? "Approved"
                        : "Rejected", PageViews.text(d.comment()), PageViews.stamp(d.time()))).toList(),
                approved + " of " + p.approvalsNeeded(), p.approverRole().label(), PageViews.text(p.author()),
                PageViews.text(p.submitter()), PageViews.stamp(p.createTime()), PageViews.stamp(p.updateTime()),
                PageViews.stamp(p.expireTime()), p.metricsDigest(), p.artifactsDigest(), buttons, "");
    }

    /** The banners of build {@code buildId}'s page: each promotion it measured or released. */
    List<BuildPage.PromotionBanner> banners(String buildId) {
        return promotions.forBuild(buildId).stream().map(p -> new BuildPage.PromotionBanner("/promotions/" + p.id(),
                buildId.equals(p.prodBuildId()) ? "this is its production build"
                        : p.kind() == Promotion.Kind.ROLLBACK ? "rollback to v" + p.rollbackTo() : "",
                p.to(), banner(p), PromotionsPage.stateKind(p.state().name()))).toList();
    }

    private String banner(Promotion p) {
        return switch (p.state()) {
            case AWAITING_APPROVAL -> {
                long approved = promotions.decisions(p.id()).stream().filter(d -> d.verdict().equals("APPROVE")).count();
                yield "awaiting approval (" + Math.max(1, p.approvalsNeeded() - approved) + " needed)";
            }
            case GATES_FAILED -> "gates failed: " + String.join(", ", p.gates().stream()
                    .filter(g -> g.verdict().equals("FAIL")).map(GateView::gate).toList());
            case PROMOTED -> promotions.versionOf(p.id()).map(v -> "promoted as v" + v).orElse("promoted");
            default -> p.state().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                    + (p.detail() == null || p.detail().isBlank() ? "" : ": " + p.detail());
        };
    }

    private static PromotionPage.GateRow gate(GateView g, Integer productionVersion) {
        String comparison = switch (g.kind()) {
            case "ABSOLUTE" -> "fixed number";
            case "AGAINST_PRODUCTION" -> productionVersion == null ? "against production (none yet)"
                    : "against production v" + productionVersion + "'s recorded value";
            case "SAME_BUILD" -> "within this build";
            default -> g.kind();
        };
        String verdict = g.verdict().equals("NOT_APPLICABLE") ? "not applicable" : g.verdict();
        String kind = switch (g.verdict()) {
            case "PASS" -> "ok";
            case "FAIL" -> "bad";
            default -> "off";
        };
        return new PromotionPage.GateRow(g.gate(), PageViews.text(g.source()), comparison, number(g.value()),
                number(g.threshold()), number(g.productionValue()), verdict, kind, PageViews.text(g.reason()));
    }

    private static String number(Double d) {
        return d == null ? "" : Metric.format(d);
    }

    private static String kind(Promotion p) {
        return p.kind() == Promotion.Kind.ROLLBACK ? "rollback" : "promotion";
    }
}
