package dev.sieve.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.data.FashionMnist;
import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.loadtest.produce.ProduceReport;
import dev.sieve.loadtest.produce.ProducerConfig;
import dev.sieve.loadtest.produce.SampleProducer;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.Headers;
import dev.sieve.wire.TopicCatalog;
import dev.sieve.wire.TopicNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Producer and evaluator against a real broker, with a perfect filter simulated in the test: it
 * routes every sample by its ground-truth header, so the evaluator must report a perfect score.
 */
class LoadPipelineIT {

  private static final int SAMPLES = 500;
  private static final TopicNames TOPICS = new TopicNames("it.");

  @BeforeAll
  static void createTopics() {
    TopicCatalog.ensureTopics(EmbeddedKafkaBroker.shared().bootstrapServers(), Map.of(), TOPICS, 2);
  }

  @Test
  void perfectFilterScoresRecallOneAndNoFalsePositives() throws Exception {
    ProducerConfig config = ProducerConfig.defaults(EmbeddedKafkaBroker.shared().bootstrapServers())
        .withTopics(TOPICS).withLimit(SAMPLES).withPoisonRate(0.1).withShuffle(true);
    AtomicLong lastProgress = new AtomicLong();
    ProduceReport produced = new SampleProducer(config).produce(trainingData(), lastProgress::set);
    assertEquals(SAMPLES, produced.sent());
    assertEquals(50, produced.poisoned());
    assertEquals(SAMPLES, lastProgress.get());

    List<ConsumerRecord<byte[], byte[]>> samples = readAll(TOPICS.samples(), SAMPLES);
    assertEquals(SAMPLES, samples.size());
    try (KafkaProducer<byte[], byte[]> out = byteProducer()) {
      for (ConsumerRecord<byte[], byte[]> sample : samples) {
        out.send(perfectVerdict(sample));
      }
    }

    List<Long> progress = new ArrayList<>();
    DetectionReport report = new VerdictEvaluator(EmbeddedKafkaBroker.shared().bootstrapServers(), TOPICS)
        .withSettle(Duration.ofMillis(300))
        .evaluate(SAMPLES, Duration.ofSeconds(30), progress::add);

    assertTrue(report.complete(), report.summaryLine());
    assertEquals(SAMPLES, report.distinct());
    assertEquals(50, report.quarantined());
    assertEquals(450, report.credible());
    assertEquals(0, report.deadLetters());
    assertEquals(0, report.duplicates());
    assertEquals(0, report.missingTruth());
    assertEquals(0, report.undecodable());
    assertEquals(50, report.truePositives());
    assertEquals(450, report.trueNegatives());
    assertEquals(1.0, report.recall());
    assertEquals(0.0, report.falsePositiveRate());
    assertEquals(1.0, report.precision());
    assertTrue(report.recordsPerSecond() > 0, report.summaryLine());
    assertTrue(report.latencyP50Ms() >= 0, report.summaryLine());
    assertEquals(SAMPLES, progress.get(progress.size() - 1));

    // A sample decided twice (as a non-idempotent filter could) shows up as a duplicate and does
    // not change the first decision's count.
    try (KafkaProducer<byte[], byte[]> out = byteProducer()) {
      out.send(perfectVerdict(samples.get(0)));
    }
    DetectionReport again = new VerdictEvaluator(EmbeddedKafkaBroker.shared().bootstrapServers(), TOPICS)
        .withSettle(Duration.ofMillis(500))
        .evaluate(SAMPLES, Duration.ofSeconds(30), n -> { });
    assertEquals(1, again.duplicates(), again.summaryLine());
    assertEquals(SAMPLES, again.distinct());
    assertEquals(SAMPLES + 1, again.totalRecords());
    assertEquals(1.0, again.recall());
    assertEquals(0.0, again.falsePositiveRate());
  }

  /** Fashion-MNIST when installed, otherwise synthetic images: this test is about the plumbing. */
  private static FashionMnist.Split trainingData() throws IOException {
    Path dir = FashionMnist.resolveDir(null);
    if (Files.isDirectory(dir)) {
      return FashionMnist.loadTrain(dir);
    }
    byte[][] images = new byte[SAMPLES][784];
    int[] labels = new int[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) {
      images[i][i % 784] = (byte) 200;
      labels[i] = i % 10;
    }
    return new FashionMnist.Split("synthetic", images, labels, 28, 28);
  }

  /** What a perfect filter would write: the verdict on the topic the ground truth calls for. */
  private static ProducerRecord<byte[], byte[]> perfectVerdict(ConsumerRecord<byte[], byte[]> sample) {
    String truth = new String(sample.headers().lastHeader(Headers.GROUND_TRUTH).value(), StandardCharsets.UTF_8);
    boolean poisoned = Headers.TRUTH_POISONED.equals(truth);
    LabeledSample decoded = AvroSerde.labeledSample().decode(sample.value());
    Verdict verdict = Verdict.newBuilder()
        .setSample(decoded)
        .setDecision(poisoned ? Decision.QUARANTINE : Decision.CREDIBLE)
        .setEntropy(poisoned ? 0.01 : 0.2)
        .setScore(poisoned ? 0.05 : 0.8)
        .setThreshold(0.3)
        .setVictimModelId("oracle")
        .setVictimVersion(1)
        .setReason("test oracle: routed by ground truth")
        .setScoredAt(Instant.now())
        .build();
    ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(
        poisoned ? TOPICS.quarantine() : TOPICS.credible(), null, sample.key(),
        AvroSerde.verdict().encode(verdict), sample.headers());
    return out;
  }

  private static KafkaProducer<byte[], byte[]> byteProducer() {
    Properties p = new Properties();
    p.put("bootstrap.servers", EmbeddedKafkaBroker.shared().bootstrapServers());
    p.put("acks", "all");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedKafkaBroker.shared().bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-copier");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + 30_000;
      while (records.size() < expected && System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    assertFalse(records.isEmpty(), "nothing arrived on " + topic);
    return records;
  }
}
