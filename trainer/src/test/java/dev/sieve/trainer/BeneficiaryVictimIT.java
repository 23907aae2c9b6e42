package dev.sieve.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.model.versions.VictimFollower;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.wire.TopicNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Beneficiary with a Victim: re-checking its window, and quarantined samples as unlabelled data. */
class BeneficiaryVictimIT {

  private static final Duration IDLE = Duration.ofMillis(1500);

  @TempDir
  Path checkpoints;

  @TempDir
  Path victimCheckpoints;

  private BeneficiaryConfig config(TopicNames topics) {
    return KafkaFixture.beneficiaryConfig(topics, checkpoints).withModelTrust(VictimVersions.trust(victimCheckpoints));
  }

  @Test
  void aNewVictimVersionMovesWhatItJudgesSuspectFromTheWindowToTheUnlabelledPool() throws Exception {
    TopicNames topics = KafkaFixture.freshTopics();
    List<LabeledSample> samples = TestData.samples("w", 0, 300);
    KafkaFixture.produce(topics.credible(), samples.stream().map(TestData::credible).toList());
    Set<String> classZero = samples.stream().filter(s -> s.getLabel() == 0).map(LabeledSample::getId)
        .collect(Collectors.toSet());
    assertTrue(classZero.size() > 10 && classZero.size() < 100, "class 0 holds " + classZero.size() + " of 300");

    List<WindowRecheck> rechecks = Collections.synchronizedList(new ArrayList<>());
    List<String> refusals = Collections.synchronizedList(new ArrayList<>());
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onRecheck(WindowRecheck recheck, TrainingProgress progress) {
        rechecks.add(recheck);
      }

      @Override
      public void onVictimRefused(VictimFollower.Refusal refusal) {
        refusals.add("v" + refusal.version() + ": " + refusal.reason());
      }
    };
    ExecutorService runner = Executors.newSingleThreadExecutor();
    BeneficiaryTrainer trainer = new BeneficiaryTrainer(config(topics), listener);
    TrainingSummary summary;
    try {
      Future<TrainingSummary> run = runner.submit(trainer::run);
      awaitTrue("all 300 credible samples trained", () -> trainer.progress().samplesSeen() == 300);
      assertEquals(0, trainer.progress().victimVersion(), "no Victim was published yet");
      assertEquals(300, trainer.progress().windowSize());

      // The early samples were released by a weak Victim; v1 finds all of class 0 suspect.
      VictimVersions.publish(topics, victimCheckpoints, 1, VictimVersions.classFullySuspect(0));
      awaitTrue("victim v1 adopted", () -> trainer.progress().victimVersion() == 1);
      TrainingProgress afterV1 = trainer.progress();
      assertEquals(300 - classZero.size(), afterV1.windowSize());
      assertEquals(classZero.size(), afterV1.unlabelledPool());
      assertEquals(classZero.size(), afterV1.recheckedOut());

      // A version that fails its sha256 check is refused; the trainer keeps v1 and keeps going.
      VictimVersions.publishWithWrongSha256(topics, victimCheckpoints, 2, VictimVersions.nothingSuspect());
      awaitTrue("victim v2 refused", () -> !refusals.isEmpty());
      assertTrue(refusals.get(0).startsWith("v2: ") && refusals.get(0).contains("sha256"), refusals.toString());
      assertEquals(1, trainer.progress().victimVersion(), "a refused version leaves the current one in use");
      VictimVersions.publish(topics, victimCheckpoints, 3, VictimVersions.nothingSuspect());
      awaitTrue("victim v3 adopted", () -> trainer.progress().victimVersion() == 3);

      trainer.close();
      summary = run.get(60, TimeUnit.SECONDS);
    } finally {
      trainer.close();
      runner.shutdownNow();
    }

    assertEquals(2, rechecks.size(), "one re-check per adopted version, none for the refused v2: " + rechecks);
    WindowRecheck first = rechecks.get(0);
    assertEquals(1, first.victimVersion());
    assertEquals(300, first.checked());
    assertEquals(classZero, first.suspect().stream().map(LabeledSample::getId).collect(Collectors.toSet()),
        "exactly the class-0 samples of the window move out");
    assertTrue(first.kept().stream().noneMatch(s -> s.getLabel() == 0));
    WindowRecheck third = rechecks.get(1);
    assertEquals(3, third.victimVersion());
    assertEquals(300 - classZero.size(), third.checked(), "v3 re-checks only what v1 kept");
    assertEquals(0, third.suspect().size());

