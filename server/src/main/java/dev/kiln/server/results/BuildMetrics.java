package dev.kiln.server.results;

import dev.kiln.server.store.Database;
import dev.kiln.spec.api.BuildWarning;
import dev.kiln.spec.api.MetricView;
import dev.kiln.spec.metrics.Metric;
import dev.kiln.spec.metrics.MetricNames;
import dev.kiln.spec.metrics.MetricsReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.jdbi.v3.core.Jdbi;

/**
 * The metrics and warnings of each build, kept per step and per source as reported. A build's
 * value of a name follows one rule, so that a promotion later sees the same number the page showed:
 * the step later in the config wins (steps may run at once, so finishing order would not be
 * stable), and within one step its metrics file wins over its {@code ::metric} lines. Every name
 * reported more than once is named in a warning saying which value was kept.
 */
public final class BuildMetrics {
    /** Warnings kept per step and source; a log full of bad lines must not fill the database. */
    static final int MAX_WARNINGS = 100;

    /** Where a step's numbers came from: its metrics file, or lines in its output. */
    public enum Source {
        FILE("file", "its metrics file"), LOG("log", "its output"), ARTIFACTS("artifacts", "its artifacts");

        final String column;
        final String words;

        Source(String column, String words) {
            this.column = column;
            this.words = words;
        }

        static Source of(String column) {
            return column.equals("file") ? FILE : column.equals("log") ? LOG : ARTIFACTS;
        }
    }

    /** A build's metrics, one per name, and every warning about them. */
    public record Recorded(List<MetricView> metrics, List<BuildWarning> warnings) {}

    private final Jdbi jdbi;
    private final Database db;

    public BuildMetrics(Database db) {
        this.db = db;
        this.jdbi = db.jdbi();
    }

    /** Replaces what {@code source} of step {@code step} reported: a resend, or a scan repeated, gives the same rows. */
    public void replace(String buildId, int step, Source source, MetricsReport report) {
        List<Metric> metrics = report.metrics();
        List<String> warnings = new ArrayList<>(report.warnings());
        if (metrics.size() > MetricNames.MAX_PER_BUILD) {
            warnings.add(metrics.size() - MetricNames.MAX_PER_BUILD + " more metrics than the "
                    + MetricNames.MAX_PER_BUILD + " a build may record; those after the first "
                    + MetricNames.MAX_PER_BUILD + " were not recorded");
            metrics = metrics.subList(0, MetricNames.MAX_PER_BUILD);
        }
        if (warnings.size() > MAX_WARNINGS) {
            int more = warnings.size() - (MAX_WARNINGS - 1);
            warnings = new ArrayList<>(warnings.subList(0, MAX_WARNINGS - 1));
            warnings.add("... and " + more + " more warnings like these");
        }
        List<Metric> m = metrics;
        List<String> w = warnings;
        Database.under(db.visibility().writeLock(), () -> jdbi.inTransaction(h -> {
            for (String table : List.of("build_metrics", "build_warnings")) {
                h.createUpdate("delete from " + table + " where build_id = :b and step = :s and source = :src")
                        .bind("b", buildId).bind("s", step).bind("src", source.column).execute();
            }
            var batch = h.prepareBatch("insert into build_metrics (build_id, step, source, name, seq, metric)"
                    + " values (:b, :s, :src, :n, :q, :v)");
            for (int i = 0; i < m.size(); i++) {
                batch.bind("b", buildId).bind("s", step).bind("src", source.column).bind("n", m.get(i).name())
                        .bind("q", i).bind("v", m.get(i).value()).add();
            }
            if (!m.isEmpty()) {
                batch.execute();
            }
            var warn = h.prepareBatch("insert into build_warnings (build_id, step, source, seq, message)"
                    + " values (:b, :s, :src, :q, :m)");
            for (int i = 0; i < w.size(); i++) {
                String msg = w.get(i).length() <= 2000 ? w.get(i) : w.get(i).substring(0, 1997) + "...";
                warn.bind("b", buildId).bind("s", step).bind("src", source.column).bind("q", i).bind("m", msg).add();
            }
            if (!w.isEmpty()) {
                warn.execute();
            }
            return null;
        }));
    }

    /** Replaces the warnings {@code source} gave for step {@code step} (-1: the build itself). */
    public void warnings(String buildId, int step, Source source, List<String> warnings) {
        replace(buildId, step, source, new MetricsReport(List.of(), warnings));
    }

    private record Row(int step, Source source, int seq, String name, double value) {}

    /** The build's metrics (in the order first reported) and warnings; {@code stepId} names a step by index. */
    public Recorded of(String buildId, IntFunction<String> stepId) {
        List<Row> rows = Database.under(db.visibility().readLock(), () -> jdbi.withHandle(h ->
                h.createQuery("select step, source, seq, name, metric from build_metrics where build_id = :b")
                        .bind("b", buildId)
                        .map((rs, ctx) -> new Row(rs.getInt("step"), Source.of(rs.getString("source")), rs.getInt("seq"),
                                rs.getString("name"), rs.getDouble("metric"))).list()));
        List<BuildWarning> warnings = new ArrayList<>(Database.under(db.visibility().readLock(), () -> jdbi.withHandle(h ->
                h.createQuery("select step, message from build_warnings where build_id = :b"
                                + " order by step, case when source = 'log' then 0 else 1 end, seq")
                        .bind("b", buildId)
                        .map((rs, ctx) -> new BuildWarning(stepId.apply(rs.getInt("step")), rs.getString("message")))
                        .list())));
        // Reading order: by step, a step's output before its file (the file is read after the step ended).
        rows.sort(Comparator.comparingInt(Row::step).thenComparing(r -> r.source() == Source.FILE)
                .thenComparingInt(Row::seq));
        Map<String, Row> kept = new LinkedHashMap<>();
        Map<String, Row> first = new LinkedHashMap<>();
        for (Row r : rows) {
            first.putIfAbsent(r.name(), r);
            Row before = kept.put(r.name(), r); // later in reading order wins: the rule above
            if (before != null) {
                warnings.add(new BuildWarning(stepId.apply(r.step()), duplicate(r, before, stepId)));
            }
        }
        List<MetricView> out = new ArrayList<>();
        for (String name : first.keySet()) {
            Row r = kept.get(name);
            out.add(new MetricView(name, r.value(), stepId.apply(r.step())));
        }
        return new Recorded(out, warnings);
    }

    private static String duplicate(Row kept, Row lost, IntFunction<String> stepId) {
        String rule = kept.step() == lost.step() ? "a step's metrics file wins over its output"
                : "the step later in the config wins";
        return "metric '" + kept.name() + "' was reported by step '" + stepId.apply(lost.step()) + "' in "
                + lost.source().words + " (" + lost.value() + ") and by step '" + stepId.apply(kept.step()) + "' in "
                + kept.source().words + " (" + kept.value() + "); " + kept.value() + " is kept: " + rule;
    }
}
