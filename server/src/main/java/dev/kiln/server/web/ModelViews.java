package dev.kiln.server.web;

import dev.kiln.server.promotion.ModelRegistry;
import dev.kiln.server.promotion.PromotionFlow;
import dev.kiln.server.promotion.PromotionPolicy;
import dev.kiln.server.results.BuildMetrics;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildStore;
import dev.kiln.spec.api.DecisionView;
import dev.kiln.spec.api.MetricView;
import dev.kiln.spec.api.ModelVersionView;
import dev.kiln.webui.view.MetricChart;
import dev.kiln.webui.view.ModelPage;
import dev.kiln.webui.view.ModelsPage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The models pages' view records: each repo's production version, and one repo's history with a
 * chart per metric across the recent builds of its source branch, production versions marked.
 */
final class ModelViews {
    /** How many of the source branch's newest builds a chart spans, and how many metrics get one. */
    static final int BUILDS = 60;
    static final int CHARTS = 20;

    private final PromotionFlow flow;
    private final BuildStore store;
    private final BuildMetrics metrics;

    ModelViews(PromotionFlow flow, BuildStore store, BuildMetrics metrics) {
        this.flow = flow;
        this.store = store;
        this.metrics = metrics;
    }

    ModelsPage list() {
        return new ModelsPage(flow.registry().production().stream().map(v -> new ModelsPage.Row(v.repo(), "v" + v.version(),
                shortSha(v.commit()), v.build(), PageViews.text(v.prodBuild()), PageViews.stamp(v.enteredTime()))).toList());
    }

    ModelPage page(String repo) {
        ModelRegistry registry = flow.registry();
        List<ModelVersionView> history = registry.history(repo);
        var policy = flow.policy(repo);
        // The source branch: the policy's; with none left, that of the newest version's build.
        String from = policy.map(PromotionPolicy::from).orElseGet(() -> history.stream().findFirst()
                .flatMap(v -> store.get(v.build())).map(b -> b.provenance().branch()).orElse(""));
        String to = policy.map(PromotionPolicy::to).orElse("");
        List<ModelPage.Version> versions = history.stream().map(v -> new ModelPage.Version("v" + v.version(), v.production(),
                v.commit(), shortSha(v.commit()), v.build(), PageViews.text(v.prodBuild()), PageViews.text(v.promotion()),
                PageViews.stamp(v.enteredTime()), PageViews.stamp(v.leftTime()), v.decisions().stream()
                .filter(d -> d.verdict().equals("APPROVE")).map(DecisionView::user).collect(Collectors.joining(", ")),
                v.rollbackOf() == null ? "" : "v" + v.rollbackOf())).toList();
        List<Build> builds = from.isEmpty() ? List.of()
                : new ArrayList<>(store.list(BUILDS, null, new BuildStore.Filter(repo, "refs/heads/" + from, null, null)));
        Collections.reverse(builds);   // oldest on the left
        return new ModelPage(repo, from, to, versions, charts(builds, history), builds.size());
    }

    private List<ModelPage.Chart> charts(List<Build> builds, List<ModelVersionView> history) {
        Map<String, List<MetricChart.Point>> series = new LinkedHashMap<>();
        for (Build b : builds) {
            String version = history.stream().filter(v -> v.build().equals(b.id())).map(v -> "v" + v.version())
                    .collect(Collectors.joining(" "));
            ModelVersionView live = production(history, b.createTime());
            String label = "build " + b.id().substring(0, Math.min(8, b.id().length())) + " " + PageViews.shortTime(b.createTime());
            for (MetricView m : metrics.of(b.id(), i -> "").metrics()) {
                if (!series.containsKey(m.name()) && series.size() >= CHARTS) {
                    continue;
                }
                series.computeIfAbsent(m.name(), k -> new ArrayList<>()).add(new MetricChart.Point(label, m.value(), version,
                        live == null ? null : live.metrics().get(m.name())));
            }
        }
        return series.entrySet().stream().map(e -> new ModelPage.Chart(e.getKey(), MetricChart.svg(e.getKey(), e.getValue())))
                .toList();
    }

    /** The version that was production at {@code time}, null when none was. */
    private static ModelVersionView production(List<ModelVersionView> history, long time) {
        return history.stream().filter(v -> v.enteredTime() <= time && (v.leftTime() == null || v.leftTime() > time))
                .findFirst().orElse(null);
    }

    private static String shortSha(String sha) {
        return sha == null ? "" : sha.substring(0, Math.min(12, sha.length()));
    }
}
