package dev.kiln.server.web;

import dev.kiln.server.events.BuildEvents;
import dev.kiln.server.metrics.ServerMetrics;
import dev.kiln.server.scheduler.Scheduler;
import dev.kiln.server.store.BuildStore;
import dev.kiln.spec.protocol.Status;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The gauges of {@code GET /metrics} read from the store when scraped: builds by status, queue
 * length, agents connected and busy, open live views; beside them in one registry, what
 * {@link ServerMetrics} records as it happens. Build counts come from one grouped query, made at
 * most once a second however often the gauges are read.
 */
final class Metrics {
    private final ServerMetrics server;
    private final BuildStore store;
    private final AtomicReference<Map<Status, Long>> counts = new AtomicReference<>(Map.of());
    private volatile long countedAt;
    final AtomicInteger liveViews = new AtomicInteger();

    Metrics(ServerMetrics server, BuildStore store, Scheduler scheduler, BuildEvents events) {
        this.server = server;
        this.store = store;
        MeterRegistry registry = server.registry();
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
        Gauge.builder("kiln_live_log_views", liveViews, AtomicInteger::get)
                .description("open live log views in browsers").register(registry);
        Gauge.builder("kiln_sse_followers", events, BuildEvents::followers)
                .description("open event streams: API and CLI followers of a build, live log and list views").register(registry);
    }

    ServerMetrics server() {
        return server;
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
        return server.scrape();
    }
}
