package dev.sieve.ui;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.sieve.schemas.AuditRecord;
import dev.sieve.schemas.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The view's HTTP surface: the page (three static files) and its JSON API.
 *
 * <pre>
 * GET  /, /index.html, /app.js, /app.css           the page; no token needed, it holds no data
 * GET  /api/status                              follower state, capacity, class names
 * GET  /api/quarantine?class=&amp;from=&amp;to=&amp;limit=   quarantined samples, newest first
 * GET  /api/rates                               per-class quarantine counts and rates
 * GET  /api/samples/{id}/thumbnail.png          the sample's pixels as a PNG
 * POST /api/samples/{id}/release|confirm|relabel  {"reason": "...", "label": N}
 * </pre>
 *
 * <p>Every /api/ request, read or write, needs {@code Authorization: Bearer <token>}: the
 * quarantined images are the attack's evidence and the view is a way into training, so neither is
 * shown to whoever reaches the port. A browser never attaches that header to a cross-site request
 * by itself, so a hostile page cannot read or release samples through a reviewer's browser. Every
 * request must also name an allowed host ({@link UiConfig#hostAllowList()}), whatever address the
 * server is bound to. An internal error answers with an id that the log line of its exception
 * carries, never with the exception's text. Every value reaches the page as JSON that the page puts
 * in the DOM as text, never as HTML.
 */
final class QuarantineHttpHandler implements HttpHandler {

  private static final Logger LOG = LoggerFactory.getLogger(QuarantineHttpHandler.class);
  private static final int MAX_BODY_BYTES = 16 * 1024;
  private static final int DEFAULT_LIMIT = 200;
  private static final Map<String, String> STATIC = Map.of(
      "/", "index.html", "/index.html", "index.html", "/app.js", "app.js", "/app.css", "app.css");

  /** What the status endpoint reports of the topic follower; {@link IndexFollower} in the view. */
  interface FollowerStatus {
    boolean caughtUp();

    long recordsRead();

    long undecodable();

    /** Why the follower stopped, or null while it runs. */
    Throwable failure();
  }

  private final UiConfig config;
  private final QuarantineIndex index;
  private final FollowerStatus follower;
  private final ReviewActions actions;
  private final Set<String> allowedHosts;
  private final ObjectMapper json = new ObjectMapper();

  QuarantineHttpHandler(UiConfig config, QuarantineIndex index, FollowerStatus follower, ReviewActions actions) {
    this.config = config;
    this.index = index;
    this.follower = follower;
    this.actions = actions;
    this.allowedHosts = Set.copyOf(config.hostAllowList());
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    // Not try-with-resources: the error answers below must be sent before the exchange closes.
    try {
      exchange.getResponseHeaders().add("X-Content-Type-Options", "nosniff");
      exchange.getResponseHeaders().add("Referrer-Policy", "no-referrer");
      requireAllowedHost(exchange.getRequestHeaders().getFirst("Host"));
      route(exchange);
    } catch (HttpError e) {
      sendError(exchange, e.status, Map.of("error", e.getMessage()));
    } catch (RuntimeException e) {
      // The client gets an id to quote, not the exception: its text can name brokers, topics,
      // files and library internals. The log line has the whole exception under the same id.
      String errorId = newErrorId();
      LOG.error("{} {} failed, error id {}", exchange.getRequestMethod(), exchange.getRequestURI(), errorId, e);
      sendError(exchange, 500, Map.of("error", "internal error " + errorId + "; the view's log has the details under this id",
          "errorId", errorId));
    } finally {
      exchange.close();
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getRawPath();
    String resource = STATIC.get(path);
    if (resource != null) {
      requireMethod(method, "GET");
      serveStatic(exchange, resource);
      return;
    }
    List<String> segments = segments(path);
    if (segments.isEmpty() || !segments.get(0).equals("api")) {
      throw new HttpError(404, "no such page or endpoint: " + path);
    }
    // Before the endpoint is even looked up: without a token, not even which endpoints exist is told.
    String who = authenticate(exchange);
    if (segments.size() == 2) {
      requireMethod(method, "GET");
      switch (segments.get(1)) {
        case "status" -> sendJson(exchange, 200, status());
        case "quarantine" -> sendJson(exchange, 200, quarantine(query(exchange.getRequestURI().getRawQuery())));
        case "rates" -> sendJson(exchange, 200, Map.of("classes", rates()));
        default -> throw new HttpError(404, "no such endpoint: " + path);
      }
      return;
    }
    if (segments.size() == 4 && segments.get(1).equals("samples")) {
      String id = segments.get(2);
      String what = segments.get(3);
      if (what.equals("thumbnail.png")) {
        requireMethod(method, "GET");
        serveThumbnail(exchange, id);
        return;
      }
      if (Set.of("release", "confirm", "relabel").contains(what)) {
        requireMethod(method, "POST");
        act(exchange, id, what, who);
        return;
      }
    }
    throw new HttpError(404, "no such page or endpoint: " + path);
  }

  private Map<String, Object> status() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("caughtUp", follower.caughtUp());
    out.put("indexed", index.size());
    out.put("capacity", index.capacity());
    out.put("recordsRead", follower.recordsRead());
    out.put("undecodable", follower.undecodable());
    Throwable failure = follower.failure();
    out.put("followerError", failure == null ? null : failure.toString());
    out.put("classNames", config.classNames());
    out.put("topics", Map.of("quarantine", config.topics().quarantine(), "credible", config.topics().credible(),
        "audit", config.topics().audit()));
    return out;
  }

  QuarantineIndex.Query query(String rawQuery) {
    Map<String, String> params = params(rawQuery);
    Integer classLabel = intParam(params, "class");
    Long from = longParam(params, "from");
    Long to = longParam(params, "to");
    Integer limit = intParam(params, "limit");
    int effectiveLimit = limit == null ? DEFAULT_LIMIT : limit;
    if (effectiveLimit < 1) {
      throw new HttpError(400, "limit is " + effectiveLimit + ", expected at least 1");
    }
    return new QuarantineIndex.Query(classLabel, from, to, Math.min(effectiveLimit, index.capacity()));
  }

  private Map<String, Object> quarantine(QuarantineIndex.Query query) {
    QuarantineIndex.Page page = index.query(query);
    List<Map<String, Object>> samples = new ArrayList<>(page.entries().size());
    for (QuarantineIndex.Entry e : page.entries()) {
      samples.add(sampleJson(e, index.action(e.id())));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("matched", page.matched());
    out.put("samples", samples);
    return out;
  }

  private Map<String, Object> sampleJson(QuarantineIndex.Entry e, Optional<AuditRecord> action) {
    Verdict v = e.verdict();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", e.id());
    out.put("label", e.label());
    out.put("className", className(e.label()));
    out.put("origin", v.getSample().getSource());
    out.put("entropy", v.getEntropy());
    out.put("score", v.getScore());
    out.put("threshold", v.getThreshold());
    out.put("victimModelId", v.getVictimModelId());
    out.put("victimVersion", v.getVictimVersion());
    out.put("reason", v.getReason());
    out.put("scoredAt", e.scoredAt());
    out.put("source", e.source());
    out.put("action", action.map(QuarantineHttpHandler::auditJson).orElse(null));
    return out;
  }

  static Map<String, Object> auditJson(AuditRecord a) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("action", a.getAction().name());
    out.put("sampleId", a.getSampleId());
    out.put("who", a.getWho());
    out.put("why", a.getWhy());
    out.put("at", a.getAt().toEpochMilli());
    out.put("previousLabel", a.getPreviousLabel());
    out.put("newLabel", a.getNewLabel());
    out.put("source", a.getSource());
    return out;
  }

  private List<Map<String, Object>> rates() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (QuarantineIndex.ClassRate r : index.rates(config.numClasses())) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("classLabel", r.classLabel());
      m.put("className", className(r.classLabel()));
      m.put("quarantined", r.quarantined());
      m.put("credible", r.credible());
      m.put("released", r.released());
      m.put("rate", r.rate());
      out.add(m);
    }
    return out;
  }

  private String className(int label) {
    return label >= 0 && label < config.numClasses() ? config.classNames().get(label) : "class " + label;
  }

  private void serveThumbnail(HttpExchange exchange, String id) throws IOException {
    QuarantineIndex.Entry entry = index.get(id)
        .orElseThrow(() -> new HttpError(404, "sample " + id + " is not in this view's index"));
    byte[] png;
    try {
      png = Thumbnails.png(entry.verdict().getSample());
    } catch (IllegalArgumentException e) {
      throw new HttpError(422, e.getMessage());
    }
    // A sample's pixels never change under its id.
    exchange.getResponseHeaders().add("Cache-Control", "private, max-age=3600");
    send(exchange, 200, "image/png", png);
  }

  /**
   * The user whose token the request carries: the one check of every /api/ request, reads and
   * actions alike.
   *
   * @throws HttpError 401 when the token is missing or not a configured one
   */
  private String authenticate(HttpExchange exchange) {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    Optional<String> who = config.tokens().userFor(authorization);
    if (who.isEmpty()) {
      exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"sieve-ui\"");
      throw new HttpError(401, authorization == null || authorization.isBlank()
          ? "missing token: send the header Authorization: Bearer <token>"
          : "token refused: not Bearer <token> with a configured token");
    }
    return who.get();
  }

  private void act(HttpExchange exchange, String id, String what, String who) throws IOException {
    JsonNode body = readJsonBody(exchange);
    String reason = body.path("reason").isTextual() ? body.get("reason").asText() : null;
    JsonNode labelNode = body.path("label");
    Integer label = labelNode.isIntegralNumber() ? labelNode.asInt() : null;
    if (what.equals("relabel") && label == null) {
      throw new HttpError(400, "relabel needs \"label\", an integer class in [0, " + config.numClasses() + ")");
    }
    AuditRecord audit;
    try {
      audit = switch (what) {
        case "release" -> actions.release(id, who, reason);
        case "confirm" -> actions.confirm(id, who, reason);
        default -> actions.relabel(id, who, reason, label);
      };
    } catch (ReviewActions.Refused e) {
      int status = switch (e.kind) {
        case INVALID -> 400;
        case NOT_FOUND -> 404;
        case CONFLICT -> 409;
        case KAFKA -> 503;
      };
      throw new HttpError(status, e.getMessage());
    }
    sendJson(exchange, 200, Map.of("audit", auditJson(audit)));
  }

  private JsonNode readJsonBody(HttpExchange exchange) throws IOException {
    byte[] bytes;
    try (InputStream in = exchange.getRequestBody()) {
      bytes = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (bytes.length > MAX_BODY_BYTES) {
      throw new HttpError(413, "request body over " + MAX_BODY_BYTES + " bytes");
    }
    try {
      JsonNode node = json.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw new HttpError(400, "expected a JSON object body like {\"reason\": \"...\"}");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new HttpError(400, "request body is not JSON: " + e.getOriginalMessage());
    }
  }

  private void serveStatic(HttpExchange exchange, String name) throws IOException {
    byte[] bytes;
    try (InputStream in = QuarantineHttpHandler.class.getResourceAsStream("static/" + name)) {
      if (in == null) {
        throw new IllegalStateException("resource dev/sieve/ui/static/" + name + " missing from the jar");
      }
      bytes = in.readAllBytes();
    }
    String type = name.endsWith(".html") ? "text/html; charset=utf-8"
        : name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
    // blob: for the thumbnails, which the page fetches with the token and shows from memory.
    exchange.getResponseHeaders().add("Content-Security-Policy",
        "default-src 'self'; img-src 'self' blob:; script-src 'self'; style-src 'self'; frame-ancestors 'none'");
    exchange.getResponseHeaders().add("Cache-Control", "no-cache");
    send(exchange, 200, type, bytes);
  }

  private void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
    exchange.getResponseHeaders().add("Cache-Control", "no-store");
    send(exchange, status, "application/json", json.writeValueAsBytes(body));
  }

  private void sendError(HttpExchange exchange, int status, Map<String, String> body) {
    try {
      exchange.getResponseHeaders().add("Cache-Control", "no-store");
      send(exchange, status, "application/json", json.writeValueAsBytes(body));
    } catch (IOException e) {
      // The client went away; nothing to tell it.
    }
  }

  private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static void requireMethod(String method, String expected) {
    boolean ok = method.equals(expected) || (expected.equals("GET") && method.equals("HEAD"));
    if (!ok) {
      throw new HttpError(405, "use " + expected + " here, not " + method);
    }
  }

  /**
   * Refuses a request whose Host header names no allowed host. A page on another site that rebinds
   * its DNS name to this machine sends its own name, so it is refused even where it reaches the port.
   */
  private void requireAllowedHost(String hostHeader) {
    if (hostHeader == null || hostHeader.isBlank()) {
      throw new HttpError(421, "the request has no Host header; this view answers only requests addressed to it");
    }
    String host = hostOf(hostHeader);
    if (!allowedHosts.contains(host)) {
      throw new HttpError(421, "this view does not answer to Host " + host
          + "; its operator can allow that name with --allowed-host");
    }
  }

  /** The host of a Host header, without its port, lower case; an IPv6 literal keeps its brackets. */
  static String hostOf(String hostHeader) {
    String host = hostHeader.strip().toLowerCase(Locale.ROOT);
    int colon = host.startsWith("[") ? host.indexOf(':', Math.max(0, host.indexOf(']'))) : host.lastIndexOf(':');
    return colon >= 0 ? host.substring(0, colon) : host;
  }

  /** Eight hex digits: enough to find the one log line. Not a secret, so no SecureRandom. */
  private static String newErrorId() {
    return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  }

  /** Path segments, each percent-decoded, so an id may hold any character, '/' included (as %2F). */
  static List<String> segments(String rawPath) {
    List<String> out = new ArrayList<>();
    for (String s : rawPath.split("/")) {
      if (!s.isEmpty()) {
        out.add(decode(s));
      }
    }
    return out;
  }

  private static Map<String, String> params(String rawQuery) {
    Map<String, String> out = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1).replace('+', ' '));
      out.put(key, value);
    }
    return out;
  }

  private static String decode(String s) {
    try {
      // URLDecoder is for forms, where '+' is a space; in a path '+' is itself.
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new HttpError(400, "bad percent-encoding in " + s);
    }
  }

  private static Integer intParam(Map<String, String> params, String name) {
    Long v = longParam(params, name);
    if (v == null) {
      return null;
    }
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new HttpError(400, "parameter " + name + "=" + v + " is out of range");
    }
    return v.intValue();
  }

  private static Long longParam(Map<String, String> params, String name) {
    String value = params.get(name);
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new HttpError(400, "parameter " + name + "=" + value + " is not an integer"
          + (name.equals("from") || name.equals("to") ? " (epoch milliseconds)" : ""));
    }
  }

  /** An answer other than 200, with the message the client sees. */
  static final class HttpError extends RuntimeException {
    final int status;

    HttpError(int status, String message) {
      super(message);
      this.status = status;
    }
  }
}
