package dev.sieve.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.Headers;
import dev.sieve.wire.TopicCatalog;
import dev.sieve.wire.TopicNames;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The evaluator's per-sample view against a real broker: a known set of verdicts, written in a
 * shuffled order across two partitions per topic, must come back as the AUROC and quarantine rate
 * series worked out by hand below.
 *
 * <p>300 samples scored 10 ms apart; every tenth is poisoned (30). Entropy is 0.05 for poisoned
 * and 0.5 for clean samples, except three poisoned ones the Victim missed (0.5, i = 0, 100, 200)
 * and three clean ones it is wrongly sure of (0.01, i = 1, 101, 201). A sample is quarantined when
 * its entropy is below 0.1, but only from i = 100 on: the first 100 were scored before a Victim
 * existed and all passed.
 */
class VerdictEvaluatorIT {

  private static final int SAMPLES = 300;
  private static final long FIRST_SCORED_AT = 1_700_000_000_000L;
  private static final TopicNames TOPICS = new TopicNames("verdicts-it.");

  @BeforeAll
  static void createTopics() {
    TopicCatalog.ensureTopics(EmbeddedKafkaBroker.shared().bootstrapServers(), Map.of(), TOPICS, 2);
  }

  @Test
  void aurocAndQuarantineRateOverTimeMatchAKnownSetOfVerdicts() {
    List<Integer> sendOrder = new ArrayList<>();
    for (int i = 0; i < SAMPLES; i++) {
      sendOrder.add(i);
    }
    Collections.shuffle(sendOrder, new Random(7));
    try (KafkaProducer<byte[], byte[]> out = byteProducer()) {
      for (int i : sendOrder) {
        out.send(verdict(i));
      }
    }

    DetectionReport report = new VerdictEvaluator(EmbeddedKafkaBroker.shared().bootstrapServers(), TOPICS)
        .withSettle(Duration.ofMillis(300))
        .evaluate(SAMPLES, Duration.ofSeconds(30), n -> { });

    assertTrue(report.complete(), report.summaryLine());
    assertEquals(SAMPLES, report.decidedSamples().size());
    // 30 poisoned x 270 clean pairs. Each of the 27 poisoned at 0.05 beats the 267 clean at 0.5 and
    // loses to the 3 at 0.01; each of the 3 poisoned at 0.5 ties those 267 (half a win each).
    assertEquals((27 * 267 + 3 * 267 * 0.5) / (30 * 270), report.auroc(), 1e-12);

    // Slices of 100 (a fiftieth of 300 is below the minimum). Slice 0: nothing quarantined yet.
    // Slices 1 and 2: 9 poisoned at 0.05 and 1 clean at 0.01 quarantined out of 100.
    assertEquals(List.of(
        new DetectionReport.RatePoint(0.99, 100, 0.0, 0.1),
        new DetectionReport.RatePoint(1.99, 100, 0.1, 0.1),
        new DetectionReport.RatePoint(2.99, 100, 0.1, 0.1)), report.quarantineRateOverTime());

    // Back in scoredAt order although the topics gave them shuffled and split over partitions.
    double[] entropies = report.entropies();
    boolean[] poisoned = report.poisonedFlags();
    for (int i = 0; i < SAMPLES; i++) {
      assertEquals(FIRST_SCORED_AT + 10L * i, report.decidedSamples().get(i).scoredAtMillis(), "sample " + i);
      assertEquals(entropyOf(i), entropies[i], 0.0, "sample " + i);
      assertEquals(isPoisoned(i), poisoned[i], "sample " + i);
    }
    // The confusion counts agree with the per-sample decisions.
    assertEquals(18, report.truePositives());
    assertEquals(2, report.falsePositives());
  }

  private static boolean isPoisoned(int i) {
    return i % 10 == 0;
  }

  private static double entropyOf(int i) {
    if (i % 100 == 0) {
      return 0.5;
    }
    if (i % 100 == 1) {
      return 0.01;
    }
    return isPoisoned(i) ? 0.05 : 0.5;
  }

  private static ProducerRecord<byte[], byte[]> verdict(int i) {
    String id = "s" + i;
    boolean quarantined = i >= 100 && entropyOf(i) < 0.1;
    LabeledSample sample = LabeledSample.newBuilder()
        .setId(id)
        .setSource("test")
        .setLabel(isPoisoned(i) ? 0 : 1 + i % 9)
        .setHeight(28)
        .setWidth(28)
        .setChannels(1)
        .setPixels(ByteBuffer.wrap(new byte[28 * 28]))
        .setEventTime(Instant.ofEpochMilli(FIRST_SCORED_AT))
        .build();
    Verdict verdict = Verdict.newBuilder()
        .setSample(sample)
        .setDecision(quarantined ? Decision.QUARANTINE : Decision.CREDIBLE)
        .setEntropy(entropyOf(i))
        .setScore(entropyOf(i))
        .setThreshold(0.1)
        .setVictimModelId("test")
        .setVictimVersion(i >= 100 ? 1 : 0)
        .setReason("test: known entropy")
        .setScoredAt(Instant.ofEpochMilli(FIRST_SCORED_AT + 10L * i))
        .build();
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
        quarantined ? TOPICS.quarantine() : TOPICS.credible(), id.getBytes(StandardCharsets.UTF_8),
        AvroSerde.verdict().encode(verdict));
    record.headers().add(Headers.GROUND_TRUTH,
        (isPoisoned(i) ? Headers.TRUTH_POISONED : Headers.TRUTH_CLEAN).getBytes(StandardCharsets.UTF_8));
    return record;
  }

  private static KafkaProducer<byte[], byte[]> byteProducer() {
    Properties p = new Properties();
    p.put("bootstrap.servers", EmbeddedKafkaBroker.shared().bootstrapServers());
    p.put("acks", "all");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }
}
