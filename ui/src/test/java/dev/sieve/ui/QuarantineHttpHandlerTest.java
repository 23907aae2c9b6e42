package dev.sieve.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sieve.wire.TopicNames;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The handler on a JDK server of its own, without Kafka: Host checks and internal errors. */
class QuarantineHttpHandlerTest {

  private static final String TOKEN = "handler-test-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The status line's code and the body of one raw HTTP/1.1 exchange. */
  record RawResponse(int status, String body) {}

  /**
   * Sends a GET with exactly the Host header given; java.net.http sets Host itself and refuses to
   * be told another, which is the one header these tests are about.
   */
  static RawResponse rawGet(int port, String host, String authorization, String path) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\n");
      if (host != null) {
        request.append("Host: ").append(host).append("\r\n");
      }
      if (authorization != null) {
        request.append("Authorization: ").append(authorization).append("\r\n");
      }
      request.append("Connection: close\r\n\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int headerEnd = response.indexOf("\r\n\r\n");
      String statusLine = response.substring(0, response.indexOf("\r\n"));
      return new RawResponse(Integer.parseInt(statusLine.split(" ")[1]), response.substring(headerEnd + 4));
    }
  }

  /** A follower that fails the way a bug would: with a message that must stay on the server. */
  private static final class FailingFollower implements QuarantineHttpHandler.FollowerStatus {
    static final String SECRET = "broker kafka-internal.corp:19092 rejected sasl user sieve-prod";

    @Override
    public boolean caughtUp() {
      throw new IllegalStateException(SECRET);
    }

    @Override
    public long recordsRead() {
      return 0;
    }

    @Override
    public long undecodable() {
      return 0;
    }

    @Override
    public Throwable failure() {
      return null;
    }
  }

  private static final class IdleFollower implements QuarantineHttpHandler.FollowerStatus {
    @Override
    public boolean caughtUp() {
      return true;
    }

    @Override
    public long recordsRead() {
      return 0;
    }

    @Override
    public long undecodable() {
      return 0;
    }

    @Override
    public Throwable failure() {
      return null;
    }
  }

  /**
   * The handler served on 127.0.0.1, any free port. No action is requested in these tests, so
   * there are no ReviewActions (and no Kafka producer) behind it.
   */
  private static HttpServer serve(UiConfig config, QuarantineHttpHandler.FollowerStatus follower) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", new QuarantineHttpHandler(config, new QuarantineIndex(10), follower, null));
    server.start();
    return server;
  }

  private static UiConfig config() {
    return UiConfig.defaults("unused:9092", new TopicNames("handler-test."), AccessTokens.single("alice", TOKEN))
        .withListen("127.0.0.1", 0);
  }

  @Test
  void pathSegmentsArePercentDecodedOneByOne() {
    assertEquals(List.of("api", "samples", "a/b c+d", "release"),
        QuarantineHttpHandler.segments("/api/samples/a%2Fb%20c+d/release"));
    assertEquals(List.of(), QuarantineHttpHandler.segments("/"));
  }

  @Test
  void theHostOfAHostHeaderLosesItsPortOnly() {
    assertEquals("127.0.0.1", QuarantineHttpHandler.hostOf("127.0.0.1:8080"));
    assertEquals("localhost", QuarantineHttpHandler.hostOf("LOCALHOST:80"));
    assertEquals("[::1]", QuarantineHttpHandler.hostOf("[::1]:8080"));
    assertEquals("[::1]", QuarantineHttpHandler.hostOf("[::1]"));
    assertEquals("localhost.evil.example", QuarantineHttpHandler.hostOf("localhost.evil.example"));
  }

  @Test
  void anInternalErrorAnswersWithAnIdThatTheLogLineOfItsExceptionCarries() throws Exception {
    HttpServer server = serve(config(), new FailingFollower());
    PrintStream originalErr = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    RawResponse response;
    try {
      // slf4j-simple, the tests' logger, writes to whatever System.err is at the time.
      System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
      response = rawGet(server.getAddress().getPort(), "localhost", "Bearer " + TOKEN, "/api/status");
    } finally {
      System.setErr(originalErr);
      server.stop(0);
    }
    String logged = log.toString(StandardCharsets.UTF_8);
    originalErr.print(logged);

    assertEquals(500, response.status(), response.body());
    JsonNode body = JSON.readTree(response.body());
    String errorId = body.get("errorId").asText();
    assertTrue(errorId.matches("[0-9a-f]{8}"), "an 8-hex error id: " + response.body());
    assertTrue(body.get("error").asText().contains(errorId), response.body());
    assertFalse(response.body().contains("kafka-internal"), "the exception's text stays on the server: " + response.body());
    assertFalse(response.body().contains("IllegalStateException"), "so does its class: " + response.body());

    String logLine = logged.lines().filter(l -> l.contains("error id " + errorId)).findFirst()
        .orElseThrow(() -> new AssertionError("no log line names error id " + errorId + "; the log:\n" + logged));
    assertTrue(logLine.contains("/api/status"), logLine);
    assertTrue(logged.contains("java.lang.IllegalStateException: " + FailingFollower.SECRET),
        "the log has the whole exception:\n" + logged);
  }

  @Test
  void anAllowListGivenReplacesTheDefaultHosts() throws Exception {
    HttpServer server = serve(config().withAllowedHosts(List.of("sieve.example.org")), new IdleFollower());
    try {
      int port = server.getAddress().getPort();
      assertEquals(200, rawGet(port, "sieve.example.org:8443", null, "/").status(), "the page, by the allowed name");
      assertEquals(200, rawGet(port, "SIEVE.example.org", "Bearer " + TOKEN, "/api/status").status());
      RawResponse loopback = rawGet(port, "localhost:" + port, "Bearer " + TOKEN, "/api/status");
      assertEquals(421, loopback.status(), "localhost is no longer allowed: " + loopback.body());
      assertTrue(JSON.readTree(loopback.body()).get("error").asText().contains("--allowed-host"), loopback.body());
      assertEquals(421, rawGet(port, null, "Bearer " + TOKEN, "/api/status").status(), "no Host at all");
    } finally {
      server.stop(0);
    }
  }
}
