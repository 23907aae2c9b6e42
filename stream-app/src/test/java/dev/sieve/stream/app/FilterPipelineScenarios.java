package dev.sieve.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.data.FashionMnist;
import dev.sieve.eval.metrics.DetectionReport;
import dev.sieve.eval.metrics.VerdictEvaluator;
import dev.sieve.loadtest.produce.ProducerConfig;
import dev.sieve.loadtest.produce.SampleProducer;
import dev.sieve.model.defense.split.SplitPolicies;
import dev.sieve.model.training.VictimSchedule;
import dev.sieve.model.versions.ModelTrust;
import dev.sieve.stream.topology.FilterConfig;
import dev.sieve.stream.updater.VictimUpdater;
import dev.sieve.stream.updater.VictimUpdaterConfig;
import dev.sieve.wire.ModelSigningKey;
import dev.sieve.wire.TopicCatalog;
import dev.sieve.wire.TopicNames;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * End-to-end scenarios of the filter against a real broker with real DJL models and real
 * Fashion-MNIST data. The embedded-broker suite and the Docker (Testcontainers) suite run the
 * same scenarios; only where the broker comes from differs.
 */
final class FilterPipelineScenarios {

  /** Only against a hang: a Victim's warm-up and rounds on 10k samples take minutes on a busy 2-core machine. */
  static final Duration HANG_GUARD = Duration.ofMinutes(45);

  private final ModelSigningKey signingKey = ModelSigningKey.generate();
  /** Seeds the Victim's weights and order and the producer's choice of poisoned samples. */
  private long seed = 7;

