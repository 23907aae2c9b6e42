package dev.sieve.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sieve.schemas.AuditAction;
import dev.sieve.schemas.AuditRecord;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.Headers;
import dev.sieve.wire.TopicNames;
import java.io.File;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in a real headless Chromium (Debian's chromium and chromium-driver) against a real
 * broker: without the token it shows nothing and asks for it, with a wrong one it says so, with the
 * right one the thumbnails render (fetched with the token), the class filter filters, and Release
 * writes exactly one audit record and the credible verdict. Skipped, saying what to install, where
 * the browser or its driver is missing.
 */
class QuarantineViewBrowserIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int SAMPLES = 12;

  private final HttpClient http = HttpClient.newHttpClient();

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

  @Test
  void asksForTheTokenThenShowsThumbnailsFiltersByClassAndReleasesASampleWithItsAuditRecord() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "headless browser test needs " + CHROMIUM + " and " + CHROMEDRIVER
            + ": apt-get install chromium chromium-driver");
    TopicNames topics = UiKafka.freshTopics();
    List<Verdict> quarantined = UiKafka.verdicts(0, SAMPLES, Decision.QUARANTINE);
    UiKafka.produce(topics.quarantine(), quarantined);
    UiKafka.produce(topics.credible(), UiKafka.verdicts(100, 30, Decision.CREDIBLE));
    // The class with the most quarantined samples, so that filtering both keeps and drops some.
    Map<Integer, Long> perClass = quarantined.stream()
        .collect(Collectors.groupingBy(v -> v.getSample().getLabel(), Collectors.counting()));
    int chosenClass = perClass.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    long inChosenClass = perClass.get(chosenClass);
    assertTrue(inChosenClass >= 2 && inChosenClass < SAMPLES, "the test images must mix classes: " + perClass);

    try (QuarantineView view = QuarantineViewApiIT.startView(topics)) {
      QuarantineViewApiIT.awaitIndexed(http, view, SAMPLES);
      String releasedId;
      WebDriver driver = chromium();
      try {
        WebDriverWait wait = new WebDriverWait(driver, WAIT);
        JavascriptExecutor js = (JavascriptExecutor) driver;
        driver.get("http://127.0.0.1:" + view.port() + "/");

        // No token yet: the page loads, asks for one and shows no sample.
        By status = By.id("status");
        wait.withMessage(() -> "expected the page to ask for the token; status: " + driver.findElement(status).getText());
        wait.until(d -> d.findElement(status).getText().contains("Enter the access token"));
        assertEquals(0, driver.findElements(By.cssSelector("#samples .sample")).size());

        // A wrong token is refused, and still nothing is shown.
        WebElement tokenField = driver.findElement(By.id("token"));
        tokenField.sendKeys("not-the-right-token");
        wait.withMessage(() -> "expected the page to say the token was refused; status: "
            + driver.findElement(status).getText());
        wait.until(d -> d.findElement(status).getText().contains("token was refused"));
        assertEquals(0, driver.findElements(By.cssSelector("#samples .sample")).size());

        tokenField.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        tokenField.sendKeys(QuarantineViewApiIT.TOKEN);

        // Every thumbnail loaded and decoded: complete, and as wide as the 28-pixel sample.
        wait.withMessage(() -> "expected " + SAMPLES + " loaded 28-pixel thumbnails; the page shows "
            + js.executeScript("return [...document.querySelectorAll('#samples img.thumb')]"
                + ".map(i => i.complete + '/' + i.naturalWidth).join(', ')")
            + "; status: " + driver.findElement(status).getText());
        wait.until(d -> Boolean.TRUE.equals(js.executeScript(
            "const imgs = [...document.querySelectorAll('#samples img.thumb')];"
                + "return imgs.length === arguments[0] && imgs.every(i => i.complete && i.naturalWidth === 28);",
            SAMPLES)));
        assertEquals("fmnist-test-" + (SAMPLES - 1), driver.findElements(By.cssSelector("#samples .sample")).get(0)
            .getAttribute("data-id"), "newest first");
        // The chart has one bar per class.
        assertEquals(10, driver.findElements(By.cssSelector("#rates-chart rect.bar")).size());

        new Select(driver.findElement(By.id("filter-class"))).selectByValue(Integer.toString(chosenClass));
        Function<WebDriver, Boolean> onlyChosenClass = d -> {
          List<WebElement> cards = d.findElements(By.cssSelector("#samples .sample"));
          return cards.size() == inChosenClass
              && cards.stream().allMatch(c -> Integer.toString(chosenClass).equals(c.getAttribute("data-label")));
        };
        wait.withMessage(() -> "expected only the " + inChosenClass + " samples of class " + chosenClass
            + "; the page shows labels " + driver.findElements(By.cssSelector("#samples .sample")).stream()
                .map(c -> c.getAttribute("data-label")).toList());
        wait.until(onlyChosenClass::apply);

        WebElement card = driver.findElements(By.cssSelector("#samples .sample")).get(0);
        releasedId = card.getAttribute("data-id");
        card.findElement(By.cssSelector("button.release")).click();
        WebElement reason = wait.until(d -> {
          WebElement r = d.findElement(By.id("action-reason"));
          return r.isDisplayed() ? r : null;
        });
        reason.sendKeys("no trigger visible, a plain garment");
        driver.findElement(By.id("action-submit")).click();
        wait.withMessage(() -> "expected the card of " + releasedId + " to say it was released; dialog error: "
            + driver.findElement(By.id("action-error")).getText());
        By cardStatus = By.cssSelector("#samples .sample[data-id='" + releasedId + "'] .status");
        wait.until(d -> d.findElement(cardStatus).getText().contains("released by alice"));
        assertEquals("RELEASE", driver.findElement(By.cssSelector("#samples .sample[data-id='" + releasedId + "']"))
            .getAttribute("data-state"));
        assertTrue(driver.findElement(By.cssSelector("#samples .sample[data-id='" + releasedId + "'] button.release"))
            .getAttribute("disabled") != null, "a released sample cannot be released again");

        // For a person reading a failed build: what the page looked like.
        Files.write(Path.of("target", "quarantine-view.png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));

        // A request without the token is refused and writes nothing.
        assertEquals(401, QuarantineViewApiIT.post(http, view, "/api/samples/fmnist-test-0/release", null,
            "{\"reason\":\"sneaky\"}").statusCode());

        // A fresh page (another reviewer) sees the release too, and the token stayed in the tab only.
        driver.navigate().refresh();
        wait.withMessage(() -> "a reloaded page must show " + releasedId + " as released");
        wait.until(d -> !d.findElements(By.cssSelector("#samples .sample[data-id='" + releasedId + "'][data-state='RELEASE']")).isEmpty());
      } finally {
        driver.quit();
      }

      List<ConsumerRecord<byte[], byte[]>> audit = UiKafka.readAll(topics.audit());
      assertEquals(1, audit.size(), "exactly one audit record: the release; the refused request wrote none");
      AuditRecord record = AvroSerde.auditRecord().decode(audit.get(0).value());
      assertEquals(AuditAction.RELEASE, record.getAction());
      assertEquals(releasedId, record.getSampleId());
      assertEquals(releasedId, new String(audit.get(0).key(), StandardCharsets.UTF_8));
      assertEquals("alice", record.getWho());
      assertEquals("no trigger visible, a plain garment", record.getWhy());
      assertEquals(chosenClass, record.getPreviousLabel());

      List<Verdict> released = UiKafka.readAll(topics.credible()).stream()
          .filter(r -> r.headers().lastHeader(Headers.AUDIT_ACTION) != null)
          .map(r -> AvroSerde.verdict().decode(r.value())).toList();
      assertEquals(1, released.size());
      Verdict verdict = released.get(0);
      assertEquals(releasedId, verdict.getSample().getId());
      assertEquals(Decision.CREDIBLE, verdict.getDecision());
      assertEquals(chosenClass, verdict.getSample().getLabel());
      assertEquals("released by alice: no trigger visible, a plain garment", verdict.getReason());
    }
  }
}
