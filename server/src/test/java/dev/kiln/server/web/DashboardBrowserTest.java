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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.chrome.ChromeDriver;

/** The dashboard in a real browser (Debian's chromium): live logs, escaping, the buttons, a huge log. */
class DashboardBrowserTest {
    @TempDir static Path tmp;
    static TestServer kiln;
    static ChromeDriver browser;
    static Path gates;

    @BeforeAll
    static void start() throws Exception {
        Requirements.chromium();
        kiln = TestServer.start(tmp.resolve("data"));
        browser = Browser.start();
        Browser.signIn(browser, kiln);
        // Steps may run as the unprivileged build user: the gate files must be reachable and writable by it.
        gates = Files.createDirectories(tmp.resolve("gates"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(gates, PosixFilePermissions.fromString("rwxrwxrwx"));
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

    private static String url(String path) {
        return kiln.server.url() + path;
    }

    private static BuildView submit(String name, String yaml) throws Exception {
        Path dir = TestServer.repo(tmp.resolve(name), Map.of("build.yaml", yaml));
        return kiln.submit(dir);
    }

    /** A step that prints {@code first}, waits for the gate file, prints {@code then}, and waits for a second gate. */
    private static String gated(String gate, String first, String then) {
        Path g = gates.resolve(gate);
        return "steps:\n  - id: gated\n    args: [sh, -c, 'echo " + first + "; while [ ! -f " + g + " ]; do sleep 0.02; done; echo "
                + then + "; while [ ! -f " + g + ".2 ]; do sleep 0.02; done']\n";
    }

    /** The log's rows as text, read in one script: rows that are still pending are replaced as they change. */
    @SuppressWarnings("unchecked")
    private static List<String> rows(String step) {
        return (List<String>) ((JavascriptExecutor) browser).executeScript("return Array.from(document.querySelectorAll("
                + "'#" + step + " .log .ln .tx')).map(e => e.textContent)");
    }

    @Test
    void a_running_builds_new_line_shows_in_the_open_page_within_a_second() throws Exception {
        BuildView b = submit("live", gated("live", "before-gate", "after-gate"));
        browser.get(url("/builds/" + b.id()));
        await().atMost(Duration.ofSeconds(20)).until(() -> rows("s0").contains("before-gate"));
        assertThat(browser.getTitle()).startsWith("WORKING");
        long t0 = System.nanoTime();
        Files.createFile(gates.resolve("live"));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> rows("s0").contains("after-gate"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Browser.screenshot(browser, "live-log");
        assertThat(ms).as("ms from the line's write to the page").isLessThan(1000);
        Files.createFile(gates.resolve("live.2"));
        kiln.awaitEnd(b.id(), Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.getTitle().startsWith("SUCCESS"));
        assertThat(rows("s0")).containsExactly("before-gate", "after-gate");
    }

    @Test
    void log_text_is_escaped_progress_bars_end_as_one_line_and_a_failure_is_summarised() throws Exception {
        BuildView b = submit("xss", "steps:\n  - id: hostile\n    args: [sh, -c, \"echo '<script>alert(1)</script>';"
                + " echo '<img src=x onerror=alert(1)>'; printf 'p 10%%\\rp 50%%\\rp 100%%\\n'; exit 3\"]\n");
        kiln.awaitEnd(b.id(), Duration.ofSeconds(30));
        browser.get(url("/builds/" + b.id()));
        await().atMost(Duration.ofSeconds(10)).until(() -> rows("s0").size() >= 3);
        Browser.screenshot(browser, "failed-build");
        assertThat(rows("s0")).containsExactly("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "p 100%");
        assertThat(browser.findElements(By.cssSelector(".log img, .log script, .failure img"))).isEmpty();
        assertThat(browser.findElement(By.cssSelector(".failure")).getText()).contains("exit code 3", "p 100%");
        assertThat(browser.findElement(By.id("s0")).getAttribute("open")).isNotNull();
        assertThat(browser.getTitle()).startsWith("FAILURE");
        try {
            browser.switchTo().alert();
            throw new AssertionError("an alert fired");
        } catch (NoAlertPresentException expected) {
            // nothing ran
        }
    }

    @Test
    void cancel_and_retry_work_from_the_page_once_signed_in() throws Exception {
        BuildView b = submit("cancel", gated("cancel", "waiting", "never"));
        kiln.server.users().add("dana", dev.kiln.server.access.Role.DEVELOPER, "developer-password");
        browser.get(url("/login?next=/builds/" + b.id()));
        browser.findElement(By.name("user")).sendKeys("dana");
        browser.findElement(By.name("password")).sendKeys("developer-password");
        browser.findElement(By.id("sign-in")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().equals(url("/builds/" + b.id())));
        assertThat(browser.findElement(By.id("signed-in-as")).getText()).isEqualTo("dana developer");
        await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElements(By.id("cancel")).isEmpty());
        await().atMost(Duration.ofSeconds(20)).until(() -> rows("s0").contains("waiting"));
        browser.findElement(By.id("cancel")).click();
        await().atMost(Duration.ofSeconds(20)).until(() -> "CANCELLED".equals(kiln.api.get(b.id()).status().name()));
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("status")).getText().equals("CANCELLED"));
        Browser.screenshot(browser, "cancelled");
        browser.findElement(By.id("retry")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> !browser.getCurrentUrl().endsWith("/builds/" + b.id()));
        String retry = browser.getCurrentUrl().substring(browser.getCurrentUrl().lastIndexOf('/') + 1);
        assertThat(kiln.api.get(retry).retryOf()).isEqualTo(b.id());
        kiln.api.cancel(retry);

        // Sign out from the header: the page asks to sign in again, and dana's buttons are gone.
        browser.findElement(By.id("logout")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().equals(url("/login")));
        Browser.screenshot(browser, "login");
        browser.get(url("/builds/" + b.id()));
        assertThat(browser.getCurrentUrl()).isEqualTo(url("/login?next=%2Fbuilds%2F" + b.id()));
        assertThat(browser.findElements(By.id("retry"))).isEmpty();
        Browser.signIn(browser, kiln);
    }

    @Test
    void the_builds_list_updates_live() throws Exception {
        browser.get(url("/"));
        BuildView b = submit("listed", gated("listed", "x", "y"));
        await().atMost(Duration.ofSeconds(5)).until(() -> !browser.findElements(By.id("b-" + b.id())).isEmpty());
        Files.createFile(gates.resolve("listed"));
        Files.createFile(gates.resolve("listed.2"));
        // The row is replaced as the build moves: a lookup may land on the row just swapped out.
        await().atMost(Duration.ofSeconds(20)).ignoreException(org.openqa.selenium.StaleElementReferenceException.class)
                .until(() -> browser.findElement(By.id("b-" + b.id())).getText().contains("SUCCESS"));
        Browser.screenshot(browser, "builds-list");
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(375, 800));
        browser.get(url("/"));
        Browser.screenshot(browser, "builds-list-375px");
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 900));
    }

    @Test
    void a_200_mb_log_opens_without_hanging_the_page_and_shows_only_its_tail() throws Exception {
        String id = kiln.endedBuild(tmp.resolve("huge"));
        Path log = kiln.dataDir.resolve("logs").resolve(id).resolve("0.log");
        Files.createDirectories(log.getParent());
        long lines = 0;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(log), 1 << 20)) {
            byte[] pad = " \u001b[32mgreen\u001b[0m and some text to make the line a realistic length of about 100 bytes......\n"
                    .getBytes(StandardCharsets.UTF_8);
            for (long written = 0; written < 200L << 20; written += pad.length + 12) {
                out.write(String.format("%011d", ++lines).getBytes(StandardCharsets.US_ASCII));
                out.write(pad);
            }
        }
        long t0 = System.nanoTime();
        browser.get(url("/builds/" + id));
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to document ready").isLessThan(5000);
        ((JavascriptExecutor) browser).executeScript("document.getElementById('s0').open = true");
        long last = lines;
        await().atMost(Duration.ofSeconds(30)).until(() -> !browser.findElements(By.id("s0-L" + last)).isEmpty());
        Browser.screenshot(browser, "huge-log");
        long shown = (Long) ((JavascriptExecutor) browser).executeScript("return document.querySelectorAll('#s0 .ln').length");
        assertThat(shown).isLessThanOrEqualTo(StreamRoutes.TAIL + 200);
        assertThat(browser.findElement(By.cssSelector("#s0 .skipcount")).getText()).contains("earlier lines not shown");
        // Still responsive: a script runs at once.
        long t1 = System.nanoTime();
        ((JavascriptExecutor) browser).executeScript("return 1");
        assertThat((System.nanoTime() - t1) / 1_000_000).isLessThan(1000);
    }
}
