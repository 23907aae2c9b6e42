package dev.sieve.model.versions;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import dev.sieve.schemas.ModelVersion;
import dev.sieve.wire.DatasetDescriptor;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reader of a model topic refuses a version built for another image shape or class count, saying which. */
class DatasetShapeTrustTest {

  private static final DatasetDescriptor COLOUR = DatasetDescriptor.of(3, 32, 32, 10);
  private static final Architecture COLOUR_CNN = Architecture.forDataset(Architecture.Family.SMALL_CNN, COLOUR);

  @TempDir Path dir;

  private StoredCheckpoint write(Architecture arch, long version) {
    try (Network network = Network.create(arch, 5)) {
      return new CheckpointStore(dir).write(new CheckpointMeta("victim", version, arch.id(), Instant.now(),
          SplitRule.global(0.0, 1.0, -1, arch.numClasses()).toMetrics(), Map.of()), network.parameters());
    }
  }

  /** The version as ModelPublisher announces it, with the shape of the checkpoint's architecture. */
  private static ModelVersion announced(StoredCheckpoint c) {
    Architecture a = Architecture.byId(c.meta().architecture());
    return ModelVersion.newBuilder().setModelId("victim").setVersion(c.meta().version())
        .setArchitecture(c.meta().architecture()).setCheckpointUri(c.uri().toString()).setSha256(c.sha256())
        .setMetrics(c.meta().metrics()).setCreatedAt(c.meta().createdAt())
        .setDataset(DatasetDescriptor.of(a.channels(), a.height(), a.width(), a.numClasses()).toShape()).build();
  }

  @Test
  void aColourReaderLoadsAColourVersionAndRefusesAFashionMnistOne() {
    ModelTrust colourTrust = ModelTrust.within(dir).withDataset(COLOUR);
    ModelVersion colour = announced(write(COLOUR_CNN, 1));
    assertEquals(Optional.empty(), colourTrust.refusal(colour, Optional.empty()));
    try (VictimModel victim = colourTrust.load(colour)) {
      assertEquals(1, victim.version());
    }
    ModelVersion grey = announced(write(Architecture.FMNIST_CNN_V1, 2));
    String why = colourTrust.refusal(grey, Optional.of(1L)).orElseThrow();
    assertTrue(why.contains("1x28x28, 10 classes") && why.contains("3x32x32, 10 classes"), why);
    String old = colourTrust.refusal(ModelVersion.newBuilder(grey).setDataset(null).build(), Optional.of(1L))
        .orElseThrow(() -> new AssertionError("a version without a shape is Fashion-MNIST's"));
    assertTrue(old.contains("1x28x28"), old);
  }

  @Test
  void theDefaultReaderRefusesAColourVersionAndAForgedShapeCannotSmuggleOneIn() {
    ModelTrust fmnistTrust = ModelTrust.within(dir);
    ModelVersion colour = announced(write(COLOUR_CNN, 1));
    assertTrue(fmnistTrust.refusal(colour, Optional.empty()).orElseThrow().contains("3x32x32"));
    // The message lies about its shape; the checkpoint's hashed architecture does not.
    ModelVersion forged = ModelVersion.newBuilder(colour).setDataset(DatasetDescriptor.FASHION_MNIST.toShape()).build();
    assertEquals(Optional.empty(), fmnistTrust.refusal(forged, Optional.empty()), "the message alone looks right");
    CheckpointException e = assertThrows(CheckpointException.class, () -> fmnistTrust.load(forged));
    assertTrue(e.getMessage().contains("small-cnn-3x32x32-10") && e.getMessage().contains("must agree"), e.getMessage());
  }

  @Test
  void anInitialCheckpointOfAnotherShapeIsRefusedNamingBoth() {
    StoredCheckpoint colour = write(COLOUR_CNN, 3);
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> ModelTrust.within(dir.resolve("root")).loadInitial(colour.path(), Architecture.FMNIST_CNN_V1));
    assertTrue(e.getMessage().contains("small-cnn-3x32x32-10") && e.getMessage().contains("fmnist-cnn-v1"),
        e.getMessage());
  }
}
