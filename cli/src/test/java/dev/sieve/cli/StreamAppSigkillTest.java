package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.loadtest.data.FashionMnist;
import dev.sieve.loadtest.eval.DetectionReport;
import dev.sieve.loadtest.eval.VerdictEvaluator;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
class StreamAppSigkillTest {

  private static final int SAMPLES = 3000;
  /** Samples per second: the stream lasts about 30 s, long enough to kill and restart inside it. */
  private static final double RATE = 100;
  private static final Duration CHILD_STOP = Duration.ofSeconds(30);

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
    ProducerConfig producerConfig = ProducerConfig.defaults(bootstrap).withTopics(topics).withLimit(SAMPLES)
        .withPoisonRate(0.1).withSeed(7).withRecordsPerSecond(RATE);
    CompletableFuture<Long> producing = CompletableFuture.supplyAsync(() -> {
      try {
        return new SampleProducer(producerConfig).produce(train, n -> { }).sent();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });

    // Malformed records all through the stream, so that dead-letter crosses the kill as well.
    CompletableFuture<Integer> malformed = CompletableFuture.supplyAsync(() -> sendMalformed(bootstrap, topics));

    List<Child> children = new ArrayList<>();
    try {
      Child first = Child.start(args, work.resolve("stream-1.log"));
      children.add(first);
      DetectionReport partial = new VerdictEvaluator(bootstrap, topics).evaluate(600, Duration.ofMinutes(2), n -> { });
      assertTrue(partial.complete(), "the first instance decided too little before the kill: " + partial.summaryLine());
      assertTrue(first.process.isAlive(), "the first instance died on its own");
      assertFalse(producing.isDone(), "the kill must come while samples are still arriving");

      first.kill();
      assertEquals(137, first.process.exitValue(), "the first instance must die of SIGKILL (128 + 9)");
      System.out.printf("StreamAppSigkillTest: killed the stream app after %d of %d samples were decided%n",
          partial.distinct(), SAMPLES);

      Child second = Child.start(args, work.resolve("stream-2.log"));
      children.add(second);
      long sent = producing.get(3, TimeUnit.MINUTES);
      int bad = malformed.get(1, TimeUnit.MINUTES);
      assertEquals(SAMPLES, sent);
      DetectionReport report = new VerdictEvaluator(bootstrap, topics).withSettle(Duration.ofSeconds(2))
          .evaluate(sent + bad, Duration.ofMinutes(2), n -> { });
      System.out.println("StreamAppSigkillTest: " + report.summaryLine());
      assertTrue(report.complete(), "not every sample was decided after the restart: " + report.summaryLine());
      assertEquals(0, report.duplicates(), "a sample came out twice: " + report.summaryLine());
      assertEquals(sent, report.credible() + report.quarantined(), report.summaryLine());
      assertEquals(bad, report.deadLetters(), report.summaryLine());
      assertEquals(sent + bad, report.totalRecords(), report.summaryLine());
      assertTrue(report.credible() > 0 && report.quarantined() > 0,
          "both verdict topics must have crossed the kill: " + report.summaryLine());
      assertTrue(second.process.isAlive(), "the restarted instance must keep running");
    } catch (AssertionError | Exception e) {
      for (Child child : children) {
        System.out.println(child.tail(60));
      }
      throw e;
    } finally {
      producing.cancel(true);
      malformed.cancel(true);
      for (Child child : children) {
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

  /** One record that is not a sample every 250 ms for about as long as the stream lasts; returns how many. */
  private static int sendMalformed(String bootstrap, TopicNames topics) {
    int count = (int) (SAMPLES / RATE * 4);
    Map<String, Object> config = Map.of(org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < count; i++) {
        producer.send(new ProducerRecord<>(topics.samples(), ("malformed-" + i).getBytes(StandardCharsets.UTF_8),
            ("not a sample #" + i).getBytes(StandardCharsets.UTF_8)));
        Thread.sleep(250); // pacing, not a synchronisation
      }
      producer.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending malformed records", e);
    }
    return count;
  }

  /**
   * createTopics returns before the new partitions have a leader; an idempotent producer writing at
   * once can then retry its first batch for ever. ListOffsets is answered by the leader only, and
   * Admin retries it until there is one.
   */
  private static void awaitLeaders(String bootstrap, String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
          .forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      admin.listOffsets(request).all().get();
    }
  }

  /** One {@code sieve stream} JVM with its stdout and stderr in a log file. */
  private static final class Child {

    final Process process;
    final Path log;

    private Child(Process process, Path log) {
      this.process = process;
      this.log = log;
    }

    static Child start(List<String> args, Path log) throws IOException {
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"),
          "-Xmx1g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
          Sieve.class.getName()));
      command.addAll(args);
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      return new Child(process, log);
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      if (!process.waitFor(CHILD_STOP.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("stream app pid " + process.pid() + " still alive " + CHILD_STOP.toSeconds()
            + " s after SIGKILL");
      }
    }

    String tail(int lines) {
      try {
        List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
        return "--- last " + Math.min(lines, all.size()) + " of " + all.size() + " lines of " + log + " ---\n"
            + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
      } catch (IOException e) {
        return "(cannot read " + log + ": " + e + ")";
      }
    }
  }
}
