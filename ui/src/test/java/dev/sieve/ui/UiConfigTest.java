package dev.sieve.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.wire.TopicNames;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UiConfigTest {

  private static UiConfig config(String bind) {
    return UiConfig.defaults("unused:9092", new TopicNames("t."), AccessTokens.single("alice", "long-enough-token"))
        .withListen(bind, 0);
  }

  @Test
  void theDefaultHostsAreTheLoopbackNamesAndANamedBindAddress() {
    assertEquals(Set.of("localhost", "127.0.0.1", "[::1]"), config("127.0.0.1").hostAllowList());
    assertEquals(Set.of("localhost", "127.0.0.1", "[::1]"), config("0.0.0.0").hostAllowList(),
        "a wildcard names no host, so it adds none");
    assertEquals(Set.of("localhost", "127.0.0.1", "[::1]"), config("::").hostAllowList());
    assertEquals(Set.of("localhost", "127.0.0.1", "[::1]", "10.1.2.3"), config("10.1.2.3").hostAllowList());
    assertEquals(Set.of("localhost", "127.0.0.1", "[::1]", "sieve.internal"), config("Sieve.Internal").hostAllowList());
    assertEquals(Set.of("localhost", "127.0.0.1", "[::1]", "[fd00::5]"), config("fd00::5").hostAllowList());
  }

  @Test
  void givenHostsReplaceTheDefaultsInTheFormTheHostHeaderHas() {
    UiConfig config = config("0.0.0.0").withAllowedHosts(List.of("Sieve.Example.org", "::1", "[fd00::5]"));
    assertEquals(Set.of("sieve.example.org", "[::1]", "[fd00::5]"), config.hostAllowList());
    assertEquals(Set.of("localhost", "127.0.0.1", "[::1]"), config.withAllowedHosts(List.of()).hostAllowList());
  }

  @Test
  void refusesHostsWithAPortOrThatAreNoHostName() {
    IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
        () -> config("0.0.0.0").withAllowedHosts(List.of("sieve.example.org:8081")));
    assertTrue(port.getMessage().contains("has a port"), port.getMessage());
    assertThrows(IllegalArgumentException.class, () -> config("0.0.0.0").withAllowedHosts(List.of(" ")));
    assertThrows(IllegalArgumentException.class, () -> config("0.0.0.0").withAllowedHosts(List.of("evil.example/x")));
  }
}
