package dev.sieve.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Architecture;
import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.model.defense.dbd.DbdSettings;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.wire.TopicNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --mode dbd} on a real broker: one round over credible and quarantined samples alike. */
class DbdBeneficiaryIT {

  @TempDir Path checkpoints;

  @Test
  void trainsOneRoundOnEverySampleCheckpointsAtTheLogEndAndResumesWithoutRetraining() {
    TopicNames topics = KafkaFixture.freshTopics();
    KafkaFixture.produce(topics.credible(), TestData.samples("c", 0, 400).stream().map(TestData::credible).toList());
    KafkaFixture.produce(topics.quarantine(), TestData.samples("q", 400, 100).stream()
        .map(s -> TestData.verdict(s, Decision.QUARANTINE)).toList());
    KafkaFixture.produceRaw(topics.credible(), 0, new byte[] {0x42});
    DbdSettings tiny = DbdSettings.defaults().withSimclrEpochs(1).withLinearEpochs(1).withMixmatchEpochs(1);
    DbdBeneficiary.Config settings = new DbdBeneficiary.Config(KafkaFixture.bootstrap(), topics, Map.of(),
        checkpoints, DbdBeneficiary.DEFAULT_MODEL_ID, Architecture.FMNIST_CNN_V1, 10_000, 100_000, tiny, 1,
        Optional.empty());

    List<DbdBeneficiary.Round> rounds;
    try (DbdBeneficiary trainer = new DbdBeneficiary(settings, TrainingListener.NONE)) {
      rounds = trainer.run(Duration.ofSeconds(2));
    }
    assertEquals(1, rounds.size(), "one round when the topics go quiet");
    DbdBeneficiary.Round round = rounds.get(0);
    assertEquals(500, round.samples(), "DBD trains on quarantined samples too; the broken record is skipped");
    assertEquals(250, round.labelled(), "the configured half keeps its labels");
    StoredCheckpoint latest = new CheckpointStore(checkpoints).latest(DbdBeneficiary.DEFAULT_MODEL_ID).orElseThrow();
    Map<String, Long> expected = new HashMap<>();
    for (String topic : List.of(topics.credible(), topics.quarantine())) {
      for (Map.Entry<TopicPartition, Long> e : KafkaFixture.endOffsets(topic).entrySet()) {
        expected.put(CheckpointMeta.offsetKey(topic, e.getKey().partition()), e.getValue());
      }
    }
    assertEquals(expected, latest.meta().offsets());
    List<ModelVersion> published = KafkaFixture.modelVersions(topics);
    assertEquals(1, published.size());
    assertEquals(DbdBeneficiary.DEFAULT_MODEL_ID, published.get(0).getModelId());

    try (DbdBeneficiary restarted = new DbdBeneficiary(settings, TrainingListener.NONE)) {
      assertTrue(restarted.run(Duration.ofSeconds(2)).isEmpty(), "nothing new since the checkpoint: no round");
    }
  }
}
