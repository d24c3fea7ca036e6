package dev.kiln.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.server.promotion.Promotion;
import dev.kiln.server.support.Requirements;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Promotion in a real browser (Debian's chromium): a dev push's build page points at its promotion,
 * the promotion shows its gates, a developer gets no Approve button, an approver's approval moves
 * prod (checked with git), and the Models page shows version 1 with its metric chart.
 */
class PromotionBrowserTest {
    @TempDir Path tmp;
    PromotionSite site;
    ChromeDriver browser;

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (site != null) {
            site.close();
        }
    }

    private String url(String path) {
        return site.kiln.server.url() + path;
    }

    @Test
    void a_dev_push_is_shown_gated_approved_by_an_approver_in_the_browser_and_lands_in_prod_and_the_registry() throws Exception {
        Requirements.chromium();
        site = new PromotionSite(tmp, List.of("accuracy >= 0.80", "accuracy >= production - 0.01"));
        Promotion p = site.pushDev("0.90");
        browser = Browser.start();
        String build = "/builds/" + p.buildId();
        Browser.signIn(browser, site.kiln, "dana", PromotionSite.password("dana"), build);

        var banner = browser.findElement(By.cssSelector(".promo-banner"));
        assertThat(banner.getText()).contains("Promotion to prod", "awaiting approval (1 needed)");
        banner.findElement(By.tagName("a")).click();
        String page = "/promotions/" + p.id();
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().equals(url(page)));
        String gates = browser.findElement(By.id("gate-table")).getText();
        assertThat(gates).contains("accuracy >= 0.80", "fixed number", "PASS", "accuracy >= production - 0.01",
                "not applicable");
        assertThat(browser.findElement(By.id("production")).getText()).isEqualTo("first promotion: no production model yet");
        assertThat(browser.findElements(By.id("approve"))).as("a developer's Approve button").isEmpty();
        assertThat(browser.findElement(By.id("cannot-decide")).getText()).contains("needs the approver role on churn");
        Browser.screenshot(browser, "promotion-developer");

        browser.manage().deleteAllCookies();
        Browser.signIn(browser, site.kiln, "alice", PromotionSite.password("alice"), page);
        browser.findElement(By.id("approve-comment")).sendKeys("AUC holds on the holdout");
        browser.findElement(By.id("approve")).click();
        await().atMost(Duration.ofSeconds(20)).until(() -> browser.getCurrentUrl().equals(url(page))
                && List.of("PROMOTING", "PROMOTED").contains(browser.findElement(By.id("state")).getText()));
        assertThat(site.prodHead()).as("prod after the approval").isEqualTo(p.commitSha());
        assertThat(browser.findElement(By.id("decisions")).getText()).contains("Approved by alice", "AUC holds on the holdout");

        assertThat(site.awaitBuild("prod", p.commitSha()).status()).isEqualTo(Status.SUCCESS);
        site.kiln.server.promotions().flush();
        browser.navigate().refresh();
        assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("PROMOTED");
        assertThat(browser.findElement(By.id("model-version")).getText()).isEqualTo("v1");
        Browser.screenshot(browser, "promotion-promoted");
        browser.findElement(By.id("prod-build")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().startsWith(url("/builds/")));
        assertThat(browser.findElement(By.cssSelector(".promo-banner")).getText())
                .contains("Promotion to prod", "this is its production build", "promoted as v1");
        browser.get(url(build));
        assertThat(browser.findElement(By.cssSelector(".promo-banner")).getText()).contains("promoted as v1");

        browser.findElement(By.linkText("Models")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().equals(url("/models")));
        assertThat(browser.findElement(By.id("models")).getText()).contains("churn", "v1");
        browser.findElement(By.linkText("churn")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().equals(url("/models/churn")));
        assertThat(browser.findElement(By.id("versions")).getText()).contains("v1", "production", "alice");
        var chart = browser.findElement(By.cssSelector("#chart-accuracy svg"));
        assertThat(chart.getAttribute("aria-label")).isEqualTo("accuracy over 1 build");
        assertThat(chart.findElements(By.cssSelector("circle.chart-ver"))).as("v1's build, marked").hasSize(1);
        assertThat(chart.getSize().getWidth()).isPositive();
        Browser.screenshot(browser, "models-churn");

        // Worse than v1 by more than the margin: the build's banner says which gate stopped it.
        Promotion worse = site.pushDev("0.85");
        browser.get(url("/builds/" + worse.buildId()));
        assertThat(browser.findElement(By.cssSelector(".promo-banner")).getText())
                .contains("gates failed: accuracy >= production - 0.01");
        browser.findElement(By.cssSelector(".promo-banner a")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().equals(url("/promotions/" + worse.id())));
        assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("GATES_FAILED");
        assertThat(browser.findElement(By.id("gate-table")).getText()).contains("against production v1's recorded value",
                "0.85", "0.89", "0.9", "FAIL");
        assertThat(browser.findElements(By.id("approve"))).as("no Approve for failed gates").isEmpty();
        browser.get(url("/models/churn"));
        var both = browser.findElement(By.cssSelector("#chart-accuracy svg"));
        assertThat(both.getAttribute("aria-label")).isEqualTo("accuracy over 2 builds");
        assertThat(both.findElements(By.cssSelector("circle.chart-ver"))).hasSize(1);
        assertThat(both.findElements(By.cssSelector("circle.chart-pt"))).hasSize(1);
        assertThat(both.findElements(By.cssSelector("path.chart-prod"))).as("v1's value as a step line").hasSize(1);
        Browser.screenshot(browser, "models-churn-2");
    }
}
