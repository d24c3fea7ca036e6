package dev.kiln.server.web;

import dev.kiln.server.KilnServer;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Bench, not a test ({@code bench/live-view.sh}): headless Chromium (Selenium) has a build page open
 * while its step prints {@code MB} megabytes ({@code yes … | head -c}). A script in the page records
 * when the first row appeared, the longest gap between 10 ms timer ticks (how long the main thread was
 * busy at a stretch), long tasks, and the newest line shown every 100 ms; the Chrome DevTools
 * protocol gives the tab's JS heap and DOM nodes at the end. Baseline: the step's own rate, lines
 * written per second, from the build's timing.
 */
public final class LiveViewBench {
    static final String LINE = "line of ml training log 0123456789";

    public static void main(String[] args) throws Exception {
        long mb = args.length > 0 ? Long.parseLong(args[0]) : 200;
        // "closed": the baseline, a page without the log (/agents) open in the tab meanwhile: what the machine's load alone costs.
        boolean closed = args.length > 1 && args[1].equals("closed");
        long bytes = mb * 1_000_000;
        long lines = bytes / (LINE.length() + 1);
        Path tmp = Files.createTempDirectory("kiln-bench-live");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        Path gates = Files.createDirectories(tmp.resolve("gates"));
        Files.setPosixFilePermissions(gates, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path gate = gates.resolve("go");
        ChromeDriver browser = null;
        try (TestServer kiln = TestServer.start(KilnServer.Config.defaults(tmp.resolve("data")).withPort(0))) {
            browser = Browser.start();
            Browser.signIn(browser, kiln);
            JavascriptExecutor js = browser;
            Path src = TestServer.repo(tmp.resolve("src"), Map.of("build.yaml", "steps:\n  - id: flood\n    args: [sh, -c, "
                    + "'while [ ! -f " + gate + " ]; do sleep 0.02; done; yes \"" + LINE + "\" | head -c " + bytes + "']\n"));
            BuildView b = kiln.submit(src);
            browser.get(kiln.server.url() + (closed ? "/agents" : "/builds/" + b.id()));
            if (!closed) {
                js.executeScript("document.getElementById('s0').open = true");
            }
            js.executeScript("""
                    const m = window.__bench = {gap: 0, gapAt: 0, long: 0, longest: 0, first: 0, samples: []};
                    let last = performance.now();
                    (function tick() { const now = performance.now(); if (now - last > m.gap) { m.gap = now - last; m.gapAt = last; } last = now; setTimeout(tick, 10); })();
                    new PerformanceObserver(l => l.getEntries().forEach(e => { m.long += e.duration; m.longest = Math.max(m.longest, e.duration); }))
                      .observe({entryTypes: ['longtask']});
                    const fin = document.querySelector('#s0 .final');
                    if (fin) new MutationObserver(() => { if (!m.first && fin.querySelector('.ln')) m.first = performance.now(); })
                      .observe(fin, {childList: true});
                    setInterval(() => {
                      const rows = document.querySelectorAll('#s0 .final > .ln:last-child, #s0 .pending > .ln:last-child');
                      let n = 0; rows.forEach(r => { n = Math.max(n, Number(r.id.replace(/^s0-L/, ''))); });
                      m.samples.push([performance.now(), n]);
                    }, 100);""");
            Thread.sleep(1000);   // the page settled: its feed connected and idle
            js.executeScript("window.__bench.gap = 0");
            double gateAt = ((Number) js.executeScript("return performance.now()")).doubleValue();
            Files.createFile(gate);
            BuildView end = kiln.awaitEnd(b.id(), Duration.ofMinutes(10));
            // Until the page shows the last line or has shown nothing new for 5 s.
            long deadline = System.nanoTime() + 300_000_000_000L;
            double lastChange = 0;
            long lastShown = -1;
            while (System.nanoTime() < deadline) {
                List<?> s = (List<?>) js.executeScript("const s = window.__bench.samples; return s[s.length - 1]");
                long shown = ((Number) s.get(1)).longValue();
                double at = ((Number) s.get(0)).doubleValue();
                if (shown != lastShown) {
                    lastShown = shown;
                    lastChange = at;
                } else if (at - lastChange > 5000 || shown >= lines || closed) {
                    break;
                }
                Thread.sleep(200);
            }
            Map<?, ?> m = (Map<?, ?>) js.executeScript("const m = window.__bench; return {gap: m.gap, gapAt: m.gapAt, long: m.long, "
                    + "longest: m.longest, first: m.first, heap: performance.memory ? performance.memory.usedJSHeapSize : -1, "
                    + "nodes: document.getElementsByTagName('*').length, rows: document.querySelectorAll('#s0 .ln').length, "
                    + "lastAt: (m.samples.find(x => x[1] === " + lastShown + ") || [0])[0]}");
            browser.executeCdpCommand("Performance.enable", Map.of());
            Map<?, ?> metrics = browser.executeCdpCommand("Performance.getMetrics", Map.of());
            double firstMs = ((Number) m.get("first")).doubleValue() - gateAt;
            double lastAt = ((Number) m.get("lastAt")).doubleValue() - gateAt;
            long stepMs = end.steps().get(0).finishTime() != null && end.steps().get(0).startTime() != null
                    ? Duration.between(end.steps().get(0).startTime(), end.steps().get(0).finishTime()).toMillis() : -1;
            System.out.printf("log: %d MB, %,d lines; build %s%s%n", mb, lines, end.status(),
                    closed ? "; BASELINE: /agents open instead, no log feed" : "");
            System.out.printf("time to first lines in the page (gate → first row): %.0f ms%n", firstMs);
            System.out.printf("last line shown (%,d of %,d) %.0f ms after the gate; lines/s shown: %,.0f%n", lastShown, lines,
                    lastAt, lastShown / Math.max(1e-3, lastAt / 1000));
            System.out.printf("baseline: the step wrote its %,d lines in %d ms (gate wait included): %,.0f lines/s%n", lines,
                    stepMs, lines / Math.max(1e-3, stepMs / 1000.0));
            System.out.printf("longest main-thread gap (10 ms timer): %.0f ms, from %.0f ms after the gate; long tasks: %.0f ms in all,"
                    + " longest %.0f ms%n", ((Number) m.get("gap")).doubleValue(), ((Number) m.get("gapAt")).doubleValue() - gateAt, ((Number) m.get("long")).doubleValue(),
                    ((Number) m.get("longest")).doubleValue());
            System.out.printf("tab at the end: JS heap used %.1f MiB, %,d DOM elements, %,d log rows in the DOM%n",
                    ((Number) m.get("heap")).doubleValue() / (1 << 20), ((Number) m.get("nodes")).longValue(),
                    ((Number) m.get("rows")).longValue());
            for (Object o : (List<?>) metrics.get("metrics")) {
                Map<?, ?> e = (Map<?, ?>) o;
                if (List.of("JSHeapUsedSize", "JSHeapTotalSize", "Nodes", "LayoutDuration", "ScriptDuration", "TaskDuration")
                        .contains(e.get("name"))) {
                    System.out.printf("  CDP %s = %s%n", e.get("name"), e.get("value"));
                }
            }
            Browser.screenshot(browser, "live-view-bench");
        } finally {
            if (browser != null) {
                browser.quit();
            }
        }
    }
}
