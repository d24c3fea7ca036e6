package dev.kiln.server.metrics;

import dev.kiln.server.logs.LogStore;
import dev.kiln.spec.protocol.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The server's own figures for {@code GET /metrics}: what the scheduler, the agents' calls, the log
 * streams and the HTTP layer record as they happen, and the JVM's. Histograms have a few fixed
 * buckets each, and every tag takes a bounded set of values (statuses, methods, route templates),
 * so the scrape stays small however many builds and paths there are.
 */
public final class ServerMetrics {
    private static final Duration[] BUILD_BUCKETS = seconds(1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200);
    private static final Duration[] STEP_BUCKETS = seconds(0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 600, 1800, 3600);
    private static final Duration[] WAIT_BUCKETS = seconds(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 600, 1800, 3600);
    private static final Duration[] HTTP_BUCKETS = seconds(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<Status, Timer> builds = new EnumMap<>(Status.class);
    private final Map<Status, Timer> steps = new EnumMap<>(Status.class);
    private final Timer queueWait;
    private final Counter streamed;

    public ServerMetrics() {
        for (Status s : Status.values()) {
            if (s.isFinal()) {
                builds.put(s, Timer.builder("kiln.build.duration").tag("status", s.name())
                        .description("builds that ran, from leased to ended, by final status")
                        .serviceLevelObjectives(BUILD_BUCKETS).register(registry));
                steps.put(s, Timer.builder("kiln.step.duration").tag("status", s.name())
                        .description("steps their agent reported ended, from start to end, by final status")
                        .serviceLevelObjectives(STEP_BUCKETS).register(registry));
            }
        }
        queueWait = Timer.builder("kiln.queue.wait").description("how long builds waited in the queue before an agent took them")
                .serviceLevelObjectives(WAIT_BUCKETS).register(registry);
        streamed = Counter.builder("kiln.log.streamed").baseUnit("bytes")
                .description("log bytes sent to followers: raw log reads (the CLI), event streams, live views")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    private static Duration[] seconds(double... s) {
        Duration[] d = new Duration[s.length];
        for (int i = 0; i < s.length; i++) {
            d[i] = Duration.ofNanos((long) (s[i] * 1e9));
        }
        return d;
    }

    /** Where other parts register their gauges. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Counts what agents append to {@code logs}, as the store counts it. */
    public void logs(LogStore logs) {
        FunctionCounter.builder("kiln.log.written", logs, LogStore::appended).baseUnit("bytes")
                .description("log bytes appended to step logs (agents' output and the server's notices)")
                .register(registry);
    }

    /** A build that ran ended: its time from leased to ended. */
    public void buildEnded(Status status, long startMillis, long finishMillis) {
        Timer t = builds.get(status);
        if (t != null) {
            t.record(Math.max(0, finishMillis - startMillis), TimeUnit.MILLISECONDS);
        }
    }

    public void stepEnded(Status status, long startMillis, long finishMillis) {
        Timer t = steps.get(status);
        if (t != null) {
            t.record(Math.max(0, finishMillis - startMillis), TimeUnit.MILLISECONDS);
        }
    }

    /** An agent took a build that had waited {@code millis} since it entered the queue. */
    public void leased(long millis) {
        queueWait.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    public void streamed(long bytes) {
        if (bytes > 0) {
            streamed.increment(bytes);
        }
    }

    /** One HTTP request: {@code route} is the matched route's template (never the raw path), or {@code unmatched}. */
    public void request(String method, String route, int status, float millis) {
        Timer.builder("http.server.requests").tag("method", method).tag("route", route).tag("status", String.valueOf(status))
                .description("HTTP requests by method, route template and status; an event stream counts when it closes")
                .serviceLevelObjectives(HTTP_BUCKETS).register(registry)
                .record((long) (millis * 1_000_000L), TimeUnit.NANOSECONDS);
    }

    public String scrape() {
        return registry.scrape();
    }
}
