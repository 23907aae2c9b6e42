package dev.sieve.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.checkpoint.Checkpoint;
import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.TopicNames;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class BeneficiaryTrainerIT {

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
      trainer.start();
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

  /**
   * A trainer far slower than Kafka: every batch sleeps in the listener while thousands of
   * 16 KiB records wait on both topics and thousands more arrive. The consumer pauses instead of
   * buffering: it holds at most highWaterMark + max.poll.records records, batching and hand-off a
   * few batches, and the heap does not grow with what waits in Kafka. Once the listener lets go,
   * every record is taken exactly once and the checkpoint ends at the log end of both topics.
   */
  @Test
  @Timeout(180)
  void aSlowTrainerPausesTheConsumerKeepsMemoryBoundedAndLosesNothing() throws Exception {
    TopicNames topics = KafkaFixture.freshTopics();
    int batch = 32;
    int maxPoll = 50;
    int highWater = 100;
    int window = 64;
    int padding = 16 * 1024;
    KafkaFixture.produce(topics.credible(), padded(TestData.samples("c1", 0, 1500), Decision.CREDIBLE, padding));
    KafkaFixture.produce(topics.quarantine(), padded(TestData.samples("q1", 5000, 500), Decision.QUARANTINE, padding));
    BeneficiaryConfig config = config(topics).withBatchSize(batch).withMaxPollRecords(maxPoll)
        .withHighWaterMark(highWater).withWindowSize(window).withCheckpointEverySteps(1_000_000);

    AtomicBoolean slow = new AtomicBoolean(true);
    Set<String> taken = ConcurrentHashMap.newKeySet();
    AtomicLong takenTwice = new AtomicLong();
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onBatch(List<VerdictRecord> records, TrainingProgress progress) {
        records.forEach(r -> {
          if (!taken.add(r.skipped() ? r.position() : r.sample().getId())) {
            takenTwice.incrementAndGet();
          }
        });
        if (slow.get()) {
          try {
            Thread.sleep(200); // the slow trainer itself
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    };
    ExecutorService runner = Executors.newSingleThreadExecutor();
    BeneficiaryTrainer trainer = new BeneficiaryTrainer(config, listener);
    ProgressWatch watch = new ProgressWatch(trainer);
    TrainingSummary summary;
    try {
      Future<TrainingSummary> run = runner.submit(trainer::run);
      watch.start();
      awaitTrue("the slow trainer's consumer to pause", () -> trainer.progress().consumerPaused());

      long heapBefore = usedHeapAfterGc();
      KafkaFixture.produce(topics.credible(), padded(TestData.samples("c2", 1500, 3000), Decision.CREDIBLE, padding));
      KafkaFixture.produce(topics.quarantine(), padded(TestData.samples("q2", 5500, 1000), Decision.QUARANTINE, padding));
      // A consumer without backpressure would now take in what arrived within a few polls; give it
      // the time of a few slow batches to do so.
      long seenBefore = trainer.progress().samplesSeen() + trainer.progress().unlabelledSeen();
      awaitTrue("three more slow batches", () ->
          trainer.progress().samplesSeen() + trainer.progress().unlabelledSeen() >= seenBefore + 3L * batch);
      long heapAfter = usedHeapAfterGc();
      long waiting = waitingInKafka(topics, trainer.offsets());
      TrainingProgress midway = trainer.progress();

      long recordBytes = padding + 1024;
      long bound = 2L * (highWater + maxPoll + 8L * batch + 2L * window) * recordBytes + (16L << 20);
      assertTrue(waiting >= 3000, "thousands of records must still wait in Kafka, " + waiting + " do: " + midway);
      assertTrue(heapAfter - heapBefore < bound, String.format("heap after GC grew by %.1f MiB while %d records"
              + " of %d KiB waited in Kafka; the bound is %.1f MiB: %s", (heapAfter - heapBefore) / 1048576.0, waiting,
          recordBytes / 1024, bound / 1048576.0, midway));
      System.out.printf("slow trainer: heap after GC %+.1f MiB with %d records waiting in Kafka (bound %.1f MiB);"
              + " held at most %d, in flight at most %d, %d pauses%n", (heapAfter - heapBefore) / 1048576.0, waiting,
          bound / 1048576.0, watch.maxHeld, watch.maxInFlight, midway.consumerPauses());

      slow.set(false);
      Map<String, Long> end = new HashMap<>(offsetKeys(KafkaFixture.endOffsets(topics.credible())));
      end.putAll(offsetKeys(KafkaFixture.endOffsets(topics.quarantine())));
      awaitTrue("every record taken once the trainer is fast", () -> offsetKeys(trainer.offsets()).equals(end),
          Duration.ofSeconds(120));
      watch.stop();
      trainer.close();
      summary = run.get(60, TimeUnit.SECONDS);

      assertTrue(watch.sawPaused, "the consumer never paused although training was slow");
      assertTrue(midway.consumerPauses() >= 1, "VerdictFlux counted no pause: " + midway);
      assertTrue(watch.maxHeld <= highWater + maxPoll,
          "held " + watch.maxHeld + " records, bound is high-water " + highWater + " + max.poll.records " + maxPoll);
      // bufferTimeout's demand, the batch queued for the training thread and the one being trained.
      assertTrue(watch.maxInFlight <= 8L * batch, "in flight " + watch.maxInFlight + ", bound " + 8 * batch);
      assertEquals(end, summary.lastCheckpoint().orElseThrow().meta().offsets(),
          "the last checkpoint must end at the log end of both topics");
    } finally {
      watch.stop();
      trainer.close();
      runner.shutdownNow();
    }
    assertEquals(0, takenTwice.get(), "records were trained on twice");
    assertEquals(1500 + 500 + 3000 + 1000, taken.size(), "every record is taken exactly once");
    assertEquals(4500, summary.samplesSeen(), "every credible sample is trained on");
    assertEquals(1500, summary.unlabelledThisRun(), "every quarantined sample joins the unlabelled pool");
    assertEquals(0, summary.skipped());
  }

  private static List<Verdict> padded(List<LabeledSample> samples, Decision decision, int padding) {
    String pad = "x".repeat(padding);
    return samples.stream()
        .map(s -> TestData.verdict(LabeledSample.newBuilder(s).setMetadata(Map.of("padding", pad)).build(), decision))
        .toList();
  }

  private static long waitingInKafka(TopicNames topics, Map<TopicPartition, Long> positions) {
    Map<TopicPartition, Long> end = new HashMap<>(KafkaFixture.endOffsets(topics.credible()));
    end.putAll(KafkaFixture.endOffsets(topics.quarantine()));
    return end.entrySet().stream().mapToLong(e -> e.getValue() - positions.getOrDefault(e.getKey(), 0L)).sum();
  }

  private static long usedHeapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
    }
    return least;
  }

  private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
    awaitTrue(what, condition, Duration.ofSeconds(60));
  }

  private static void awaitTrue(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  /** Samples the trainer's progress every few milliseconds and keeps the highest counts seen. */
  private static final class ProgressWatch {
    private final BeneficiaryTrainer trainer;
    private final Thread thread;
    private volatile boolean running = true;
    volatile int maxHeld;
    volatile long maxInFlight;
    volatile boolean sawPaused;

    ProgressWatch(BeneficiaryTrainer trainer) {
      this.trainer = trainer;
      this.thread = new Thread(this::watch, "progress-watch");
      this.thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    private void watch() {
      while (running) {
        TrainingProgress p = trainer.progress();
        maxHeld = Math.max(maxHeld, p.consumerBuffered());
        maxInFlight = Math.max(maxInFlight, p.inFlight());
        sawPaused |= p.consumerPaused();
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join(5000);
    }
  }

  /**
   * A caller that knows where the stream ends (the demo, once it has counted every verdict) need
   * not wait out the quiet period: with an hour's idle the run still ends once it has trained past
   * the given end offsets. The timeout is only the upper bound of a broken stop.
   */
  @Test
  @Timeout(600)
  void aKnownEndStopsTheRunWithoutWaitingOutTheQuietPeriod() throws Exception {
    TopicNames topics = KafkaFixture.freshTopics();
    KafkaFixture.produce(topics.credible(), TestData.samples("end", 0, 200).stream().map(TestData::credible).toList());
    Map<TopicPartition, Long> end = KafkaFixture.endOffsets(topics.credible());

    TrainingSummary summary;
    try (BeneficiaryTrainer trainer = new BeneficiaryTrainer(config(topics))) {
      summary = trainer.runUntilIdle(Duration.ofHours(1), 0, () -> Optional.of(end));
    }

    assertEquals(200, summary.samplesThisRun(), "every record before the end is trained on");
    assertEquals(offsetKeys(end), summary.lastCheckpoint().orElseThrow().meta().offsets());
  }

  private static Map<String, Long> offsetKeys(Map<TopicPartition, Long> offsets) {
    Map<String, Long> out = new HashMap<>();
    offsets.forEach((tp, o) -> out.put(CheckpointMeta.offsetKey(tp.topic(), tp.partition()), o));
    return out;
  }
}
