package dev.sieve.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessTokensTest {

  @Test
  void aTokenFileNamesWhoActs(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("tokens");
    Files.writeString(file, """
        # reviewers
        alice: alice-secret-1

        bob:bob-secret-22
        bare-token-333
        """);
    AccessTokens tokens = AccessTokens.fromFile(file);
    assertEquals(Optional.of("alice"), tokens.userFor("Bearer alice-secret-1"));
    assertEquals(Optional.of("bob"), tokens.userFor("bearer bob-secret-22"), "the scheme is case-insensitive");
    assertEquals(Optional.of(AccessTokens.DEFAULT_USER), tokens.userFor("Bearer bare-token-333"));
  }

  @Test
  void refusesMissingMalformedAndWrongTokens() {
    AccessTokens tokens = AccessTokens.single("alice", "alice-secret-1");
    assertEquals(Optional.empty(), tokens.userFor(null));
    assertEquals(Optional.empty(), tokens.userFor(""));
    assertEquals(Optional.empty(), tokens.userFor("Bearer "));
    assertEquals(Optional.empty(), tokens.userFor("alice-secret-1"), "the Bearer scheme is required");
    assertEquals(Optional.empty(), tokens.userFor("Basic alice-secret-1"));
    assertEquals(Optional.empty(), tokens.userFor("Bearer alice-secret-2"));
    assertEquals(Optional.empty(), tokens.userFor("Bearer alice-secret-1x"), "a longer token is not a match");
    assertEquals(Optional.empty(), tokens.userFor("Bearer alice-secret-"), "nor a prefix");
  }

  @Test
  void refusesShortTokensAndEmptyFiles() {
    IllegalArgumentException shortToken = assertThrows(IllegalArgumentException.class,
        () -> AccessTokens.parse(List.of("alice:short"), "tokens"));
    assertTrue(shortToken.getMessage().contains("tokens line 1"), shortToken.getMessage());
    assertThrows(IllegalArgumentException.class, () -> AccessTokens.parse(List.of(":long-enough-token"), "tokens"));
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
        () -> AccessTokens.parse(List.of("# nothing", ""), "tokens"));
    assertTrue(empty.getMessage().contains("name:token"), empty.getMessage());
  }

  @Test
  void generatedTokensAreLongAndDifferent() {
    String a = AccessTokens.generateToken();
    String b = AccessTokens.generateToken();
    assertTrue(a.length() >= 32, a);
    assertNotEquals(a, b);
    assertEquals(Optional.of("operator"), AccessTokens.single("operator", a).userFor("Bearer " + a));
  }

  @Test
  void aGeneratedTokenGoesToAFileOnlyItsOwnerCanReadAndWrite(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("state/.sieve/ui-token");
    String token = AccessTokens.writeGeneratedToken(file);
    assertEquals("rw-------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())),
        "the directories it made are private too");
    assertEquals(token + "\n", Files.readString(file));
    assertEquals(Optional.of("operator"), AccessTokens.fromFile(file).userFor("Bearer " + token),
        "the file is a valid --token-file as well");

    // The next start replaces it with a new token.
    String next = AccessTokens.writeGeneratedToken(file);
    assertNotEquals(token, next);
    assertEquals(next + "\n", Files.readString(file));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
  }

  @Test
  void refusesToOverwriteAnythingButAnEarlierGeneratedToken(@TempDir Path dir) throws Exception {
    Path notOurs = dir.resolve("notes.txt");
    Files.writeString(notOurs, "someone's notes\n");
    IllegalStateException refused = assertThrows(IllegalStateException.class,
        () -> AccessTokens.writeGeneratedToken(notOurs));
    assertTrue(refused.getMessage().contains(notOurs.toString()), refused.getMessage());
    assertEquals("someone's notes\n", Files.readString(notOurs), "left as it was");

    // A link, even to a generated token, is not followed: the token would land where the link says.
    Path target = dir.resolve("target");
    AccessTokens.writeGeneratedToken(target);
    Path link = Files.createSymbolicLink(dir.resolve("link"), target);
    assertThrows(IllegalStateException.class, () -> AccessTokens.writeGeneratedToken(link));
    assertTrue(Files.isSymbolicLink(link));

    Path underAFile = notOurs.resolve("ui-token");
    IllegalStateException noDir = assertThrows(IllegalStateException.class,
        () -> AccessTokens.writeGeneratedToken(underAFile));
    assertTrue(noDir.getMessage().contains("rw-------"), noDir.getMessage());
    assertFalse(Files.exists(underAFile));
  }
}
