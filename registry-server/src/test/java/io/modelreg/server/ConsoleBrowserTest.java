package io.modelreg.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.modelreg.MetricRecord;
import io.modelreg.inference.pool.ModelPool;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser: Debian's chromium driven by Selenium through Debian's chromium-driver.
 * Screenshots are saved under {@code target/screenshots/} for review.
 */
class ConsoleBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SHOTS = Path.of("target/screenshots");

  @TempDir
  Path dir;
  Fixture f;
  ModelPool<AutoCloseable> pool;
  ChromeDriver driver;
  WebDriverWait wait;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
        "Debian's chromium and chromium-driver are not installed (.ci/run installs them)");
    f = new Fixture();
    pool = MetricsTest.pool(f);
    f.restart(ServerOptions.builder().pool(pool).build());
    f.registry.recordMetrics("churn", 1, new MetricRecord("bench-1", Instant.parse("2026-01-01T00:00:00Z"),
        Map.of("accuracy", 0.89, "latency_p99_ms", 5.0), "bench"));
    f.registry.recordMetrics("churn", 1, new MetricRecord("bench-2", Instant.parse("2026-01-02T00:00:00Z"),
        Map.of("accuracy", 0.91, "latency_p99_ms", 5.4), "bench"));
    f.registry.recordMetrics("churn", 2, new MetricRecord("bench-3", Instant.parse("2026-01-03T00:00:00Z"),
        Map.of("accuracy", 0.94, "latency_p99_ms", 4.1), "bench"));
    for (int i = 0; i < 3; i++) {
      pool.call("models:/churn@champion", lease -> lease.version().number());
    }
    Files.createDirectories(SHOTS);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + dir.resolve("profile"));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort().withLogFile(dir.resolve("chromedriver.log").toFile()).build();
    driver = new ChromeDriver(service, options);
    wait = new WebDriverWait(driver, Duration.ofSeconds(20));
    // the console re-renders a table when an event arrives: an element found in one poll can be replaced before
    // it is read, which is a reason to look again, not a failure (seen once in a full build)
    wait.ignoring(StaleElementReferenceException.class);
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (pool != null) {
      pool.close();
    }
    if (f != null) {
      f.close();
    }
  }

  private void open(String url) {
    driver.get(url);
    wait.until(d -> "true".equals(((JavascriptExecutor) d).executeScript("return document.body.dataset.ready")));
  }

  private void shot(String name) throws Exception {
    File png = driver.getScreenshotAs(OutputType.FILE);
    Files.copy(png.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  private WebElement row(int version) {
    return driver.findElement(By.cssSelector("#versions tr[data-version='" + version + "']"));
  }

  @Test
  void findAModelMoveItsAliasWithTheConfirmationAndSeeItArriveLiveInASecondWindow() throws Exception {
    open(f.server.consoleUri().toString());
    assertThat(driver.getCurrentUrl()).as("the token leaves the address bar").doesNotContain("token=");
    // find the model
    driver.findElement(By.id("search")).sendKeys("chu");
    wait.until(d -> d.findElements(By.cssSelector("#catalog tbody tr")).size() == 1);
    WebElement churn = driver.findElement(By.cssSelector("#catalog tr[data-model='churn']"));
    assertThat(churn.getText()).contains("v1").contains("v2").contains("@champion → v1");
    shot("1-catalog");
    churn.findElement(By.linkText("churn")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#versions tr[data-version='2']")));
    String first = driver.getWindowHandle();

    // a second window watches the same model
    driver.switchTo().newWindow(WindowType.WINDOW);
    String second = driver.getWindowHandle();
    open(f.server.uri() + "#/model/churn");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#versions tr[data-version='2']")));
    ((JavascriptExecutor) driver).executeScript("window.__sameDocument = 'yes'");
    assertThat(row(2).findElement(By.cssSelector("td[data-aliases]")).getAttribute("data-aliases")).doesNotContain("champion");

    // move the alias in the first window, through the confirmation
    driver.switchTo().window(first);
    row(2).findElement(By.cssSelector("button[data-action='alias']")).click();
    WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
    assertThat(driver.findElement(By.id("alias-name")).getAttribute("value")).isEqualTo("champion");
    assertThat(dialog.findElement(By.id("confirm-changes")).getText())
        .contains("Move @champion of churn from v1 (1.0.0, production) to v2 (1.1.0, staging)")
        .contains("models:/churn@champion switch to v2");
    shot("2-confirm-alias");
    assertThat(f.registry.resolve("models:/churn@champion").number()).as("nothing changes before confirming").isEqualTo(1);
    driver.findElement(By.id("confirm-ok")).click();
    wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("confirm")));
    wait.until(d -> row(2).findElement(By.cssSelector("td[data-aliases]")).getAttribute("data-aliases").contains("champion"));
    assertThat(f.registry.resolve("models:/churn@champion").number()).isEqualTo(2);

    // the second window sees the new version and the event, without a reload
    driver.switchTo().window(second);
    wait.until(d -> row(2).findElement(By.cssSelector("td[data-aliases]")).getAttribute("data-aliases").contains("champion"));
    assertThat(row(1).findElement(By.cssSelector("td[data-aliases]")).getAttribute("data-aliases")).doesNotContain("champion");
    wait.until(d -> !d.findElements(By.cssSelector("#events li[data-type='ALIAS_SET'][data-model='churn']")).isEmpty());
    assertThat(driver.findElement(By.cssSelector("#events li[data-type='ALIAS_SET']")).getText()).contains("champion");
    assertThat(((JavascriptExecutor) driver).executeScript("return window.__sameDocument")).as("no reload").isEqualTo("yes");
    shot("3-second-window-live");
    // the pool serving models:/churn@champion switched too, and said so on the event stream
    wait.until(d -> !d.findElements(By.cssSelector("#events li[data-type='switch']")).isEmpty());
    driver.close();
    driver.switchTo().window(first);
  }

  @Test
  void aChangeBySomeoneElseWhileConfirmingIsDetectedNotOverwritten() throws Exception {
    open(f.server.consoleUri() .toString().replace("#token=", "#token=") );
    driver.get(f.server.uri() + "#/model/churn");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#versions tr[data-version='2']")));
    row(2).findElement(By.cssSelector("button[data-action='alias']")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
    f.registry.setAlias("churn", "champion", 3); // someone else, while the dialog is open
    driver.findElement(By.id("confirm-ok")).click();
    WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-error")));
    assertThat(error.getText()).contains("someone else changed churn");
    assertThat(f.registry.resolve("models:/churn@champion").number()).as("not overwritten").isEqualTo(3);
    shot("4-stale-revision");
  }

  @Test
  void aRollbackConfirmationNamesTheVersionItBringsBack() throws Exception {
    f.registry.transition("churn", 2, io.modelreg.Stage.PRODUCTION); // v1 archived, remembered as the earlier holder
    open(f.server.consoleUri().toString());
    driver.get(f.server.uri() + "#/model/churn");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("rollback"))).click();
    WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
    assertThat(dialog.findElement(By.id("confirm-changes")).getText()).contains("v2 (now in production) → ARCHIVED")
        .contains("v1 (ARCHIVED) → PRODUCTION");
    driver.findElement(By.id("confirm-ok")).click();
    wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("confirm")));
    assertThat(f.registry.getModel("churn").productionVersion()).hasValue(1);
    shot("5b-rollback");
  }

  @Test
  void aPromotionGatesRefusalShowsEveryUnmetRule() throws Exception {
    f.registry.transition("churn", 3, io.modelreg.Stage.STAGING);
    open(f.server.consoleUri().toString());
    driver.get(f.server.uri() + "#/model/churn");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#versions tr[data-version='3']")));
    row(3).findElement(By.cssSelector("button[data-action='promote']")).click();
    WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
    assertThat(dialog.findElement(By.id("confirm-changes")).getText()).contains("v3: STAGING → PRODUCTION")
        .contains("v1 (now in production) → ARCHIVED");
    driver.findElement(By.id("confirm-ok")).click();
    WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-error")));
    assertThat(error.getText()).contains("accuracy").contains("0.85");
    assertThat(f.registry.getVersion("churn", 3).stage().name()).isEqualTo("STAGING");
    shot("5-gate-refused");
  }

  @Test
  void aComparisonDrawsEverySampleOfEveryMetricWithConfidence() throws Exception {
    open(f.server.uri() + "#/model/churn");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#versions tr[data-version='2']")));
    row(1).findElement(By.cssSelector("input[data-select='1']")).click();
    row(2).findElement(By.cssSelector("input[data-select='2']")).click();
    driver.findElement(By.id("compare-selected")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("svg.metric-chart[data-metric='accuracy']")));
    List<WebElement> acc = driver.findElements(By.cssSelector("svg[data-metric='accuracy'] circle.sample"));
    assertThat(acc).as("v1: registered + 2 runs, v2: registered + 1 run").hasSize(5);
    assertThat(acc.stream().map(c -> c.getAttribute("data-value")).toList()).contains("0.9", "0.89", "0.91", "0.93", "0.94");
    List<WebElement> latency = driver.findElements(By.cssSelector("svg[data-metric='latency_p99_ms'] circle.sample"));
    assertThat(latency).hasSize(3);
    assertThat(driver.findElements(By.cssSelector("svg[data-metric='accuracy'] line.mean"))).hasSize(2);
    assertThat(driver.findElements(By.cssSelector("svg[data-metric='accuracy'] line.ci"))).as("v1 has 3 samples").isNotEmpty();
    String table = driver.findElement(By.id("compare-table")).getText();
    assertThat(table).contains("confidence").contains("live p99 latency (pool)").contains("1.0.0").contains("1.1.0");
    assertThat(driver.findElement(By.cssSelector("table.params")).getText()).contains("lr").contains("0.1").contains("0.05");
    shot("6-compare");
  }

  @Test
  void theLivePoolAndTheHistoryTimelineAreShownAndThePageFitsAPhone() throws Exception {
    open(f.server.uri() + "#/live");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#pool-versions tr[data-key='churn/1']")));
    assertThat(driver.findElement(By.cssSelector("[data-testid='loaded']")).getText()).isEqualTo("1");
    assertThat(driver.findElement(By.id("pool")).getText()).contains("Hit rate").contains("MiB");
    shot("7-live-pool");
    driver.get(f.server.uri() + "#/history/churn");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#timeline li")));
    assertThat(driver.findElements(By.cssSelector("#timeline li"))).hasSize(f.registry.history("churn").size());
    shot("8-history");
    driver.manage().window().setSize(new Dimension(390, 844));
    driver.get(f.server.uri() + "#/");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#catalog tr[data-model='churn']")));
    Object overflow = ((JavascriptExecutor) driver).executeScript(
        "return document.documentElement.scrollWidth > window.innerWidth + 1");
    assertThat(overflow).as("no sideways scrolling of the page on a phone").isEqualTo(false);
    shot("9-phone-catalog");
  }
}
