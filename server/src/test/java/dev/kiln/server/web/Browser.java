package dev.kiln.server.web;

import static org.awaitility.Awaitility.await;

import dev.kiln.server.support.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** Debian's headless chromium driven by its chromedriver, offline: no Selenium Manager, no downloads. */
final class Browser {
    private Browser() {}

    static ChromeDriver start() {
        System.setProperty("SE_OFFLINE", "true");
        ChromeOptions o = new ChromeOptions();
        o.setBinary("/usr/bin/chromium");
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        ChromeDriver d = new ChromeDriver(service, o);
        d.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
        return d;
    }

    /** Signs {@code d} in as admin through the sign-in form, by keyboard, as a person does. */
    static void signIn(ChromeDriver d, TestServer kiln) throws Exception {
        signIn(d, kiln, "admin", kiln.server.initialAdminPassword(), "/");
    }

    /** Signs {@code d} in as {@code user} through the sign-in form and waits to land on {@code next}. */
    static void signIn(ChromeDriver d, TestServer kiln, String user, String password, String next) throws Exception {
        String base = kiln.server.url();
        d.get(base + "/login?next=" + java.net.URLEncoder.encode(next, java.nio.charset.StandardCharsets.UTF_8));
        d.findElement(By.name("user")).sendKeys(user);
        d.findElement(By.name("password")).sendKeys(password, Keys.ENTER);
        await().atMost(Duration.ofSeconds(10)).until(() -> d.getCurrentUrl().equals(base + next));
    }

    /** Saves what the page looks like now under target/screenshots/, for a person to look at. */
    static void screenshot(ChromeDriver d, String name) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "screenshots"));
        Files.write(dir.resolve(name + ".png"), ((TakesScreenshot) d).getScreenshotAs(OutputType.BYTES));
    }
}