  /**
   * Group settings for a filter that a test stops and starts again under the same application id.
   * A closed Kafka Streams instance does not leave its group, so its successor's first rebalance
   * waits for the old member's session to expire: 45 s by default, 6 s (the broker's minimum) here.
   */
  static final Map<String, String> QUICK_REJOIN = Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "1000");

  /** Bad records mixed into the stream: each must come out on dead-letter, none may stop the app. */
  static final int MALFORMED = 3;

  private final String bootstrap;
  /** Client settings (security) that every client of the scenario uses, the filter's included. */
  private final Map<String, String> clientOverrides;
  private final Path workDir;
  private final FashionMnist.Split train;
  final TopicNames topics = new TopicNames("it-" + UUID.randomUUID().toString().substring(0, 8) + ".");
  final String applicationId = "sieve-it-" + UUID.randomUUID().toString().substring(0, 8);

  FilterPipelineScenarios(String bootstrap, Path workDir, FashionMnist.Split train) {
    this(bootstrap, Map.of(), workDir, train);
  }

  /** On a secured broker: {@code clientOverrides} are its login settings. */
  FilterPipelineScenarios(String bootstrap, Map<String, String> clientOverrides, Path workDir, FashionMnist.Split train) {
    this.bootstrap = bootstrap;
    this.clientOverrides = Map.copyOf(clientOverrides);
    this.workDir = workDir;
    this.train = train;
    Properties props = new Properties();
    props.putAll(clientOverrides);
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(props)) {
      TopicCatalog.ensureTopics(admin, topics, 2);
    }
  }

  FilterConfig filterConfig() {
    return FilterConfig.defaults(topics).withApplicationId(applicationId);
  }

  /** The same scenario with another seed for the Victim and the producer. */
  FilterPipelineScenarios withSeed(long value) {
    seed = value;
    return this;
  }

  /** A small Victim schedule so that a few thousand samples are enough. */
  VictimUpdaterConfig victimConfig(int warmupSamples) {
    return VictimUpdaterConfig.defaults(topics, workDir.resolve("victim"))
        .withPlan(VictimSchedule.Plan.defaults().withSeed(seed))
        .withWarmup(warmupSamples, Math.min(500, warmupSamples))
        .withRetrainEvery(1_000_000);
  }

  /**
   * Versions signed and checked with a key of this scenario's own, checkpoints under the
   * updater's directory: what a deployment with a key does.
   */
  ModelTrust trust() {
    return ModelTrust.within(workDir.resolve("victim")).withSigningKey(Optional.of(signingKey));
  }

  FilterApp app(int warmupSamples) {
    return app(warmupSamples, null);
  }

  /** With the filter's meters going to {@code meters} (null for none). */
  FilterApp app(int warmupSamples, MeterRegistry meters) {
    return new FilterApp(bootstrap, filterConfig(), workDir.resolve("state"), victimConfig(warmupSamples),
        SplitPolicies.defaultPolicy(), filterOverrides(), trust(), meters, Duration.ofHours(1), 100_000);
  }

  /** The scenario's client settings with {@link #QUICK_REJOIN}: what a filter of this scenario runs with. */
  Map<String, String> filterOverrides() {
    Map<String, String> overrides = new HashMap<>(clientOverrides);
    overrides.putAll(QUICK_REJOIN);
    return overrides;
  }

  long produce(int samples, double poisonRate) throws InterruptedException {
    return produce(samples, poisonRate, 0);
  }

  /** Sends the first {@code samples} training images; {@code rate} records/s, 0 for unpaced. */
  long produce(int samples, double poisonRate, double rate) throws InterruptedException {
    return producer(samples, poisonRate, rate).produce(train, n -> { }).sent();
  }

  /**
   * Sends positions {@code from} to {@code to} of a stream of {@code total} training images, as
   * {@link #produce} would have sent them: a scenario sends one stream in parts, each after an event
   * (an instance stopped, a broker down), so that what it tests happens whatever the machine's speed.
   */
  long produceRange(int total, double poisonRate, int from, int to) throws InterruptedException {
    return producer(total, poisonRate, 0).produceRange(train, from, to, n -> { }).sent();
  }

  private SampleProducer producer(int total, double poisonRate, double rate) {
    return new SampleProducer(ProducerConfig.defaults(bootstrap).withTopics(topics).withLimit(total)
        .withPoisonRate(poisonRate).withSeed(seed).withRecordsPerSecond(rate).withClientOverrides(clientOverrides));
  }

  void produceMalformed() {
    Properties props = new Properties();
    props.putAll(clientOverrides);
    props.put("bootstrap.servers", bootstrap);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topics.samples(), key("bad-text"), "not avro at all".getBytes(StandardCharsets.UTF_8)));
      producer.send(new ProducerRecord<>(topics.samples(), key("bad-empty"), new byte[0]));
      producer.send(new ProducerRecord<>(topics.samples(), key("bad-truncated"), new byte[] {(byte) 0xC3, 0x01, 1, 2, 3}));
      producer.flush();
    }
  }

  /** Reads the outputs until {@code expected} samples are decided, then 2 s more to catch duplicates. */
  private static byte[] key(String id) {
    return id.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Waits until {@code app}'s filter has installed a Victim version, however long training takes on
   * this machine: a wall-clock limit on "warm-up and rounds done" fails on a slow or busy machine,
   * so the only limit is a hang guard, and a dead updater or follower thread fails at once. The
   * evaluation timeouts that follow then cover scoring only.
   */
  static void awaitFirstVictim(FilterApp app) throws InterruptedException {
    long hangGuard = System.nanoTime() + HANG_GUARD.toNanos();
    while (app.registry().currentVersion().isEmpty()) {
      Optional<String> failure = app.updater().flatMap(VictimUpdater::failure);
      assertTrue(failure.isEmpty(), "the Victim updater died before a first Victim: " + failure.orElse(""));
      assertTrue(System.nanoTime() < hangGuard, "no Victim installed within the hang guard of " + HANG_GUARD);
      Thread.sleep(200);
    }
  }

  DetectionReport evaluate(long expected, Duration timeout, AtomicLong progress) {
    return new VerdictEvaluator(bootstrap, topics).withClientOverrides(clientOverrides).withSettle(Duration.ofSeconds(2))
        .evaluate(expected, timeout, progress::set);
  }

  /** Returns as soon as {@code expected} samples are decided. */
  DetectionReport evaluateNoSettle(long expected, Duration timeout) {
    return new VerdictEvaluator(bootstrap, topics).withClientOverrides(clientOverrides)
        .evaluate(expected, timeout, n -> { });
  }

  /** N in, N out across credible, quarantine and dead-letter: none lost, none doubled. */
  static void assertConserved(DetectionReport report, long validSamples, long malformed) {
    assertTrue(report.complete(), "not all samples were decided: " + report.summaryLine());
    assertEquals(0, report.duplicates(), "a sample came out twice: " + report.summaryLine());
    assertEquals(validSamples, report.credible() + report.quarantined(), report.summaryLine());
    assertEquals(malformed, report.deadLetters(), report.summaryLine());
    assertEquals(validSamples + malformed, report.totalRecords(), report.summaryLine());
  }
}
