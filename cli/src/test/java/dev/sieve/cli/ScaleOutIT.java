package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.data.FashionMnist;
import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.eval.metrics.DetectionReport;
import dev.sieve.eval.metrics.VerdictEvaluator;
import dev.sieve.loadtest.produce.ProducerConfig;
import dev.sieve.loadtest.produce.SampleProducer;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.KafkaClients;
import dev.sieve.wire.TopicCatalog;
import dev.sieve.wire.TopicNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several {@code sieve stream} JVMs of one application on a six-partition samples topic, against
 * the real broker, while samples stream in: instances join, one dies of SIGKILL, one is stopped
 * with SIGTERM. Asserted, as a read_committed consumer and the instances' own logs see it:
 *
 * <ul>
 *   <li>every sample and every malformed record comes out exactly once across credible,
 *       quarantine and dead-letter;
 *   <li>each instance installs the Victim versions the updater published as a contiguous run
 *       (none skipped once it follows the topic), each has installed the newest before it is
 *       killed or stopped, every live one ends on the newest, and at least one version is
 *       published while all instances run;
 *   <li>no batch is scored by a version older than the one its instance had installed when the
 *       batch took its lease (the batcher's debug line after each batch, read against the
 *       registry's install lines of the same log);
 *   <li>every verdict carries a version the updater published.
 * </ul>
 *
 * The stream goes in chunks, each after an event (everything sent so far decided, an instance
 * has scored a batch), never at a pace. Each run also prints the failover time, from the SIGKILL
 * to the first verdict after it on every output partition (keys keep their partition from input
 * to output, so the slowest partition is one the dead instance owned), next to the bound it
 * asserts, {@link #FAILOVER_BOUND}: generous enough for a loaded machine, tight enough that a
 * failover that takes minutes fails.
 */
class ScaleOutIT {

  private static final int PARTITIONS = 6;
  /** The first chunk must reach the updater's head ({@link #WARMUP}) or no Victim ever comes. */
  private static final int FIRST_CHUNK = 700;
  private static final int CHUNK = 300;
  private static final int WARMUP = 500;
  private static final int RETRAIN_EVERY = 400;
  /** Most chunks sent while waiting for every instance to own partitions and score a batch. */
  private static final int MAX_CHUNKS_UNTIL_SCORED = 8;
  private static final int STREAM_LIMIT = 20_000;
  /** A hang guard per event; a loaded machine only makes the events come later. */
  private static final Duration EVENT = Duration.ofMinutes(8);
  /** The group drops a killed member after this (the broker's minimum), not after Kafka's default 45 s. */
  private static final int SESSION_TIMEOUT_MS = 6000;
  /**
   * Exactly-once's transaction timeout, Kafka Streams' default under exactly_once_v2, written into
   * the instances' client config so that {@link #FAILOVER_BOUND} is derived from what they run with.
   */
  private static final int TRANSACTION_TIMEOUT_MS = 10_000;
  /**
   * How often the broker looks for timed-out transactions to abort
   * ({@code transaction.abort.timed.out.transaction.cleanup.interval.ms}, its default, which the
   * embedded broker keeps): a dead instance's transaction is aborted up to this long after it timed out.
   */
  private static final int ABORT_CHECK_INTERVAL_MS = 10_000;
  /**
   * The failover asserted, from the SIGKILL to a verdict on every output partition. What the
   * protocol itself takes is at most the sum of: the session timeout (the group notices the dead
   * member), and the transaction timeout plus the broker's abort check (the dead instance's open
   * transaction holds back its partitions' committed offsets until the broker aborts it); 26 s. The
   * rebalance, the restore and the first batch come on top and stretch on a loaded machine, hence
   * three times that, plus 60 s for a stalled JVM or a busy 2-core machine: 138 s. Measured 12.4 s
   * (standby 0) and 20.1 s (standby 1) at a load average of ~30 on 2 cores (docs/measurements.md),
   * so a slow machine stays green while a failover that takes minutes fails (one that never
   * completes already fails at the event waits).
   */
  static final Duration FAILOVER_BOUND =
      Duration.ofMillis(3L * (SESSION_TIMEOUT_MS + TRANSACTION_TIMEOUT_MS + ABORT_CHECK_INTERVAL_MS) + 60_000);
  private static final Pattern PUBLISHED = Pattern.compile("published victim v(\\d+) ");
  private static final Pattern INSTALLED = Pattern.compile("installed Victim \\S+ v(\\d+) ");
  private static final Pattern FLUSHED = Pattern.compile("flushed (\\d+) samples scored by \\S+ v(\\d+);");

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

  /**
   * The default suite's variant: two instances, the one without the updater killed mid-stream.
   * {@code -Dscaleout.standby=1} runs it with a standby replica, to compare the failover it prints
   * (docs/measurements.md).
   */
  @Test
  @Timeout(value = 40, unit = TimeUnit.MINUTES) // a hang guard: the Victim's warm-up sets the pace
  void twoInstancesOneKilledDecideEverySampleOnceWithEveryVersion() throws Exception {
    try (Run run = new Run("two", Integer.getInteger("scaleout.standby", 0))) {
      Instance updater = run.start("a", true);
      Instance other = run.start("b", false);
      run.awaitMembersOwningPartitions(2);
      run.feedUntilScoring(List.of(updater, other));
      run.feedUntilNewVersion(updater); // published while both run: both must install it
      run.sendChunk(); // in flight when the kill lands
      run.kill(other);
      run.awaitDecided();
      run.sendChunk();
      run.finish(List.of(updater), List.of(other));
    }
  }

  /**
   * Three instances (one with the updater), a fourth joining, one killed and one stopped cleanly,
   * all while samples flow.
   */
  @Test
  @Tag("slow")
  @Timeout(value = 60, unit = TimeUnit.MINUTES)
  void fourInstancesJoiningDyingAndStoppingDecideEverySampleOnceWithEveryVersion() throws Exception {
    try (Run run = new Run("four", 1)) {
      Instance a = run.start("a", true);
      Instance b = run.start("b", false);
      Instance c = run.start("c", false);
      run.awaitMembersOwningPartitions(3);
      run.feedUntilScoring(List.of(a, b, c));
      Instance d = run.start("d", false);
      run.awaitMembersOwningPartitions(4);
      run.feedUntilScoring(List.of(d));
      run.feedUntilNewVersion(a); // published while all four run
      run.sendChunk();
      run.kill(b);
      run.sendChunk();
      assertEquals(0, run.stop(c), "SIGTERM must stop an instance cleanly, with status 0\n" + c.process.tail(40));
      run.sendChunk();
      run.finish(List.of(a, d), List.of(b, c));
    }
  }

  /** One child JVM of the application. */
  record Instance(String name, SieveProcess process) {}

  /** One scenario: its topics, its producer, what was sent, its children. */
  private final class Run implements AutoCloseable {
    private final String bootstrap = broker.bootstrapServers();
    private final TopicNames topics;
    private final String applicationId;
    private final int standbyReplicas;
    private final Path clientConfig;
    private final FashionMnist.Split train;
    private final SampleProducer producer;
    private final Map<String, Instance> instances = new LinkedHashMap<>();
    private int sent;
    private int malformed;
    private int parts;
    private long killedAtMillis = -1;

    Run(String name, int standbyReplicas) throws Exception {
      this.topics = new TopicNames("scale-" + name + "-" + UUID.randomUUID().toString().substring(0, 8) + ".");
      this.applicationId = "sieve-" + topics.prefix().replace(".", "");
      this.standbyReplicas = standbyReplicas;
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        TopicCatalog.ensureTopics(admin, topics, PARTITIONS);
      }
      StreamAppSigkillIT.awaitLeaders(bootstrap, topics.samples());
      // The broker's minimum session timeout, and exactly-once's transaction timeout spelt out:
      // the two that FAILOVER_BOUND is derived from.
      clientConfig = work.resolve(name + "-client.properties");
      // A joining instance that Kafka Streams does not count as caught up gets its active tasks at
      // the next probing rebalance: the shortest interval Streams allows, not the default 10 min.
      Files.writeString(clientConfig, "session.timeout.ms=" + SESSION_TIMEOUT_MS + "\nheartbeat.interval.ms=1000\n"
          + "transaction.timeout.ms=" + TRANSACTION_TIMEOUT_MS + "\n"
          + "probing.rebalance.interval.ms=60000\n", StandardCharsets.UTF_8);
      train = FashionMnist.loadTrain(FashionMnist.resolveDir(null));
      producer = new SampleProducer(ProducerConfig.defaults(bootstrap).withTopics(topics).withLimit(STREAM_LIMIT)
          .withPoisonRate(0.1).withSeed(7));
    }

    /**
     * {@code sieve stream} of this application in its own JVM, with its own state directory, the
     * shared Victim checkpoint directory, and the batcher's per-batch line in its log.
     */
    Instance start(String name, boolean withUpdater) throws IOException {
      Path dir = Files.createDirectories(work.resolve(topics.prefix() + name));
      List<String> args = new ArrayList<>(List.of("stream",
          "--bootstrap-servers", bootstrap,
          "--topic-prefix", topics.prefix(),
          "--client-config", clientConfig.toString(),
          "--application-id", applicationId,
          "--state-dir", dir.resolve("state").toString(),
          "--checkpoint-dir", work.resolve(topics.prefix() + "victim").toString(),
          "--standby-replicas", Integer.toString(standbyReplicas),
          "--warmup-samples", Integer.toString(WARMUP),
          "--retrain-every", Integer.toString(RETRAIN_EVERY),
          // V&B's fixed split quarantines a share of any window, so both verdict topics see
          // traffic however little a 500-sample Victim has learnt.
          "--split", "vab",
          "--no-metrics"));
      if (!withUpdater) {
        args.add("--no-victim-updater");
      }
      SieveProcess process = SieveProcess.start(
          List.of("-Xmx768m", "-Dorg.slf4j.simpleLogger.log.dev.sieve.stream.topology.MicroBatcher=debug"),
          args, dir.resolve("stream.log"));
      Instance instance = new Instance(name, process);
      instances.put(name, instance);
      return instance;
    }

    /** The next {@link #CHUNK} samples (the first chunk: {@link #FIRST_CHUNK}) and a few malformed records. */
    void sendChunk() throws InterruptedException {
      int size = sent == 0 ? FIRST_CHUNK : CHUNK;
      sent += (int) producer.produceRange(train, sent, sent + size, n -> { }).sent();
      malformed += StreamAppSigkillIT.sendMalformed(bootstrap, topics, parts++);
    }

    /**
     * Chunks, each once everything before it is decided, until each of {@code scoring} has scored
     * a batch: then it owns partitions of samples and has a Victim.
     */
    void feedUntilScoring(List<Instance> scoring) throws Exception {
      for (int chunk = 0; chunk < MAX_CHUNKS_UNTIL_SCORED; chunk++) {
        sendChunk();
        awaitDecided();
        if (scoring.stream().allMatch(i -> flushes(i).size() > 0)) {
          return;
        }
      }
      throw new AssertionError("after " + MAX_CHUNKS_UNTIL_SCORED + " chunks, not every instance of "
          + scoring.stream().map(Instance::name).toList() + " has scored a batch\n" + tails());
    }

    /**
     * Enough chunks for a retraining round ({@link #RETRAIN_EVERY} new samples), then waits for the
     * version that round publishes: the schedule owes it, however long the round takes here.
     */
    void feedUntilNewVersion(Instance updater) throws Exception {
      List<Long> before = published(updater);
      long next = before.isEmpty() ? 1 : before.get(before.size() - 1) + 1;
      for (int samples = 0; samples < RETRAIN_EVERY; samples += CHUNK) {
        sendChunk();
      }
      updater.process.awaitLine("published victim v" + next + " ", EVENT);
      awaitDecided();
    }

    private List<Long> published(Instance updater) {
      return matches(updater, PUBLISHED).stream().map(m -> Long.parseLong(m.group(1))).toList();
    }

    /**
     * Before an instance goes: it must have installed the newest version published so far (the
     * updater is the first instance started).
     */
    private void awaitNewestInstalled(Instance instance) throws Exception {
      List<Long> published = published(instances.values().iterator().next());
      if (!published.isEmpty()) {
        instance.process.awaitLine("installed Victim victim v" + published.get(published.size() - 1) + " ", EVENT);
      }
    }

    /**
     * Waits until the application's group is stable with {@code members} members, each assigned
     * partitions of the samples topic (active tasks: standby tasks hold no partitions).
     */
    void awaitMembersOwningPartitions(int members) throws Exception {
      long deadline = System.nanoTime() + EVENT.toNanos();
      String seen = "";
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        while (true) {
          ConsumerGroupDescription group;
          try {
            group = admin.describeConsumerGroups(List.of(applicationId)).describedGroups().get(applicationId).get();
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof GroupIdNotFoundException)) {
              throw e;
            }
            group = null; // no instance has joined yet
          }
          seen = group == null ? "no group" : group.groupState() + " " + group.members().stream()
              .map(m -> m.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals(topics.samples()))
                  .count()).toList();
          if (group != null && group.groupState() == GroupState.STABLE && group.members().size() == members
              && group.members().stream().allMatch(m -> m.assignment().topicPartitions().stream()
                  .anyMatch(tp -> tp.topic().equals(topics.samples())))) {
            return;
          }
          assertTrue(System.nanoTime() < deadline, "the group never had " + members + " members owning samples "
              + "partitions; last seen " + seen + "\n" + tails());
          Thread.sleep(200);
        }
      }
    }

    /** Waits until every sample and malformed record sent so far is decided. */
    void awaitDecided() {
      DetectionReport report = new VerdictEvaluator(bootstrap, topics).evaluate(sent + malformed, EVENT, n -> { });
      assertTrue(report.complete(), "not everything sent was decided: " + report.summaryLine() + "\n" + tails());
    }

    void kill(Instance instance) throws Exception {
      awaitNewestInstalled(instance);
      assertTrue(instance.process.process.isAlive(), instance.name + " died before its SIGKILL\n"
          + instance.process.tail(60));
      killedAtMillis = System.currentTimeMillis();
      instance.process.kill();
      assertEquals(137, instance.process.process.exitValue(), "the instance must die of SIGKILL (128 + 9)");
    }

    int stop(Instance instance) throws Exception {
      awaitNewestInstalled(instance);
      assertTrue(instance.process.process.isAlive(), instance.name + " died before its SIGTERM\n"
          + instance.process.tail(60));
      return instance.process.terminate();
    }

    /**
     * Conservation over everything sent, then the versions: what the updater published, what each
     * instance installed and scored with, and what the verdicts carry.
     */
    void finish(List<Instance> live, List<Instance> gone) throws Exception {
      DetectionReport report = new VerdictEvaluator(bootstrap, topics).withSettle(Duration.ofSeconds(3))
          .evaluate(sent + malformed, EVENT, n -> { });
      System.out.printf("ScaleOutIT %s: %s%n", topics.prefix(), report.summaryLine());
      assertTrue(report.complete(), "not every record was decided: " + report.summaryLine() + "\n" + tails());
      assertEquals(0, report.duplicates(), "a sample came out twice: " + report.summaryLine());
      assertEquals(sent, report.credible() + report.quarantined(), report.summaryLine());
      assertEquals(malformed, report.deadLetters(), report.summaryLine());
      assertEquals(sent + malformed, report.totalRecords(), report.summaryLine());

      Instance updater = live.get(0);
      List<Long> published = published(updater);
      assertTrue(published.size() >= 2, "the updater must publish versions while the instances come and go, "
          + "published " + published + "\n" + updater.process.tail(60));
      for (int i = 1; i < published.size(); i++) {
        assertEquals(published.get(i - 1) + 1, published.get(i), "published versions step by one: " + published);
      }
      long newest = published.get(published.size() - 1);
      for (Instance instance : live) {
        instance.process.awaitLine("installed Victim victim v" + newest + " ", EVENT);
        assertTrue(instance.process.process.isAlive(), instance.name + " must keep running\n" + instance.process.tail(60));
      }
      List<Instance> all = new ArrayList<>(live);
      all.addAll(gone);
      for (Instance instance : all) {
        assertInstalledInOrder(instance, published);
        assertNoBatchScoredByAnOlderVersion(instance, published);
      }
      Map<Integer, List<Verdict>> verdicts = verdictsByPartition();
      TreeSet<Long> versions = new TreeSet<>();
      verdicts.values().forEach(list -> list.forEach(v -> versions.add(v.getVictimVersion())));
      assertTrue(published.containsAll(versions), "verdicts carry versions " + versions + ", published " + published);
      assertFailoverWithinBound(verdicts);
    }

    /** Each install is the next published version after the one before: none skipped, none twice. */
    private void assertInstalledInOrder(Instance instance, List<Long> published) {
      List<Long> installed = matches(instance, INSTALLED).stream().map(m -> Long.parseLong(m.group(1))).toList();
      assertTrue(!installed.isEmpty(), instance.name + " installed no Victim\n" + instance.process.tail(60));
      for (int i = 0; i < installed.size(); i++) {
        assertTrue(published.contains(installed.get(i)), instance.name + " installed v" + installed.get(i)
            + ", which the updater never published " + published);
        if (i > 0) {
          assertEquals(installed.get(i - 1) + 1, installed.get(i), instance.name + " skipped a version: installed "
              + installed + " of " + published);
        }
      }
      System.out.printf("ScaleOutIT %s: instance %s installed %s of %s, scored %d batches%n", topics.prefix(),
          instance.name, installed, published, flushes(instance).size());
    }

    /**
     * One stream thread per instance, so its batches are sequential: an install logged before
     * batch i-1's line happened before batch i took its lease, and batch i must be scored by that
     * version or a newer one. (An install logged between batch i-1 and batch i may have come while
     * batch i was already scoring with its lease; that is allowed.)
     */
    private void assertNoBatchScoredByAnOlderVersion(Instance instance, List<Long> published) {
      long installed = -1;
      long floor = -1;
      int batches = 0;
      for (String line : lines(instance)) {
        Matcher install = INSTALLED.matcher(line);
        if (install.find()) {
          installed = Math.max(installed, Long.parseLong(install.group(1)));
          continue;
        }
        Matcher flush = FLUSHED.matcher(line);
        if (flush.find()) {
          long version = Long.parseLong(flush.group(2));
          assertTrue(version >= floor, instance.name + " scored a batch with v" + version + " after v" + floor
              + " was installed: " + line);
          assertTrue(published.contains(version), instance.name + " scored with unpublished v" + version);
          floor = installed;
          batches++;
        }
      }
      assertTrue(batches > 0, instance.name + " scored no batch\n" + instance.process.tail(60));
    }

    /**
     * Per output partition, the first verdict scored after the kill: the partitions that the
     * killed instance owned resume last. Every partition must resume, the slowest within
     * {@link #FAILOVER_BOUND}; the time itself is printed beside the bound.
     */
    private void assertFailoverWithinBound(Map<Integer, List<Verdict>> verdicts) {
      if (killedAtMillis < 0) {
        return;
      }
      Map<Integer, Double> resumedAfter = new TreeMap<>();
      verdicts.forEach((partition, list) -> list.stream().mapToLong(v -> v.getScoredAt().toEpochMilli())
          .filter(t -> t >= killedAtMillis).min()
          .ifPresent(t -> resumedAfter.put(partition, (t - killedAtMillis) / 1000.0)));
      double worst = resumedAfter.values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
      double bound = FAILOVER_BOUND.toMillis() / 1000.0;
      System.out.printf("ScaleOutIT %s: standby replicas %d, failover %.1f s (bound %.0f s) from SIGKILL to output "
          + "on every partition again (first verdict after the kill, s, by partition: %s)%n", topics.prefix(),
          standbyReplicas, worst, bound, resumedAfter);
      assertEquals(PARTITIONS, resumedAfter.size(), "every partition must produce verdicts after the kill: "
          + resumedAfter);
      assertTrue(worst <= bound, String.format("failover took %.1f s, over the bound of %.0f s = 3 x (session "
          + "timeout %d ms + transaction timeout %d ms + abort check %d ms) + 60 s; by partition: %s", worst, bound,
          SESSION_TIMEOUT_MS, TRANSACTION_TIMEOUT_MS, ABORT_CHECK_INTERVAL_MS, resumedAfter));
    }

    /** The committed verdicts on credible and quarantine, by partition, read to the end. */
    private Map<Integer, List<Verdict>> verdictsByPartition() {
      AvroSerde<Verdict> serde = AvroSerde.verdict();
      Map<String, Object> config = KafkaClients.of(bootstrap, Map.of())
          .require(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName())
          .require(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName())
          .reader().build();
      Map<Integer, List<Verdict>> out = new TreeMap<>();
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(topics.credible(), topics.quarantine())) {
          for (int p = 0; p < PARTITIONS; p++) {
            partitions.add(new TopicPartition(topic, p));
          }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        long deadline = System.nanoTime() + EVENT.toNanos();
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
          assertTrue(System.nanoTime() < deadline, "could not read the verdicts to " + end);
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            out.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(serde.decode(record.value()));
          }
        }
      }
      return out;
    }

    private List<Matcher> matches(Instance instance, Pattern pattern) {
      List<Matcher> out = new ArrayList<>();
      for (String line : lines(instance)) {
        Matcher m = pattern.matcher(line);
        if (m.find()) {
          out.add(m);
        }
      }
      return out;
    }

    private List<Matcher> flushes(Instance instance) {
      return matches(instance, FLUSHED);
    }

    private List<String> lines(Instance instance) {
      try {
        return instance.process.output().lines().toList();
      } catch (IOException e) {
        throw new AssertionError("cannot read " + instance.process.log, e);
      }
    }

    private String tails() {
      StringBuilder out = new StringBuilder();
      instances.values().forEach(i -> out.append(i.process.tail(40)).append('\n'));
      return out.toString();
    }

    @Override
    public void close() throws InterruptedException {
      for (Instance instance : instances.values()) {
        instance.process.kill();
      }
    }
  }
}
