package dev.sieve.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.schemas.AuditAction;
import dev.sieve.schemas.AuditRecord;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.Headers;
import dev.sieve.wire.TopicNames;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The JSON API against a real broker: reads, the token and Host checks, and each action's records. */
class QuarantineViewApiIT {

  static final String TOKEN = "test-token-for-alice";
  static final String BEARER = "Bearer " + TOKEN;
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  static QuarantineView startView(TopicNames topics) {
    return QuarantineView.start(UiConfig.defaults(UiKafka.bootstrap(), topics, AccessTokens.single("alice", TOKEN))
        .withListen("127.0.0.1", 0));
  }

  /** Waits (up to 30 s) until the view has indexed {@code expected} quarantined samples. */
  static void awaitIndexed(HttpClient http, QuarantineView view, int expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    int matched = -1;
    while (System.nanoTime() < deadline) {
      matched = JSON.readTree(get(http, view, "/api/quarantine").body()).get("matched").asInt();
      if (matched == expected) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the view indexed " + matched + " quarantined samples, expected " + expected);
  }

  /** A GET with alice's token. */
  static HttpResponse<String> get(HttpClient http, QuarantineView view, String path) throws Exception {
    return get(http, view, path, BEARER);
  }

  static HttpResponse<String> get(HttpClient http, QuarantineView view, String path, String authorization)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + view.port() + path)).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(HttpClient http, QuarantineView view, String path, String authorization, String body)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + view.port() + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesSamplesRatesAndThumbnailsAndWritesEachActionWithItsAuditRecord() throws Exception {
    TopicNames topics = UiKafka.freshTopics();
    List<Verdict> quarantined = UiKafka.verdicts(0, 6, Decision.QUARANTINE);
    UiKafka.produce(topics.quarantine(), quarantined);
    UiKafka.produce(topics.credible(), UiKafka.verdicts(100, 20, Decision.CREDIBLE));
    AvroSerde<AuditRecord> audits = AvroSerde.auditRecord();
    AvroSerde<Verdict> verdicts = AvroSerde.verdict();

    try (QuarantineView view = startView(topics)) {
      awaitIndexed(http, view, 6);
      JsonNode page = JSON.readTree(get(http, view, "/api/quarantine?limit=3").body());
      assertEquals(6, page.get("matched").asInt());
      assertEquals(3, page.get("samples").size());
      assertEquals("fmnist-test-5", page.get("samples").get(0).get("id").asText(), "newest first");
      JsonNode first = page.get("samples").get(0);
      assertEquals(quarantined.get(5).getSample().getLabel(), first.get("label").asInt());
      assertEquals(4, first.get("victimVersion").asInt());
      assertTrue(first.get("source").asText().startsWith(topics.quarantine() + "-"), first.toString());
      assertTrue(first.get("action").isNull());

      HttpResponse<byte[]> png = http.send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + view.port() + "/api/samples/fmnist-test-0/thumbnail.png"))
          .header("Authorization", BEARER).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, png.statusCode());
      assertEquals("image/png", png.headers().firstValue("Content-Type").orElse(""));
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(png.body()));
      assertEquals(28, image.getWidth());
      byte[] pixels = quarantined.get(0).getSample().getPixels().array();
      assertEquals(pixels[14 * 28 + 14] & 0xFF, image.getRaster().getSample(14, 14, 0), "the sample's own pixels");
      assertEquals(404, get(http, view, "/api/samples/nope/thumbnail.png").statusCode());

      // Without a token, or with a wrong one, nothing is written.
      String release = "/api/samples/fmnist-test-0/release";
      assertEquals(401, post(http, view, release, null, "{\"reason\":\"x\"}").statusCode());
      HttpResponse<String> wrong = post(http, view, release, "Bearer not-the-token", "{\"reason\":\"x\"}");
      assertEquals(401, wrong.statusCode());
      assertTrue(wrong.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
      assertEquals(0, UiKafka.readAll(topics.audit()).size());

      String bearer = BEARER;
      assertEquals(400, post(http, view, release, bearer, "{\"reason\":\"  \"}").statusCode(), "a reason is required");
      assertEquals(400, post(http, view, release, bearer, "not json").statusCode());
      assertEquals(404, post(http, view, "/api/samples/unknown/release", bearer, "{\"reason\":\"x\"}").statusCode());
      assertEquals(400, post(http, view, "/api/samples/fmnist-test-1/relabel", bearer,
          "{\"reason\":\"x\",\"label\":10}").statusCode(), "labels are classes 0-9");
      assertEquals(405, get(http, view, release).statusCode());

      int oldLabel = quarantined.get(1).getSample().getLabel();
      int newLabel = (oldLabel + 3) % 10;
      HttpResponse<String> relabel = post(http, view, "/api/samples/fmnist-test-1/relabel", bearer,
          "{\"reason\":\"the trigger is real but the image is a " + newLabel + "\",\"label\":" + newLabel + "}");
      assertEquals(200, relabel.statusCode(), relabel.body());
      assertEquals("RELABEL", JSON.readTree(relabel.body()).get("audit").get("action").asText());
      HttpResponse<String> confirm = post(http, view, "/api/samples/fmnist-test-2/confirm", bearer,
          "{\"reason\":\"white patch, bottom right\"}");
      assertEquals(200, confirm.statusCode(), confirm.body());
      HttpResponse<String> again = post(http, view, "/api/samples/fmnist-test-1/release", bearer, "{\"reason\":\"x\"}");
      assertEquals(409, again.statusCode(), "a relabelled sample is on credible already");
      assertTrue(again.body().contains("relabelled by alice"), again.body());

      List<ConsumerRecord<byte[], byte[]>> auditRecords = UiKafka.readAll(topics.audit());
      assertEquals(2, auditRecords.size());
      AuditRecord relabelled = audits.decode(auditRecords.get(0).value());
      assertEquals(AuditAction.RELABEL, relabelled.getAction());
      assertEquals("fmnist-test-1", relabelled.getSampleId());
      assertEquals("alice", relabelled.getWho());
      assertEquals(oldLabel, relabelled.getPreviousLabel());
      assertEquals(newLabel, relabelled.getNewLabel());
      assertTrue(relabelled.getSource().startsWith(topics.quarantine() + "-"), relabelled.getSource());
      AuditRecord confirmed = audits.decode(auditRecords.get(1).value());
      assertEquals(AuditAction.CONFIRM, confirmed.getAction());
      assertNull(confirmed.getNewLabel());

      List<Verdict> released = UiKafka.readAll(topics.credible()).stream()
          .filter(r -> r.headers().lastHeader(Headers.AUDIT_ACTION) != null)
          .map(r -> verdicts.decode(r.value())).toList();
      assertEquals(1, released.size(), "a relabel writes the sample to credible; a confirm does not");
      assertEquals("fmnist-test-1", released.get(0).getSample().getId());
      assertEquals(newLabel, released.get(0).getSample().getLabel());
      assertEquals(Decision.CREDIBLE, released.get(0).getDecision());
      assertTrue(released.get(0).getReason().startsWith("relabelled from " + oldLabel + " to " + newLabel + " by alice"));

      // The rates count the filter's verdicts: the relabelled sample is "released", not "credible".
      JsonNode rates = JSON.readTree(get(http, view, "/api/rates").body()).get("classes");
      long quarantinedTotal = 0;
      long credibleTotal = 0;
      long releasedTotal = 0;
      for (JsonNode c : rates) {
        quarantinedTotal += c.get("quarantined").asLong();
        credibleTotal += c.get("credible").asLong();
        releasedTotal += c.get("released").asLong();
      }
      assertEquals(6, quarantinedTotal);
      assertEquals(20, credibleTotal);
      assertEquals(1, releasedTotal);
      assertEquals(1, rates.get(oldLabel).get("released").asLong());
    }
  }

  @Test
  void everyReadNeedsTheTokenAndThePageItselfDoesNot() throws Exception {
    TopicNames topics = UiKafka.freshTopics();
    UiKafka.produce(topics.quarantine(), UiKafka.verdicts(0, 2, Decision.QUARANTINE));
    try (QuarantineView view = startView(topics)) {
      awaitIndexed(http, view, 2);
      // An unknown endpoint too: without a token not even which endpoints exist is told.
      for (String path : List.of("/api/status", "/api/quarantine", "/api/quarantine?class=1&limit=5", "/api/rates",
          "/api/samples/fmnist-test-0/thumbnail.png", "/api/no-such-endpoint")) {
        HttpResponse<String> missing = get(http, view, path, null);
        assertEquals(401, missing.statusCode(), path + ": " + missing.body());
        assertTrue(JSON.readTree(missing.body()).get("error").asText().startsWith("missing token"), missing.body());
        assertTrue(missing.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), path);
        assertFalse(missing.body().contains("fmnist-test"), "no sample data: " + missing.body());

        for (String wrong : List.of("Bearer " + TOKEN + "x", "Bearer not-the-token", TOKEN, "Basic " + TOKEN)) {
          HttpResponse<String> refused = get(http, view, path, wrong);
          assertEquals(401, refused.statusCode(), path + " with " + wrong + ": " + refused.body());
          assertTrue(JSON.readTree(refused.body()).get("error").asText().startsWith("token refused"), refused.body());
        }
      }
      assertEquals(200, get(http, view, "/api/status").statusCode());
      assertEquals(2, JSON.readTree(get(http, view, "/api/quarantine").body()).get("samples").size());
      assertEquals(10, JSON.readTree(get(http, view, "/api/rates").body()).get("classes").size());
      assertEquals(200, get(http, view, "/api/samples/fmnist-test-0/thumbnail.png").statusCode());
      assertEquals(404, get(http, view, "/api/no-such-endpoint").statusCode());

      // The page holds no data, so it loads without a token and then asks for one (see the browser test).
      for (String path : List.of("/", "/index.html", "/app.js", "/app.css")) {
        HttpResponse<String> page = get(http, view, path, null);
        assertEquals(200, page.statusCode(), path);
        assertFalse(page.body().contains("fmnist-test"), path);
      }
    }
  }

  @Test
  void boundToEveryInterfaceItStillAnswersOnlyTheAllowedHosts() throws Exception {
    TopicNames topics = UiKafka.freshTopics();
    UiKafka.produce(topics.quarantine(), UiKafka.verdicts(0, 1, Decision.QUARANTINE));
    try (QuarantineView view = QuarantineView.start(UiConfig.defaults(UiKafka.bootstrap(), topics,
        AccessTokens.single("alice", TOKEN)).withListen("0.0.0.0", 0))) {
      int port = view.port();
      assertEquals("http://localhost:" + port + "/", view.url());
      // A DNS-rebinding page reaches the port under its own name, token or not.
      for (String foreign : List.of("evil.example:" + port, "evil.example", "localhost.evil.example:" + port,
          "10.9.8.7:" + port)) {
        QuarantineHttpHandlerTest.RawResponse refused =
            QuarantineHttpHandlerTest.rawGet(port, foreign, BEARER, "/api/quarantine");
        assertEquals(421, refused.status(), foreign + ": " + refused.body());
        assertTrue(JSON.readTree(refused.body()).get("error").asText().contains("does not answer to Host"),
            refused.body());
        assertFalse(refused.body().contains("fmnist-test"), refused.body());
        assertEquals(421, QuarantineHttpHandlerTest.rawGet(port, foreign, null, "/").status(), "nor the page");
      }
      for (String own : List.of("localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port, "LocalHost")) {
        assertEquals(200, QuarantineHttpHandlerTest.rawGet(port, own, BEARER, "/api/quarantine").status(), own);
      }
    }
  }

  @Test
  void aSecondViewLearnsTheActionsFromTheAuditTopic() throws Exception {
    TopicNames topics = UiKafka.freshTopics();
    UiKafka.produce(topics.quarantine(), UiKafka.verdicts(10, 2, Decision.QUARANTINE));
    try (QuarantineView first = startView(topics)) {
      awaitIndexed(http, first, 2);
      assertEquals(200, post(http, first, "/api/samples/fmnist-test-10/release", "Bearer " + TOKEN,
          "{\"reason\":\"a plain sneaker\"}").statusCode());
    }
    try (QuarantineView second = startView(topics)) {
      awaitIndexed(http, second, 2);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      JsonNode action = null;
      while (System.nanoTime() < deadline) {
        JsonNode samples = JSON.readTree(get(http, second, "/api/quarantine").body()).get("samples");
        action = samples.get(1).get("action");
        if (!action.isNull()) {
          break;
        }
        Thread.sleep(100);
      }
      assertEquals("fmnist-test-10", JSON.readTree(get(http, second, "/api/quarantine").body())
          .get("samples").get(1).get("id").asText());
      assertEquals("RELEASE", action.get("action").asText());
      assertEquals("alice", action.get("who").asText());
      assertEquals("a plain sneaker", action.get("why").asText());
      assertEquals(409, post(http, second, "/api/samples/fmnist-test-10/release", "Bearer " + TOKEN,
          "{\"reason\":\"again\"}").statusCode(), "the second view refuses a second release");
    }
  }
}
