package dev.kiln.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.server.support.Requirements;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/** The big-log tools of the build page in a real browser: search, permalinks, timestamps, earlier rows in their groups. */
class LogSearchBrowserTest {
    static final int LINES = 20_000;

    @TempDir static Path tmp;
    static TestServer kiln;
    static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        Requirements.chromium();
        kiln = TestServer.start(tmp.resolve("data"));
        browser = Browser.start();
        Browser.signIn(browser, kiln);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (kiln != null) {
            kiln.close();
        }
    }

    /** An ended build whose step 0 log is replaced by {@code lines} lines made by {@code line}. */
    static String buildWithLog(String name, int lines, IntFunction<String> line) throws Exception {
        String id = kiln.endedBuild(tmp.resolve(name));
        Path log = kiln.dataDir.resolve("logs").resolve(id).resolve("0.log");
        Files.createDirectories(log.getParent());
        Files.deleteIfExists(log.resolveSibling("0.times"));
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(log), 1 << 16)) {
            for (int n = 1; n <= lines; n++) {
                out.write((line.apply(n) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        return id;
    }

    static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    /** Whether the row is inside the log box's visible part: scrolled to, not just in the page. */
    static boolean inView(String rowId) {
        return (Boolean) js("const el = document.getElementById(arguments[0]); if (!el) return false;"
                + "const box = el.closest('.log').getBoundingClientRect(), r = el.getBoundingClientRect();"
                + "return r.height > 0 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1", rowId);
    }

    static void openAndWaitForTail(String id, String hash) {
        browser.get(kiln.server.url() + "/builds/" + id + hash);
        js("const d = document.getElementById('s0'); if (!d.open) d.open = true");
        await().atMost(Duration.ofSeconds(20)).until(() -> !browser.findElements(By.id("s0-L" + LINES)).isEmpty()
                || !hash.isEmpty());
    }

    @Test
    void search_finds_a_line_not_yet_loaded_and_jumps_to_it() throws Exception {
        String id = buildWithLog("search", LINES, n -> n == 57 ? "the Needle in the haystack" : n == 19_990 ? "a needle in the tail"
                : "line " + n + " of hay");
        openAndWaitForTail(id, "");
        assertThat(browser.findElements(By.id("s0-L57"))).as("line 57 is not loaded at first").isEmpty();

        WebElement q = browser.findElement(By.cssSelector("#s0 form.search .q"));
        q.sendKeys("NEEDLE", Keys.ENTER);
        await().atMost(Duration.ofSeconds(10)).until(() -> inView("s0-L57"));
        WebElement row = browser.findElement(By.id("s0-L57"));
        assertThat(row.getAttribute("class")).contains("hit");
        assertThat(row.findElement(By.cssSelector(".tx")).getText()).isEqualTo("the Needle in the haystack");
        assertThat(browser.findElement(By.cssSelector("#s0 .hits")).getText()).isEqualTo("1 of 2 (line 57)");
        Browser.screenshot(browser, "search-hit-1");

        browser.findElement(By.cssSelector("#s0 form.search .next")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> inView("s0-L19990"));
        assertThat(browser.findElement(By.id("s0-L19990")).getAttribute("class")).contains("hit");
        assertThat(browser.findElement(By.cssSelector("#s0 .hits")).getText()).isEqualTo("2 of 2 (line 19990)");

        browser.findElement(By.cssSelector("#s0 form.search .prev")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> inView("s0-L57"));
        assertThat(browser.findElements(By.id("s0-L57"))).as("one row per line, not two").hasSize(1);

        q.clear();
        q.sendKeys("not in this log", Keys.ENTER);
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.cssSelector("#s0 .hits")).getText()
                .equals("No match"));
    }

    @Test
    void a_permalink_to_an_early_line_of_a_long_log_opens_at_that_line() throws Exception {
        String id = buildWithLog("permalink", LINES, n -> "permalinked line " + n);
        browser.get(kiln.server.url() + "/builds/" + id + "#s0-L123");
        await().atMost(Duration.ofSeconds(20)).until(() -> inView("s0-L123"));
        assertThat(browser.findElement(By.cssSelector("#s0-L123 .tx")).getText()).isEqualTo("permalinked line 123");
        assertThat(browser.findElement(By.id("s0-L123")).getAttribute("class")).contains("hit");
        Browser.screenshot(browser, "permalink");
        // The tail is there too, below the window.
        await().atMost(Duration.ofSeconds(20)).until(() -> !browser.findElements(By.id("s0-L" + LINES)).isEmpty());
    }

    @Test
    void earlier_rows_fold_into_their_groups() throws Exception {
        String id = buildWithLog("groups", LINES, n -> n == 10 ? "::group::Install deps" : n == 20 ? "::endgroup::"
                : "row " + n);
        openAndWaitForTail(id, "");
        for (int i = 0; i < 20 && browser.findElements(By.id("s0-L10")).isEmpty(); i++) {
            int before = browser.findElements(By.cssSelector("#s0 .ln")).size();
            browser.findElement(By.cssSelector("#s0 .load-earlier")).click();
            await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElements(By.cssSelector("#s0 .ln")).size() > before);
        }
        WebElement group = browser.findElement(By.cssSelector("#s0 details.grp"));
        assertThat(group.findElement(By.cssSelector("summary")).getText()).contains("Install deps");
        assertThat((Boolean) js("return document.getElementById('s0-L15').closest('details.grp') !== null")).isTrue();
        assertThat((Boolean) js("return document.getElementById('s0-L25').closest('details.grp') === null")).isTrue();
    }

    @Test
    void the_timestamps_toggle_shows_when_each_line_was_written() throws Exception {
        Path dir = TestServer.repo(tmp.resolve("times"), Map.of("build.yaml",
                "steps:\n  - args: [sh, -c, 'echo early; sleep 1.5; echo late']\n"));
        BuildView b = kiln.submit(dir);
        kiln.awaitEnd(b.id(), Duration.ofSeconds(30));
        browser.get(kiln.server.url() + "/builds/" + b.id());
        js("const d = document.getElementById('s0'); if (!d.open) d.open = true");
        await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElements(By.id("s0-L2")).isEmpty());
        assertThat(browser.findElements(By.cssSelector("#s0 .ts")).stream().filter(WebElement::isDisplayed)).isEmpty();

        browser.findElement(By.cssSelector("#s0 .ts-toggle")).click();
        List<String> shown = browser.findElements(By.cssSelector("#s0 .ln .ts")).stream().map(WebElement::getText).toList();
        assertThat(shown).hasSize(2).allMatch(t -> t.matches("\\d\\d:\\d\\d:\\d\\d"));
        assertThat(shown.get(0)).isNotEqualTo(shown.get(1));   // 1.5 s apart
        long early = Long.parseLong(browser.findElement(By.id("s0-L1")).getAttribute("data-t"));
        long late = Long.parseLong(browser.findElement(By.id("s0-L2")).getAttribute("data-t"));
        assertThat(late - early).isBetween(1_400L, 5_000L);
        Browser.screenshot(browser, "timestamps");

        browser.findElement(By.cssSelector("#s0 .ts-toggle")).click();
        assertThat(browser.findElements(By.cssSelector("#s0 .ts")).stream().filter(WebElement::isDisplayed)).isEmpty();
    }
}
