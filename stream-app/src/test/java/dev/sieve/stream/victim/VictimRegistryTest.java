package dev.sieve.stream.victim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.scoring.Victim;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class VictimRegistryTest {

  @Test
  void isEmptyBeforeTheFirstVictim() {
    try (VictimRegistry registry = new VictimRegistry()) {
      assertTrue(registry.acquire().isEmpty());
      assertTrue(registry.currentVersion().isEmpty());
    }
  }

  @Test
  void leasesTheInstalledVersion() {
    ScriptedVictim v1 = new ScriptedVictim(1, 0.5, 0.1);
    try (VictimRegistry registry = new VictimRegistry()) {
      assertTrue(registry.swap(v1));
      assertEquals(Optional.of(1L), registry.currentVersion());
      try (VictimLease lease = registry.acquire().orElseThrow()) {
        assertSame(v1, lease.victim());
      }
      assertFalse(v1.closed(), "releasing a lease on the current version must not close it");
    }
    assertEquals(1, v1.closeCount(), "closing the registry closes the current Victim once");
  }

  @Test
  void retiredVersionIsClosedOnlyWhenItsLastLeaseIsReleased() {
    ScriptedVictim v1 = new ScriptedVictim(1, 0.5, 0.1);
    ScriptedVictim v2 = new ScriptedVictim(2, 0.5, 0.1);
    try (VictimRegistry registry = new VictimRegistry()) {
      registry.swap(v1);
      VictimLease first = registry.acquire().orElseThrow();
      VictimLease second = registry.acquire().orElseThrow();

      assertTrue(registry.swap(v2));
      assertEquals(Optional.of(2L), registry.currentVersion());
      assertFalse(v1.closed(), "v1 is still leased twice");
      try (VictimLease lease = registry.acquire().orElseThrow()) {
        assertSame(v2, lease.victim(), "new leases get the new version at once");
      }

      first.close();
      first.close(); // a second close of the same lease must not count twice
      assertFalse(v1.closed(), "v1 is still leased once");
      assertSame(v1, second.victim());
      second.close();
      assertEquals(1, v1.closeCount());
      assertThrows(IllegalStateException.class, second::victim);
      assertFalse(v2.closed());
    }
    assertEquals(1, v2.closeCount());
  }

  @Test
  void unleasedVersionIsClosedAtTheSwap() {
    ScriptedVictim v1 = new ScriptedVictim(1, 0.5, 0.1);
    try (VictimRegistry registry = new VictimRegistry()) {
      registry.swap(v1);
      registry.swap(new ScriptedVictim(2, 0.5, 0.1));
      assertEquals(1, v1.closeCount());
    }
  }

  @Test
  void refusesAndClosesVersionsThatAreNotNewer() {
    ScriptedVictim v2 = new ScriptedVictim(2, 0.5, 0.1);
    ScriptedVictim older = new ScriptedVictim(1, 0.5, 0.1);
    ScriptedVictim same = new ScriptedVictim(2, 0.5, 0.1);
    try (VictimRegistry registry = new VictimRegistry()) {
      registry.swap(v2);
      assertFalse(registry.swap(older));
      assertFalse(registry.swap(same));
      assertFalse(registry.swap(v2), "re-installing the current instance is ignored");
      assertEquals(Optional.of(2L), registry.currentVersion());
      assertTrue(older.closed() && same.closed(), "refused Victims are closed, nobody else owns them");
      assertFalse(v2.closed(), "the current instance must survive a repeated swap of itself");
      try (VictimLease lease = registry.acquire().orElseThrow()) {
        assertSame(v2, lease.victim());
      }
    }
  }

  @Test
  void closingTheRegistryWaitsForOpenLeases() {
    ScriptedVictim v1 = new ScriptedVictim(1, 0.5, 0.1);
    VictimRegistry registry = new VictimRegistry();
    registry.swap(v1);
    VictimLease lease = registry.acquire().orElseThrow();
    registry.close();
    assertTrue(registry.acquire().isEmpty());
    assertFalse(v1.closed());
    lease.close();
    assertEquals(1, v1.closeCount());

    ScriptedVictim late = new ScriptedVictim(5, 0.5, 0.1);
    assertFalse(registry.swap(late), "a closed registry installs nothing");
    assertTrue(late.closed());
  }

  @Test
  void listenersHearEachInstall() {
    List<String> heard = new ArrayList<>();
    try (VictimRegistry registry = new VictimRegistry()) {
      registry.addListener((id, version, previous) -> heard.add(id + ":" + version + "<-" + previous.orElse(-1L)));
      registry.swap(new ScriptedVictim(1, 0.5, 0.1));
      registry.swap(new ScriptedVictim(1, 0.5, 0.1));
      registry.swap(new ScriptedVictim(3, 0.5, 0.1));
    }
    assertEquals(List.of("victim:1<--1", "victim:3<-1"), heard);
  }

  /** Scorers lease and use the Victim while an updater swaps versions: none may see a closed one. */
  @Test
  void concurrentScoringNeverUsesAClosedVersion() throws Exception {
    int versions = 200;
    List<ScriptedVictim> installed = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try (VictimRegistry registry = new VictimRegistry()) {
      ScriptedVictim first = new ScriptedVictim(1, 0.5, 0.1);
      installed.add(first);
      registry.swap(first);
      CountDownLatch started = new CountDownLatch(2);
      List<Future<Integer>> scorers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        scorers.add(pool.submit(() -> {
          started.countDown();
          int scored = 0;
          while (!stop.get()) {
            try (VictimLease lease = registry.acquire().orElseThrow()) {
              long before = lease.victim().version();
              lease.victim().entropies(List.of()); // throws if the version was closed under us
              assertEquals(before, lease.victim().version());
              scored++;
            }
          }
          return scored;
        }));
      }
      assertTrue(started.await(10, TimeUnit.SECONDS));
      for (int v = 2; v <= versions; v++) {
        ScriptedVictim next = new ScriptedVictim(v, 0.5, 0.1);
        installed.add(next);
        assertTrue(registry.swap(next));
        Thread.yield();
      }
      stop.set(true);
      int total = 0;
      for (Future<Integer> scorer : scorers) {
        total += scorer.get(30, TimeUnit.SECONDS);
      }
      assertTrue(total > 0);
      for (ScriptedVictim v : installed.subList(0, versions - 1)) {
        assertEquals(1, v.closeCount(), "every retired version is closed exactly once: v" + v.version());
      }
      assertFalse(installed.get(versions - 1).closed());
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, installed.get(versions - 1).closeCount());
  }
}
