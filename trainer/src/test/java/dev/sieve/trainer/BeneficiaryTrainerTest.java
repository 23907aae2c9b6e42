package dev.sieve.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.checkpoint.Checkpoint;
import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.wire.TopicNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BeneficiaryTrainerTest {

  private static final Duration IDLE = Duration.ofMillis(1500);

  @TempDir
  Path checkpoints;

  private BeneficiaryConfig config(TopicNames topics) {
    return KafkaFixture.beneficiaryConfig(topics, checkpoints);
  }

  @Test
  void trainsOnWhatArrivedStopsWhenIdleAndPublishesACheckpointThatEndsAtTheLogEnd() throws Exception {
    TopicNames topics = KafkaFixture.freshTopics();
    KafkaFixture.produce(topics.credible(), TestData.samples("a", 0, 300).stream().map(TestData::credible).toList());
    // The credible topic is written by Sieve, yet a broken record must not stop the Beneficiary.
    KafkaFixture.produceRaw(topics.credible(), 1, new byte[] {0x42, 0x42});

    TrainingSummary summary;
    try (BeneficiaryTrainer trainer = new BeneficiaryTrainer(config(topics))) {
      summary = trainer.runUntilIdle(IDLE, 1);
    }

    assertEquals(300, summary.samplesSeen());
    assertEquals(300, summary.samplesThisRun());
    assertEquals(1, summary.skipped());
    StoredCheckpoint latest = new CheckpointStore(checkpoints).latest("beneficiary").orElseThrow();
    assertEquals(summary.lastCheckpoint().orElseThrow().path(), latest.path());
    CheckpointMeta meta = latest.meta();
    assertEquals(offsetKeys(KafkaFixture.endOffsets(topics.credible())), meta.offsets(),
        "the final checkpoint must have consumed both partitions to their end, the broken record included");
    assertEquals(300.0, meta.metrics().get("samplesSeen"));
    assertEquals((double) summary.steps(), meta.metrics().get("steps"));
    assertTrue(summary.steps() >= 300 / 32 * 2, "steps " + summary.steps());
    assertTrue(meta.version() >= 2, "a checkpoint every 10 steps, and one at the end: v" + meta.version());

    List<ModelVersion> published = KafkaFixture.modelVersions(topics);
    assertEquals(meta.version(), published.size(), "every checkpoint is announced once: " + published);
    for (int i = 0; i < published.size(); i++) {
      assertEquals(i + 1, published.get(i).getVersion());
      assertEquals("beneficiary", published.get(i).getModelId());
    }
    ModelVersion last = published.get(published.size() - 1);
    assertEquals(latest.uri().toString(), last.getCheckpointUri());
    assertEquals(CheckpointStore.sha256(Files.readAllBytes(latest.path())), last.getSha256());
    assertEquals("fmnist-cnn-v1", last.getArchitecture());
    assertEquals(300.0, last.getMetrics().get("samplesSeen"));
    Checkpoint readBack = CheckpointStore.read(last.getCheckpointUri(), last.getSha256());
    assertEquals(meta.version(), readBack.meta().version());
  }

  @Test
  void aRestartedTrainerResumesFromTheCheckpointAndNeitherRetrainsNorSkips() throws Exception {
    TopicNames topics = KafkaFixture.freshTopics();
    KafkaFixture.produce(topics.credible(), TestData.samples("first", 0, 200).stream().map(TestData::credible).toList());
    TrainingSummary first;
    try (BeneficiaryTrainer trainer = new BeneficiaryTrainer(config(topics))) {
      first = trainer.runUntilIdle(IDLE, 0);
    }
    assertEquals(200, first.samplesSeen());
    Map<TopicPartition, Long> afterFirst = KafkaFixture.endOffsets(topics.credible());

    KafkaFixture.produce(topics.credible(), TestData.samples("second", 200, 150).stream().map(TestData::credible).toList());
    AtomicLong trainedSecond = new AtomicLong();
    Map<TopicPartition, Long> lowestSecond = new HashMap<>();
    TrainingListener watch = new TrainingListener() {
      @Override
      public void onBatch(List<VerdictRecord> batch, TrainingProgress progress) {
        for (VerdictRecord r : batch) {
          trainedSecond.incrementAndGet();
          lowestSecond.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
          assertTrue(r.sample().getId().startsWith("second-"), "retrained " + r.sample().getId());
        }
      }
    };
    TrainingSummary second;
    try (BeneficiaryTrainer trainer = new BeneficiaryTrainer(config(topics), watch)) {
      TrainingProgress resumed = trainer.progress();
      assertEquals(first.version(), resumed.version());
      assertEquals(first.steps(), resumed.steps());
      assertEquals(200, resumed.samplesSeen());
      assertEquals(afterFirst, trainer.offsets());
      second = trainer.runUntilIdle(IDLE, 0);
    }
    assertEquals(350, second.samplesSeen(), "200 before the restart + 150 after, nothing twice, nothing skipped");
    assertEquals(150, second.samplesThisRun());
    assertEquals(150, trainedSecond.get());
    assertEquals(afterFirst, lowestSecond, "the second run starts exactly where the checkpoint left off");
    assertTrue(second.version() > first.version(), "v" + first.version() + " -> v" + second.version());
    assertTrue(second.steps() > first.steps());
    assertEquals(offsetKeys(KafkaFixture.endOffsets(topics.credible())),
        second.lastCheckpoint().orElseThrow().meta().offsets());
  }

  @Test
  void aSlowTrainerPausesTheConsumerAndHoldsOnlyABoundedNumberOfRecords() throws Exception {
    TopicNames topics = KafkaFixture.freshTopics();
    int produced = 4000;
    KafkaFixture.produce(topics.credible(), TestData.samples("bulk", 0, produced).stream().map(TestData::credible).toList());
    int batch = 32;
    int maxPoll = 50;
    int highWater = 100;
    BeneficiaryConfig config = config(topics).withBatchSize(batch).withMaxPollRecords(maxPoll)
        .withHighWaterMark(highWater).withCheckpointEverySteps(1000);
    TrainingListener slow = new TrainingListener() {
      @Override
      public void onBatch(List<VerdictRecord> records, TrainingProgress progress) {
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    ExecutorService runner = Executors.newSingleThreadExecutor();
    BeneficiaryTrainer trainer = new BeneficiaryTrainer(config, slow);
    TrainingSummary summary;
    int maxHeld = 0;
    long maxInFlight = 0;
    boolean sawPaused = false;
    try {
      Future<TrainingSummary> run = runner.submit(trainer::run);
      long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < until) {
        TrainingProgress p = trainer.progress();
        maxHeld = Math.max(maxHeld, p.consumerBuffered());
        maxInFlight = Math.max(maxInFlight, p.inFlight());
        sawPaused |= p.consumerPaused();
        Thread.sleep(10);
      }
      TrainingProgress midway = trainer.progress();
      trainer.close();
      summary = run.get(60, TimeUnit.SECONDS);
      assertTrue(sawPaused, "the consumer never paused although training is slow: " + midway);
      assertTrue(maxHeld <= highWater + maxPoll, "held " + maxHeld + " records, bound " + (highWater + maxPoll));
      // Batching and hand-off hold a few batches at most: bufferTimeout's demand plus the batch
      // queued for the training thread plus the one being trained.
      assertTrue(maxInFlight <= 8L * batch, "in flight " + maxInFlight);
      assertTrue(midway.samplesSeen() < produced / 2,
          "a trainer that sleeps 250 ms a batch cannot have taken " + midway.samplesSeen() + " records in 5 s");
    } finally {
      trainer.close();
      runner.shutdownNow();
    }
    long trainedOffsets = summary.lastCheckpoint().orElseThrow().meta().offsets().values().stream()
        .mapToLong(Long::longValue).sum();
    assertEquals(summary.samplesSeen(), trainedOffsets,
        "the checkpoint's offsets cover exactly the records trained on, from offset 0");
    assertTrue(summary.samplesSeen() < produced, "most records must still be waiting in Kafka");
  }

  private static Map<String, Long> offsetKeys(Map<TopicPartition, Long> offsets) {
    Map<String, Long> out = new HashMap<>();
    offsets.forEach((tp, o) -> out.put(CheckpointMeta.offsetKey(tp.topic(), tp.partition()), o));
    return out;
  }
}
