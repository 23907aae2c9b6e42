package dev.sieve.ui;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may see and act on quarantined samples: bearer tokens, each with the user name that the
 * audit record names as "who".
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
  /** What {@link #writeGeneratedToken} writes: one generated token and a newline, nothing else. */
  private static final Pattern GENERATED_FILE = Pattern.compile("[A-Za-z0-9_-]{32}\n");
  private static final Set<PosixFilePermission> OWNER_READ_WRITE =
      Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

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

  /** A fresh random token (192 bits, URL-safe Base64). */
  public static String generateToken() {
    byte[] bytes = new byte[GENERATED_TOKEN_BYTES];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * Generates a token and writes it, with a newline, to a new file that only its owner can read
   * and write (rw-------), so that the token never has to appear in a terminal or a log. The
   * permissions are given when the file is created, so there is no moment at which another user
   * could open it; missing parent directories are created rwx------. A file left by an earlier
   * run (one generated token, nothing else) is replaced: a token lives as long as its view.
   *
   * @return the token, for the caller to configure and never to print
   * @throws IllegalStateException when the file cannot be created with exactly those permissions
   *     (a file system without POSIX permissions, a umask that takes away the owner's own bits,
   *     a directory that cannot be written), or when something other than an earlier generated
   *     token is in the way
   */
  public static String writeGeneratedToken(Path file) {
    String token = generateToken();
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        // Only a file that is certainly ours is removed: a wrong path must not cost anyone a file.
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > 64
            || !GENERATED_FILE.matcher(Files.readString(file, StandardCharsets.US_ASCII)).matches()) {
          throw new IllegalStateException("cannot write the generated token to " + file
              + ": something other than an earlier generated token is there; remove it or choose another file");
        }
        Files.delete(file);
      }
      // CREATE_NEW fails on anything that appeared since, a symbolic link included: no file is
      // ever written through a link or reopened with permissions someone else chose.
      try (SeekableByteChannel out = Files.newByteChannel(file,
          EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
          PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE))) {
        out.write(ByteBuffer.wrap((token + "\n").getBytes(StandardCharsets.US_ASCII)));
      }
      // The umask can take bits away from those asked for: the file must be exactly rw-------.
      Set<PosixFilePermission> actual = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
      if (!actual.equals(OWNER_READ_WRITE)) {
        Files.delete(file);
        throw new IllegalStateException("cannot write the generated token to " + file + ": it came out "
            + PosixFilePermissions.toString(actual) + ", not rw------- (check the umask)");
      }
      return token;
    } catch (UnsupportedOperationException e) {
      throw new IllegalStateException("cannot write the generated token to " + file
          + " readable by its owner only: the file system has no POSIX permissions", e);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the generated token to " + file + " with permissions rw-------: "
          + e, e);
    }
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
