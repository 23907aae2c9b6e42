package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sieve.ui.AccessTokens;
import dev.sieve.ui.UiConfig;
import dev.sieve.wire.TopicNames;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class UiCommandTest {

  @TempDir Path dir;

  private static UiCommand parse(String... args) {
    UiCommand command = new UiCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @Test
  void aGeneratedTokenGoesToAPrivateFileAndOnlyItsPathIsPrinted() throws Exception {
    Path file = dir.resolve("state/ui-token");
    UiCommand command = parse("--generated-token-file", file.toString(), "--user", "bob");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream originalErr = System.err;
    AccessTokens tokens;
    try {
      // The logger (slf4j-simple) writes to System.err: what it says is captured as well.
      System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
      tokens = command.tokens(name -> null, new PrintStream(err, true, StandardCharsets.UTF_8));
    } finally {
      System.setErr(originalErr);
    }

    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)));
    String token = Files.readString(file).strip();
    assertEquals(32, token.length(), "a generated token: " + token.length() + " characters");
    assertEquals(Optional.of("bob"), tokens.userFor("Bearer " + token), "the view accepts the token in the file");
    String printed = err.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains(file.toAbsolutePath().toString()), "stderr says where the token is: " + printed);
    assertFalse(printed.contains(token), "stderr never shows the token: " + printed);
    assertFalse(log.toString(StandardCharsets.UTF_8).contains(token), "nor does the log");
  }

  /** What `sieve demo --ui` prints beside the view's address: where the token is, never the token. */
  @Test
  void whereTheTokenIsNamesItsSourceAndNeverTheToken() {
    Path file = dir.resolve("ui-token");
    UiCommand command = parse("--generated-token-file", file.toString());
    assertEquals("token in $" + AccessTokens.ENV_VAR,
        command.whereTheTokenIs(name -> name.equals(AccessTokens.ENV_VAR) ? "token-from-the-env" : null));
    assertTrue(command.whereTheTokenIs(name -> null).startsWith("token in " + file.toAbsolutePath()));
    Path tokens = dir.resolve("reviewers.txt");
    assertEquals("tokens in " + tokens.toAbsolutePath(),
        parse("--token-file", tokens.toString()).whereTheTokenIs(name -> "ignored-when-a-file-is-given"));
    // The demo's view: sieve ui's defaults, its generated token in the same default file.
    assertTrue(UiCommand.withDefaults(new ClusterOptions(), 0, new DatasetOptions()).whereTheTokenIs(name -> null)
        .startsWith("token in " + Path.of(UiCommand.DEFAULT_GENERATED_TOKEN_FILE).toAbsolutePath()));
  }

  @Test
  void aTokenFromTheEnvironmentWritesNoFile() {
    Path file = dir.resolve("ui-token");
    UiCommand command = parse("--generated-token-file", file.toString());
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    AccessTokens tokens = command.tokens(name -> name.equals(AccessTokens.ENV_VAR) ? "token-from-the-env" : null,
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(Optional.of(AccessTokens.DEFAULT_USER), tokens.userFor("Bearer token-from-the-env"));
    assertFalse(Files.exists(file));
    assertEquals("", err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aTokenFileThatCannotBeMadePrivateStopsTheViewBeforeItConnects() throws Exception {
    assumeTrue(System.getenv(AccessTokens.ENV_VAR) == null, "$" + AccessTokens.ENV_VAR + " is set: no token is generated");
    Path notADirectory = Files.writeString(dir.resolve("a-file"), "x");
    Path file = notADirectory.resolve("ui-token");
    StringWriter err = new StringWriter();
    CommandLine cli = Sieve.commandLine();
    cli.setErr(new PrintWriter(err));
    // Port 1: a broker that is never there; the command must stop before it would notice.
    long start = System.nanoTime();
    int code = cli.execute("ui", "--bootstrap-servers", "127.0.0.1:1", "--generated-token-file", file.toString());
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    assertEquals(1, code, err.toString());
    assertTrue(err.toString().contains("sieve ui: cannot write the generated token to " + file), err.toString());
    assertTrue(err.toString().contains("--token-file"), "it says how else to give a token: " + err);
    assertFalse(Files.exists(file));
    assertTrue(seconds < 10, "refused before any Kafka call, took " + seconds + " s");
  }

  @Test
  void allowedHostsReplaceTheDefaultsAndAPortIsRefused() throws Exception {
    AccessTokens tokens = AccessTokens.single("alice", "long-enough-token");
    TopicNames topics = new TopicNames("t.");
    UiConfig defaults = parse("--bind", "0.0.0.0").config("unused:9092", topics, tokens);
    assertEquals(Set.of("localhost", "127.0.0.1", "[::1]"), defaults.hostAllowList());
    UiConfig named = parse("--bind", "10.1.2.3").config("unused:9092", topics, tokens);
    assertEquals(Set.of("localhost", "127.0.0.1", "[::1]", "10.1.2.3"), named.hostAllowList());
    UiConfig given = parse("--bind", "0.0.0.0", "--allowed-host", "sieve.example.org", "--allowed-host", "127.0.0.1")
        .config("unused:9092", topics, tokens);
    assertEquals(Set.of("sieve.example.org", "127.0.0.1"), given.hostAllowList());

    StringWriter err = new StringWriter();
    CommandLine cli = Sieve.commandLine();
    cli.setErr(new PrintWriter(err));
    int code = cli.execute("ui", "--bootstrap-servers", "127.0.0.1:1", "--token-file", tokenFile().toString(),
        "--allowed-host", "sieve.example.org:8081");
    assertEquals(2, code, err.toString());
    assertTrue(err.toString().contains("allowed host sieve.example.org:8081 has a port"), err.toString());
  }

  private Path tokenFile() throws Exception {
    return Files.writeString(dir.resolve("tokens"), "alice:long-enough-token\n");
  }
}
