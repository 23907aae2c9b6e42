package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.ui.AccessTokens;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * {@code sieve demo --ui --keep-running} in its own JVM, as a newcomer runs it: it prints the
 * view's address at start, runs a short stream to its summary, keeps the broker and the view up,
 * and the view, opened in a real headless Chromium with the token, lists the quarantined samples.
 * SIGTERM then stops it. Skipped, saying what to install, where the browser or its driver is
 * missing. The screenshot it leaves in target/demo-ui.png is the one in docs/img/.
 */
class DemoUiBrowserIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Pattern VIEW_URL = Pattern.compile("quarantine view: (http://\\S+/)");
  private static final Pattern MATCHED = Pattern.compile("(\\d+) shown of (\\d+) matching");
  /** Hang guards only: each wait ends on an event, the line printed or the page rendered. */
  private static final Duration START = Duration.ofMinutes(5);
  private static final Duration DEMO = Duration.ofMinutes(30);
  private static final Duration PAGE = Duration.ofMinutes(2);

  @TempDir Path work;

  @Test
  @Timeout(value = 45, unit = TimeUnit.MINUTES) // a hang guard: the Victim's warm-up sets the pace
  void theDemoServesItsQuarantineInTheViewUntilStopped() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "headless browser test needs " + CHROMIUM + " and " + CHROMEDRIVER
            + ": apt-get install chromium chromium-driver");
    String token = AccessTokens.generateToken();
    Path summaryFile = work.resolve("summary.json");
    // The token through the environment, as a person may give it: no token file is written into
    // the module's working directory. --split vab: on 1,200 samples the default class-mixture
    // split may find no cluster to quarantine, while V&B's fixed threshold always quarantines the
    // lowest entropies; the view, not the detection, is under test here.
    SieveProcess demo = SieveProcess.start(List.of("-Xmx3g"),
        List.of("demo", "--ui", "--keep-running", "--ui-port", "0", "--limit", "1200", "--warmup-samples", "1200",
            "--split", "vab", "--final-epochs", "1", "--work-dir", work.resolve("demo").toString(), "--summary", summaryFile.toString()),
        Map.of(AccessTokens.ENV_VAR, token), work.resolve("demo.log"));
    try {
      String viewLine = demo.awaitLine("quarantine view: ", START);
      Matcher url = VIEW_URL.matcher(viewLine);
      assertTrue(url.find(), viewLine);
      assertTrue(viewLine.contains("token in $" + AccessTokens.ENV_VAR), viewLine);
      assertFalse(demo.output().contains(token), "the demo never prints the token");

      String keepLine = demo.awaitLine("keep running until Ctrl-C", DEMO);
      assertTrue(demo.output().contains("Sieve demo summary"), demo.tail(60));
      assertTrue(keepLine.contains("the broker at 127.0.0.1:") && keepLine.contains(url.group(1)), keepLine);
      JsonNode summary = new ObjectMapper().readTree(summaryFile.toFile());
      long quarantined = summary.get("quarantine").asLong();
      assertTrue(quarantined > 0, "V&B's split quarantines the lowest entropies: " + summary);

      WebDriver driver = chromium();
      try {
        WebDriverWait wait = new WebDriverWait(driver, PAGE);
        JavascriptExecutor js = (JavascriptExecutor) driver;
        driver.get(url.group(1));
        driver.findElement(By.id("token")).sendKeys(token);
        // Every quarantined sample of the run is held and counted, the newest shown with loaded thumbnails.
        wait.withMessage(() -> "expected " + quarantined + " quarantined samples with loaded thumbnails; the page says '"
            + driver.findElement(By.id("matched")).getText() + "', status '" + driver.findElement(By.id("status")).getText()
            + "'");
        wait.until(d -> {
          Matcher m = MATCHED.matcher(d.findElement(By.id("matched")).getText());
          return m.find() && Long.parseLong(m.group(2)) == quarantined && Long.parseLong(m.group(1)) > 0
              && Boolean.TRUE.equals(js.executeScript(
                  "const imgs = [...document.querySelectorAll('#samples img.thumb')];"
                      + "return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth === 28);"));
        });
        assertFalse(driver.findElements(By.cssSelector("#samples .sample")).isEmpty());
        assertEquals(10, driver.findElements(By.cssSelector("#rates-chart rect.bar")).size(), "one bar per class");
        Files.write(Path.of("target", "demo-ui.png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
      } finally {
        driver.quit();
      }

      // After its summary the demo exits with the summary's status: 0, every sample accounted for.
      assertEquals(0, demo.terminate(), demo.tail(40));
    } finally {
      demo.kill();
    }
  }

  private static WebDriver chromium() {
    // The system driver, so that Selenium Manager never tries to download one (there is no network).
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
        .usingAnyFreePort()
        .build();
    return new ChromeDriver(service, options);
  }
}
