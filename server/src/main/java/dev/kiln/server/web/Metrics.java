package dev.kiln.server.web;

import dev.kiln.server.scheduler.Scheduler;
import dev.kiln.server.store.BuildStore;
import dev.kiln.spec.protocol.Status;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What {@code GET /metrics} shows Prometheus: builds by status, queue length, agents connected and
 * busy, open live views, and the JVM's own figures. Build counts come from one grouped query,
 * made at most once a second however often the gauges are read.
 */
final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final BuildStore store;
    private final AtomicReference<Map<Status, Long>> counts = new AtomicReference<>(Map.of());
    private volatile long countedAt;
    final java.util.concurrent.atomic.AtomicInteger liveViews = new java.util.concurrent.atomic.AtomicInteger();

    Metrics(BuildStore store, Scheduler scheduler) {
        this.store = store;
        for (Status s : Status.values()) {
            Gauge.builder("kiln_builds", () -> counts().getOrDefault(s, 0L)).tag("status", s.name())
                    .description("builds in the database by status").register(registry);
        }
        Gauge.builder("kiln_queue_length", () -> counts().getOrDefault(Status.QUEUED, 0L))
                .description("builds waiting for an agent").register(registry);
        Gauge.builder("kiln_agents_connected", () -> scheduler.agents(Duration.ofMinutes(1)).size())
                .description("agents seen in the last minute").register(registry);
        Gauge.builder("kiln_agents_busy", () -> store.working().stream().map(b -> b.agentId()).distinct().count())
                .description("agents running a build").register(registry);
        Gauge.builder("kiln_live_log_views", liveViews, java.util.concurrent.atomic.AtomicInteger::get)
                .description("open live log and list views in browsers").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    private Map<Status, Long> counts() {
        long now = System.currentTimeMillis();
        if (now - countedAt > 1000) {
            counts.set(store.countByStatus());
            countedAt = now;
        }
        return counts.get();
    }

    String scrape() {
        return registry.scrape();
    }
}
