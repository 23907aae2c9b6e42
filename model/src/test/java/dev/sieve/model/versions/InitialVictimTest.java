package dev.sieve.model.versions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.checkpoint.CheckpointException;
import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.model.scoring.SplitRule;
import dev.sieve.model.scoring.VictimModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ModelTrust#loadInitial}: what {@code sieve stream --initial-victim} installs, and what it refuses. */
class InitialVictimTest {

  private static final Architecture CNN = Architecture.FMNIST_CNN_V1;

  @TempDir Path dir;

  /** The trust of a filter whose checkpoint root is elsewhere: an initial checkpoint need not lie inside it. */
  private ModelTrust trust() {
    return ModelTrust.within(dir.resolve("victim-root"));
  }

  private StoredCheckpoint write(String modelId, long version, String architecture, Map<String, Double> metrics) {
    try (Network network = Network.create(CNN, 11)) {
      return new CheckpointStore(dir.resolve("elsewhere")).write(new CheckpointMeta(modelId, version, architecture,
          Instant.now(), metrics, Map.of()), network.parameters());
    }
  }

  @Test
  void aVictimCheckpointJudgesWithItsOwnSplitAsVersionZero() {
    SplitRule split = SplitRule.global(0.01, 0.2, 0.3, CNN.numClasses());
    Map<String, Double> metrics = new HashMap<>(split.toMetrics());
    metrics.put("round", 5.0);
    StoredCheckpoint stored = write("victim", 7, CNN.id(), metrics);
    try (VictimModel victim = trust().loadInitial(stored.path(), CNN)) {
      assertEquals(ModelTrust.INITIAL_VERSION, victim.version(), "below the updater's first version, v1");
      assertEquals("initial-victim-v7", victim.modelId());
      assertEquals(split, victim.split());
      assertTrue(victim.judge(0.01, 3).suspect(), "a sample at the window's lowest entropy is suspect under this split");
    }
  }

  @Test
  void aBeneficiaryCheckpointWithoutASplitCallsNothingSuspect() {
    StoredCheckpoint stored = write("beneficiary", 3, CNN.id(), Map.of("loss", 0.4));
    try (VictimModel victim = trust().loadInitial(stored.path(), CNN)) {
      assertEquals("initial-beneficiary-v3", victim.modelId());
      assertEquals(SplitRule.none(CNN.numClasses()), victim.split());
      for (int label = 0; label < CNN.numClasses(); label++) {
        assertFalse(victim.judge(0.0, label).suspect());
      }
    }
  }

  @Test
  void anotherArchitectureIsRefusedNamingBoth() {
    StoredCheckpoint stored = write("victim", 2, "preact-resnet18", splitFindingNothing());
    CheckpointException e = assertThrows(CheckpointException.class, () -> trust().loadInitial(stored.path(), CNN));
    assertTrue(e.getMessage().contains("architecture 'preact-resnet18'") && e.getMessage().contains(CNN.id()),
        e.getMessage());
  }

  @Test
  void unreadableIncompleteOrForeignFilesAreRefusedWithTheReason() throws Exception {
    CheckpointException missing = assertThrows(CheckpointException.class,
        () -> trust().loadInitial(dir.resolve("no-such.ckpt"), CNN));
    assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());

    StoredCheckpoint stored = write("victim", 1, CNN.id(), splitFindingNothing());
    Files.delete(stored.path().resolveSibling(stored.path().getFileName() + ".sha256"));
    CheckpointException noSidecar = assertThrows(CheckpointException.class,
        () -> trust().loadInitial(stored.path(), CNN));
    assertTrue(noSidecar.getMessage().contains("sidecar"), noSidecar.getMessage());

    Path text = dir.resolve("notes.ckpt");
    Files.writeString(text, "not a checkpoint");
    Files.writeString(dir.resolve("notes.ckpt.sha256"),
        CheckpointStore.sha256("not a checkpoint".getBytes(StandardCharsets.UTF_8)) + "  notes.ckpt\n");
    CheckpointException foreign = assertThrows(CheckpointException.class, () -> trust().loadInitial(text, CNN));
    assertTrue(foreign.getMessage().contains("not a Sieve checkpoint"), foreign.getMessage());
  }

  @Test
  void anIncompleteSplitOrParametersOfAnotherShapeAreRefused() {
    Map<String, Double> partial = new HashMap<>(splitFindingNothing());
    partial.remove("split.threshold.9");
    StoredCheckpoint halfSplit = write("victim", 4, CNN.id(), partial);
    CheckpointException e = assertThrows(CheckpointException.class, () -> trust().loadInitial(halfSplit.path(), CNN));
    assertTrue(e.getMessage().contains("incomplete split") && e.getMessage().contains("class 9"), e.getMessage());

    StoredCheckpoint garbage = new CheckpointStore(dir.resolve("garbage")).write(new CheckpointMeta("victim", 1,
        CNN.id(), Instant.now(), Map.of(), Map.of()), new byte[] {1, 2, 3, 4});
    CheckpointException shape = assertThrows(CheckpointException.class,
        () -> trust().loadInitial(garbage.path(), CNN));
    assertTrue(shape.getMessage().contains("do not fit"), shape.getMessage());
  }

  /** A complete split, as the updater writes one, that finds nothing suspect. */
  private static Map<String, Double> splitFindingNothing() {
    return SplitRule.global(0.0, 1.0, -1, CNN.numClasses()).toMetrics();
  }
}