    assertEquals(classZero.size(), summary.recheckedOut());
    assertEquals(3, summary.victimVersion());
    assertEquals(300, summary.samplesSeen(), "moving samples out of the window does not un-see them");
    Map<String, Double> metrics = summary.lastCheckpoint().orElseThrow().meta().metrics();
    assertEquals((double) classZero.size(), metrics.get("recheckedOut"));
    assertEquals((double) classZero.size(), metrics.get("unlabelledPool"));
    assertEquals(300.0 - classZero.size(), metrics.get("windowSize"));
    assertEquals(3.0, metrics.get("victimVersion"));
  }

  @Test
  void quarantinedSamplesFeedTheUnlabelledPoolAndBothTopicsResumeWhereTheCheckpointLeftOff() throws Exception {
    TopicNames topics = KafkaFixture.freshTopics();
    VictimVersions.publish(topics, victimCheckpoints, 1, VictimVersions.nothingSuspect());
    KafkaFixture.produce(topics.credible(), TestData.samples("c1", 0, 200).stream().map(TestData::credible).toList());
    KafkaFixture.produce(topics.quarantine(), TestData.samples("q1", 1000, 100).stream()
        .map(s -> TestData.verdict(s, Decision.QUARANTINE)).toList());

    TrainingSummary first;
    try (BeneficiaryTrainer trainer = new BeneficiaryTrainer(config(topics))) {
      first = trainer.runUntilIdle(IDLE, 1);
    }
    assertEquals(200, first.samplesSeen());
    assertEquals(100, first.unlabelledThisRun());
    assertEquals(1, first.victimVersion(), "the final epoch at the latest trains with the Victim");
    assertTrue(first.steps() > 0 && Double.isFinite(first.loss()), "steps " + first.steps() + ", loss " + first.loss());
    Map<TopicPartition, Long> afterFirst = new HashMap<>(KafkaFixture.endOffsets(topics.credible()));
    afterFirst.putAll(KafkaFixture.endOffsets(topics.quarantine()));
    CheckpointMeta firstMeta = first.lastCheckpoint().orElseThrow().meta();
    assertEquals(offsetKeys(afterFirst), firstMeta.offsets(), "the checkpoint holds the end of both topics");
    assertEquals(100.0, firstMeta.metrics().get("unlabelledSeen"));
    assertEquals(100.0, firstMeta.metrics().get("unlabelledPool"));
    assertEquals(1.0, firstMeta.metrics().get("victimVersion"));

    KafkaFixture.produce(topics.credible(), TestData.samples("c2", 200, 150).stream().map(TestData::credible).toList());
    KafkaFixture.produce(topics.quarantine(), TestData.samples("q2", 1100, 50).stream()
        .map(s -> TestData.verdict(s, Decision.QUARANTINE)).toList());
    List<VerdictRecord> consumedSecond = Collections.synchronizedList(new ArrayList<>());
    TrainingListener watch = new TrainingListener() {
      @Override
      public void onBatch(List<VerdictRecord> batch, TrainingProgress progress) {
        consumedSecond.addAll(batch);
      }
    };
    TrainingSummary second;
    try (BeneficiaryTrainer trainer = new BeneficiaryTrainer(config(topics), watch)) {
      trainer.start();
      assertEquals(afterFirst, trainer.offsets(), "both topics' positions come back from the checkpoint");
      assertEquals(100, trainer.progress().unlabelledSeen());
      second = trainer.runUntilIdle(IDLE, 0);
    }

    Map<TopicPartition, Long> lowestSecond = new HashMap<>();
    long credibleSecond = 0;
    long quarantinedSecond = 0;
    for (VerdictRecord r : consumedSecond) {
      String id = r.sample().getId();
      assertTrue(id.startsWith("c2-") || id.startsWith("q2-"), "consumed " + id + " again after the restart");
      assertEquals(id.startsWith("q2-"), r.quarantined(), id + " tagged with the wrong topic");
      lowestSecond.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
      if (r.quarantined()) {
        quarantinedSecond++;
      } else {
        credibleSecond++;
      }
    }
    assertEquals(150, credibleSecond);
    assertEquals(50, quarantinedSecond);
    assertEquals(afterFirst, lowestSecond, "the second run starts exactly where the checkpoint left off, in both topics");
    assertEquals(350, second.samplesSeen());
    assertEquals(50, second.unlabelledThisRun());
    assertEquals(1, second.victimVersion(), "a restarted trainer reads the newest Victim again");
    CheckpointMeta secondMeta = second.lastCheckpoint().orElseThrow().meta();
    assertEquals(150.0, secondMeta.metrics().get("unlabelledSeen"), "100 before the restart + 50 after");
    Map<TopicPartition, Long> end = new HashMap<>(KafkaFixture.endOffsets(topics.credible()));
    end.putAll(KafkaFixture.endOffsets(topics.quarantine()));
    assertEquals(offsetKeys(end), secondMeta.offsets());
  }

  /** One way a published Victim version can be unloadable, and what its refusal must say. */
  record BrokenVersion(String kind, UnaryOperator<StoredCheckpoint> spoil, String... reasonParts) {}

  /**
   * Beside the wrong sha256 of the first test: other reasons a version is refused (the whole
   * corpus, forgeries included, runs against the filter in BadInputCorpusIT; both use the same
   * follower).
   */
  private static final List<BrokenVersion> BROKEN_VERSIONS = List.of(
      new BrokenVersion("checkpoint file missing",
          c -> new StoredCheckpoint(c.path().resolveSibling("gone-" + c.path().getFileName()), c.sha256(), c.meta()),
          "cannot be read", "NoSuchFileException"),
      new BrokenVersion("architecture differs from the checkpoint's",
          c -> new StoredCheckpoint(c.path(), c.sha256(), withMeta(c.meta(), "resnet-1001", c.meta().metrics())),
          "the ModelVersion says resnet-1001"),
      new BrokenVersion("a split in the message that is not the checkpoint's",
          c -> new StoredCheckpoint(c.path(), c.sha256(), withMeta(c.meta(), c.meta().architecture(),
              VictimVersions.classFullySuspect(3).toMetrics())),
          "metrics disagree with the split in the checkpoint"),
      new BrokenVersion("checkpoint outside the trusted directory",
          c -> VictimVersions.writeElsewhere(c), "outside the checkpoint root"));

  @Test
  void unloadableVictimVersionsAreRefusedWithTheirReasonAndTrainingGoesOnWithTheCurrentOne() throws Exception {
    TopicNames topics = KafkaFixture.freshTopics();
    VictimVersions.publish(topics, victimCheckpoints, 1, VictimVersions.nothingSuspect());
    KafkaFixture.produce(topics.credible(), TestData.samples("b1", 0, 100).stream().map(TestData::credible).toList());
    Map<Long, String> refusals = new ConcurrentHashMap<>();
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onVictimRefused(VictimFollower.Refusal refusal) {
        refusals.put(refusal.version(), refusal.reason());
      }
    };
    ExecutorService runner = Executors.newSingleThreadExecutor();
    BeneficiaryTrainer trainer = new BeneficiaryTrainer(config(topics), listener);
    try {
      Future<TrainingSummary> run = runner.submit(trainer::run);
      awaitTrue("victim v1 adopted and 100 samples trained",
          () -> trainer.progress().victimVersion() == 1 && trainer.progress().samplesSeen() == 100);
      long version = 1;
      for (BrokenVersion broken : BROKEN_VERSIONS) {
        long v = ++version;
        VictimVersions.publishSpoiled(topics, victimCheckpoints, v, VictimVersions.nothingSuspect(), broken.spoil());
        awaitTrue(broken.kind() + " (v" + v + ") refused", () -> refusals.containsKey(v));
        for (String part : broken.reasonParts()) {
          assertTrue(refusals.get(v).contains(part),
              broken.kind() + ": reason '" + refusals.get(v) + "' should say '" + part + "'");
        }
        assertEquals(1, trainer.progress().victimVersion(), broken.kind() + ": the trainer must keep v1");
      }
      KafkaFixture.produce(topics.credible(), TestData.samples("b2", 100, 100).stream().map(TestData::credible).toList());
      awaitTrue("training goes on after the refusals", () -> trainer.progress().samplesSeen() == 200);
      long good = ++version;
      VictimVersions.publish(topics, victimCheckpoints, good, VictimVersions.nothingSuspect());
      awaitTrue("the next good version adopted", () -> trainer.progress().victimVersion() == good);
      trainer.close();
      run.get(60, TimeUnit.SECONDS);
    } finally {
      trainer.close();
      runner.shutdownNow();
    }
    assertEquals(BROKEN_VERSIONS.size(), refusals.size(), "exactly the broken versions are refused: " + refusals);
  }

  private static CheckpointMeta withMeta(CheckpointMeta meta, String architecture, Map<String, Double> metrics) {
    return new CheckpointMeta(meta.modelId(), meta.version(), architecture, meta.createdAt(), metrics, meta.offsets());
  }

  private static Map<String, Long> offsetKeys(Map<TopicPartition, Long> offsets) {
    Map<String, Long> out = new HashMap<>();
    offsets.forEach((tp, o) -> out.put(CheckpointMeta.offsetKey(tp.topic(), tp.partition()), o));
    return out;
  }

  private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }
}
