package dev.kiln.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.Requirements;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The repos pages and the approval buttons in a real browser (Debian's chromium), after a real
 * {@code git push}: the head shows, Run builds that commit and opens its build, a PENDING build is
 * approved from its page by keyboard and runs to SUCCESS; at 375 px nothing overflows sideways.
 */
class RepoBrowserTest {
    @TempDir static Path tmp;
    static TestServer kiln;
    static ChromeDriver browser;
    static GitCli git;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        Requirements.chromium();
        git = GitCli.in(tmp);
        kiln = TestServer.start(tmp.resolve("data"));
        kiln.api.createRepo(new RepoRequest("churn", null, null, null, null));
        kiln.api.createTrigger(new TriggerView("dev", "churn", "^dev$", null, false, null, List.of(), List.of(), Map.of(),
                true, null));
        kiln.api.createTrigger(new TriggerView("gated", "churn", "^prod$", null, false, null, List.of(), List.of(),
                Map.of(), true, null, false, false, true, null, null));
        work = git.init(tmp.resolve("work"), "dev");
        git.signIn(kiln).run(work, "remote", "add", "kiln", kiln.server.url() + "/git/churn.git");
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

    @AfterEach
    void wide() {
        browser.manage().window().setSize(new Dimension(1280, 900));
    }

    private static String url(String path) {
        return kiln.server.url() + path;
    }

    /** Signs in as admin through the form, by keyboard, and lands on {@code next}. */
    private static void signIn(String next) throws Exception {
        Browser.signIn(browser, kiln, "admin", kiln.server.initialAdminPassword(), next);
    }

    /** At a phone's width, the page scrolls down only: nothing sticks out sideways. */
    private static void fitsA375pxScreen(String screenshot) throws Exception {
        browser.manage().window().setSize(new Dimension(375, 800));
        Object overflow = ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Browser.screenshot(browser, screenshot);
        assertThat(((Number) overflow).intValue()).as("pixels sticking out sideways at 375 px").isLessThanOrEqualTo(0);
        browser.manage().window().setSize(new Dimension(1280, 900));
    }

    private static String buildIdOf(String currentUrl) {
        return currentUrl.substring(currentUrl.lastIndexOf('/') + 1);
    }

    @Test
    void after_a_push_the_repo_shows_its_head_and_run_builds_that_commit_and_opens_its_build() throws Exception {
        String sha = git.commit(work, "first model", Map.of("build.yaml", "steps:\n  - args: [sh, -c, 'echo ran $SHORT_SHA']\n"));
        git.run(work, "push", "-q", "kiln", "dev");

        browser.get(url("/"));
        browser.findElement(By.linkText("Repos")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().equals(url("/repos")));
        WebElement card = browser.findElement(By.id("r-churn"));
        assertThat(card.getText()).contains("churn", "hosted", url("/git/churn.git"), "branch(es)", "2 trigger(s)");
        Browser.screenshot(browser, "repos");
        fitsA375pxScreen("repos-375px");
        card.findElement(By.linkText("churn")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().equals(url("/repos/churn")));
        assertThat(browser.findElement(By.cssSelector("#heads tr[data-ref='branch:dev']")).getText())
                .contains("dev", sha.substring(0, 7));

        // The clone URL's Copy button copies it, and says so (to a screen reader too).
        browser.findElement(By.cssSelector("#repo button.copy")).click();
        await().atMost(Duration.ofSeconds(5)).until(() ->
                browser.findElement(By.cssSelector("#repo button.copy")).getText().equals("Copied"));
        assertThat(browser.findElement(By.id("copy-status")).getAttribute("textContent"))
                .isEqualTo("Copied " + url("/git/churn.git"));

        signIn("/repos/churn");
        WebElement form = browser.findElement(By.cssSelector("#t-dev form.run"));
        WebElement ref = form.findElement(By.name("ref"));
        assertThat(ref.getAttribute("value")).isEqualTo("dev");
        fitsA375pxScreen("repo-375px");
        Browser.screenshot(browser, "repo");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        await().atMost(Duration.ofSeconds(20)).until(() -> browser.getCurrentUrl().startsWith(url("/builds/")));
        BuildView b = kiln.api.get(buildIdOf(browser.getCurrentUrl()));
        assertThat(b.commitSha()).isEqualTo(sha);
        assertThat(b.cause()).isEqualTo("manual");
        assertThat(b.trigger()).isEqualTo("dev");
        await().atMost(Duration.ofSeconds(60)).until(() -> browser.findElement(By.id("status")).getText().equals("SUCCESS"));
        Browser.screenshot(browser, "run-from-repo-page");

        // An unknown branch, sent by keyboard (Enter in the field): the repo's page says so beside the trigger.
        browser.navigate().back();
        browser.navigate().refresh();
        WebElement again = browser.findElement(By.cssSelector("#t-dev form.run input[name=ref]"));
        again.clear();
        again.sendKeys("no-such-branch", Keys.ENTER);
        await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElements(By.id("error-dev")).isEmpty());
        assertThat(browser.findElement(By.id("error-dev")).getText()).isEqualTo("Not run: no branch no-such-branch in repo churn");
        Browser.screenshot(browser, "run-refused");
    }

    @Test
    void a_pending_build_is_approved_from_its_page_by_keyboard_and_runs_to_success() throws Exception {
        git.commit(work, "to production", Map.of("build.yaml", "steps:\n  - args: [sh, -c, 'echo shipped']\n"));
        kiln.api.protectBranch("churn", "prod", false);   // the approval gate is tested here, not branch protection
        git.run(work, "push", "-q", "-f", "kiln", "HEAD:prod");
        BuildView pending = kiln.api.list(1, null, null, "gated", null).get(0);
        assertThat(pending.status()).isEqualTo(Status.PENDING);
        String page = "/builds/" + pending.id();
        signIn(page);
        assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("PENDING");
        assertThat(browser.findElement(By.id("approval")).getText()).contains("Waiting for approval");
        fitsA375pxScreen("pending-375px");

        WebElement comment = browser.findElement(By.id("comment"));
        comment.sendKeys("ship it", Keys.TAB);
        assertThat(browser.switchTo().activeElement().getAttribute("id")).isEqualTo("approve");
        browser.switchTo().activeElement().sendKeys(Keys.ENTER);
        await().atMost(Duration.ofSeconds(60)).until(() -> browser.findElement(By.id("status")).getText().equals("SUCCESS"));
        assertThat(browser.getCurrentUrl()).isEqualTo(url(page));
        assertThat(kiln.api.get(pending.id()).status()).isEqualTo(Status.SUCCESS);
        browser.navigate().refresh();
        assertThat(browser.findElement(By.id("decision")).getText()).startsWith("by admin").endsWith("ship it");
        assertThat(browser.findElements(By.id("approval"))).isEmpty();
        Browser.screenshot(browser, "approved");
    }
}
