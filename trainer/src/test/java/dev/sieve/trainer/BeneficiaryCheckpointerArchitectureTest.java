package dev.sieve.trainer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.wire.DatasetDescriptor;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BeneficiaryCheckpointerArchitectureTest {

  @TempDir Path dir;

  @Test
  void aCheckpointOfAnotherArchitectureIsRefusedNotResumed() {
    DatasetDescriptor colour = DatasetDescriptor.of(3, 16, 16, 4);
    Architecture cnn = Architecture.forDataset(Architecture.Family.SMALL_CNN, colour);
    Architecture resnet = Architecture.forDataset(Architecture.Family.SMALL_RESNET, colour);
    BeneficiaryConfig config = BeneficiaryConfig.defaults("localhost:1", dir).withArchitecture(resnet);
    try (Network network = Network.create(cnn, 1)) {
      new CheckpointStore(dir).write(new CheckpointMeta(config.modelId(), 4, cnn.id(), Instant.now(), Map.of(),
          Map.of()), network.parameters());
    }
    try (BeneficiaryCheckpointer checkpointer = new BeneficiaryCheckpointer(config, new TrainingCounters(),
        TrainingListener.NONE)) {
      IllegalStateException e = assertThrows(IllegalStateException.class, checkpointer::resume);
      assertTrue(e.getMessage().contains("is of architecture small-cnn-3x16x16-4, but this trainer's is"
          + " small-resnet-3x16x16-4"), e.getMessage());
    }
  }
}
