package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.data.FashionMnist;
import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.eval.metrics.DetectionReport;
import dev.sieve.eval.metrics.VerdictEvaluator;
import dev.sieve.loadtest.produce.ProducerConfig;
import dev.sieve.loadtest.produce.SampleProducer;
import dev.sieve.wire.TopicCatalog;
import dev.sieve.wire.TopicNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sieve stream} in its own JVM, killed with SIGKILL in the middle of a stream (no shutdown
 * hook, no clean close, a transaction open) and started again on the same state directory and
 * application id: every sample the producer sent, and every malformed record sent beside them,
 * comes out exactly once across credible, quarantine and dead-letter, as a read_committed
 * consumer sees them.
 */
class StreamAppSigkillIT {

  private static final int SAMPLES = 3000;
  /** Malformed records sent with each of the three parts of the stream. */
  static final int MALFORMED_PER_PART = 40;

  private static EmbeddedKafkaBroker broker;

  @TempDir
  Path work;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  @Timeout(240)
  void aStreamAppKilledWithSigkillAndRestartedLosesAndDoublesNothing() throws Exception {
    String bootstrap = broker.bootstrapServers();
    TopicNames topics = new TopicNames("kill-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      TopicCatalog.ensureTopics(admin, topics, 2);
    }
    awaitLeaders(bootstrap, topics.samples());
    List<String> args = streamArgs(bootstrap, topics);
    FashionMnist.Split train = FashionMnist.loadTrain(FashionMnist.resolveDir(null));
    SampleProducer producer = new SampleProducer(ProducerConfig.defaults(bootstrap).withTopics(topics)
        .withLimit(SAMPLES).withPoisonRate(0.1).withSeed(7));

    // The stream arrives in three parts, each after an event rather than at a pace, so that the
    // kill falls in its middle on any machine: before the first instance has caught up, while no
    // instance runs, and once the second has started. Malformed records come with every part, so
    // that dead-letter crosses the kill as well.
    List<SieveProcess> children = new ArrayList<>();
    try {
      long sent = producer.produceRange(train, 0, SAMPLES / 2, n -> { }).sent();
      int bad = sendMalformed(bootstrap, topics, 0);
      SieveProcess first = SieveProcess.start(List.of("-Xmx1g"), args, work.resolve("stream-1.log"));
      children.add(first);
      DetectionReport partial = new VerdictEvaluator(bootstrap, topics).evaluate(600, Duration.ofMinutes(2), n -> { });
      assertTrue(partial.complete(), "the first instance decided too little before the kill: " + partial.summaryLine());
      assertTrue(first.process.isAlive(), "the first instance died on its own");

      first.kill();
      assertEquals(137, first.process.exitValue(), "the first instance must die of SIGKILL (128 + 9)");
      System.out.printf("StreamAppSigkillIT: killed the stream app after %d of %d samples were decided%n",
          partial.distinct(), SAMPLES);
      sent += producer.produceRange(train, SAMPLES / 2, SAMPLES * 3 / 4, n -> { }).sent();
      bad += sendMalformed(bootstrap, topics, 1);

      SieveProcess second = SieveProcess.start(List.of("-Xmx1g"), args, work.resolve("stream-2.log"));
      children.add(second);
      sent += producer.produceRange(train, SAMPLES * 3 / 4, SAMPLES, n -> { }).sent();
      bad += sendMalformed(bootstrap, topics, 2);
      assertEquals(SAMPLES, sent);
      DetectionReport report = new VerdictEvaluator(bootstrap, topics).withSettle(Duration.ofSeconds(2))
          .evaluate(sent + bad, Duration.ofMinutes(2), n -> { });
      System.out.println("StreamAppSigkillIT: " + report.summaryLine());
      assertTrue(report.complete(), "not every sample was decided after the restart: " + report.summaryLine());
      assertEquals(0, report.duplicates(), "a sample came out twice: " + report.summaryLine());
      assertEquals(sent, report.credible() + report.quarantined(), report.summaryLine());
      assertEquals(bad, report.deadLetters(), report.summaryLine());
      assertEquals(sent + bad, report.totalRecords(), report.summaryLine());
      assertTrue(report.credible() > 0 && report.quarantined() > 0,
          "both verdict topics must have crossed the kill: " + report.summaryLine());
      assertTrue(second.process.isAlive(), "the restarted instance must keep running");
    } catch (AssertionError | Exception e) {
      for (SieveProcess child : children) {
        System.out.println(child.tail(60));
      }
      throw e;
    } finally {
      for (SieveProcess child : children) {
        child.kill();
      }
    }
  }

  /**
   * The same command line for both instances: same application id and state directory, a small
   * warm-up so that a Victim exists early, no second Victim version, no metrics port. A short
   * session timeout (6 s, the broker's minimum) lets the group drop the killed member quickly;
   * with the default 45 s the restarted one would wait that long for its partitions.
   */
  private List<String> streamArgs(String bootstrap, TopicNames topics) throws IOException {
    Path clientConfig = work.resolve("client.properties");
    Files.writeString(clientConfig, "session.timeout.ms=6000\nheartbeat.interval.ms=1000\n", StandardCharsets.UTF_8);
    return List.of("stream",
        "--bootstrap-servers", bootstrap,
        "--topic-prefix", topics.prefix(),
        "--client-config", clientConfig.toString(),
        "--application-id", "sieve-kill-" + topics.prefix().replace(".", ""),
        "--state-dir", work.resolve("state").toString(),
        "--checkpoint-dir", work.resolve("victim").toString(),
        "--warmup-samples", "500",
        "--retrain-every", "1000000",
        // V&B's fixed split quarantines a good share of any window, so quarantine sees traffic
        // however little a 500-sample Victim has learnt.
        "--split", "vab",
        "--no-metrics");
  }

  /** {@link #MALFORMED_PER_PART} records that are not samples, numbered for {@code part}; returns how many. */
  static int sendMalformed(String bootstrap, TopicNames topics, int part) {
    Map<String, Object> config = Map.of(org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = part * MALFORMED_PER_PART; i < (part + 1) * MALFORMED_PER_PART; i++) {
        producer.send(new ProducerRecord<>(topics.samples(), ("malformed-" + i).getBytes(StandardCharsets.UTF_8),
            ("not a sample #" + i).getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
    return MALFORMED_PER_PART;
  }

  /**
   * createTopics returns before the new partitions have a leader; an idempotent producer writing at
   * once can then retry its first batch for ever. ListOffsets is answered by the leader only, and
   * Admin retries it until there is one.
   */
  static void awaitLeaders(String bootstrap, String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
          .forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      admin.listOffsets(request).all().get();
    }
  }
}
