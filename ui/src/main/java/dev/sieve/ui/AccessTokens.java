package dev.sieve.ui;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who may act on quarantined samples: bearer tokens, each with the user name that the audit
 * record names as "who".
 *
 * <p>Tokens are compared in constant time, on their SHA-256 digests so that not even a token's
 * length leaks through timing, and every configured token is compared on every request so the
 * time does not say which user nearly matched.
 */
public final class AccessTokens {

  /** The user name of a token given without one (environment variable, generated, bare line). */
  public static final String DEFAULT_USER = "operator";
  public static final String ENV_VAR = "SIEVE_UI_TOKEN";

  private static final String BEARER = "Bearer ";
  private static final int GENERATED_TOKEN_BYTES = 24;

  private record Entry(String user, byte[] digest) {}

  private final List<Entry> entries;

  private AccessTokens(List<Entry> entries) {
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("no access token configured: write actions would be impossible");
    }
    this.entries = List.copyOf(entries);
  }

  /** One token for one user. */
  public static AccessTokens single(String user, String token) {
    return new AccessTokens(List.of(entry(user, token, "token")));
  }

  /** A fresh random token (192 bits, URL-safe Base64) for {@code user}; the caller shows it once. */
  public static String generateToken() {
    byte[] bytes = new byte[GENERATED_TOKEN_BYTES];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * Reads a token file: one token per line, either {@code name:token} or a bare {@code token}
   * (user {@value #DEFAULT_USER}); blank lines and lines starting with {@code #} are skipped.
   */
  public static AccessTokens fromFile(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read token file " + file + ": " + e.getMessage(), e);
    }
    return parse(lines, file.toString());
  }

  static AccessTokens parse(List<String> lines, String where) {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      String user = colon < 0 ? DEFAULT_USER : line.substring(0, colon).strip();
      String token = colon < 0 ? line : line.substring(colon + 1).strip();
      entries.add(entry(user, token, where + " line " + (i + 1)));
    }
    if (entries.isEmpty()) {
      throw new IllegalArgumentException(where + " holds no token: expected lines of name:token (or a bare token)");
    }
    return new AccessTokens(entries);
  }

  private static Entry entry(String user, String token, String where) {
    if (user == null || user.isBlank()) {
      throw new IllegalArgumentException(where + ": the user name before ':' is empty");
    }
    if (token == null || token.length() < 8) {
      throw new IllegalArgumentException(where + ": the token for " + user
          + " is shorter than 8 characters; use a long random one");
    }
    return new Entry(user, sha256(token));
  }

  /**
   * The user whose token the {@code Authorization} header carries, or empty when the header is
   * missing, is not {@code Bearer <token>}, or holds no configured token.
   */
  public Optional<String> userFor(String authorizationHeader) {
    if (authorizationHeader == null || authorizationHeader.length() <= BEARER.length()
        || !authorizationHeader.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.empty();
    }
    byte[] offered = sha256(authorizationHeader.substring(BEARER.length()).strip());
    String match = null;
    for (Entry e : entries) {
      // No early exit: every entry is compared, whatever matched.
      if (MessageDigest.isEqual(e.digest(), offered) && match == null) {
        match = e.user();
      }
    }
    return Optional.ofNullable(match);
  }

  private static byte[] sha256(String token) {
    Objects.requireNonNull(token, "token");
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }
}
