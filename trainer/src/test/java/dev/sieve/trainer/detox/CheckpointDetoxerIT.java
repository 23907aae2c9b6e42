package dev.sieve.trainer.detox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.model.defense.detox.DetoxMethod;
import dev.sieve.model.defense.detox.DetoxSettings;
import dev.sieve.model.versions.ModelPublisher;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.trainer.BeneficiaryConfig;
import dev.sieve.trainer.BeneficiaryTrainer;
import dev.sieve.trainer.KafkaFixture;
import dev.sieve.trainer.TestData;
import dev.sieve.trainer.TrainingSummary;
import dev.sieve.wire.TopicNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --detox d3}: every Beneficiary checkpoint gets a detoxified twin of the same version. */
class CheckpointDetoxerIT {

  @TempDir Path checkpoints;
  @TempDir Path detoxed;

  @Test
  void detoxifiesEachCheckpointWithACleanSetDrawnFromTheCredibleSamples() {
    TopicNames topics = KafkaFixture.freshTopics();
    KafkaFixture.produce(topics.credible(), TestData.samples("a", 0, 400).stream().map(TestData::credible).toList());
    BeneficiaryConfig config = KafkaFixture.beneficiaryConfig(topics, checkpoints).withCheckpointEverySteps(1000);
    TrainingSummary summary;
    try (CheckpointDetoxer detoxer = new CheckpointDetoxer(DetoxMethod.D3, DetoxSettings.defaults().withD3Epochs(10),
        0.1, 1000, detoxed, new ModelPublisher(KafkaFixture.bootstrap(), topics.cleanModels(), "test-detox", Map.of(),
            Optional.empty()),
        7);
        BeneficiaryTrainer trainer = new BeneficiaryTrainer(config, detoxer)) {
      summary = trainer.runUntilIdle(Duration.ofMillis(1500), 1);
      assertNotNull(detoxer.lastDetoxified(), "the end-of-run checkpoint was detoxified");
    }
    StoredCheckpoint plain = summary.lastCheckpoint().orElseThrow();
    StoredCheckpoint twin = new CheckpointStore(detoxed).latest("beneficiary-d3").orElseThrow();
    assertEquals(plain.meta().version(), twin.meta().version(), "same version as its source");
    assertEquals(plain.meta().offsets(), twin.meta().offsets());
    assertEquals(40.0, twin.meta().metrics().get("detox.cleanSamples"), "10 % of 400 credible samples");
    assertTrue(twin.meta().metrics().get("detox.distance") > 0, twin.meta().metrics().toString());
    List<ModelVersion> published = KafkaFixture.modelVersions(topics);
    assertTrue(published.stream().anyMatch(v -> v.getModelId().equals("beneficiary-d3")
        && v.getVersion() == plain.meta().version()), "announced on clean-models: " + published);
  }
}
