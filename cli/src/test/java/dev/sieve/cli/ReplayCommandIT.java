package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.attack.PoisonedTrainingSet;
import dev.sieve.data.FashionMnist;
import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.loadtest.produce.ProducerConfig;
import dev.sieve.loadtest.produce.SampleProducer;
import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.checkpoint.Checkpoint;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.training.beneficiary.RecipeSettings;
import dev.sieve.model.versions.ModelTrust;
import dev.sieve.pipeline.PretrainedVictim;
import dev.sieve.schemas.DeadLetter;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.schemas.Verdict;
import dev.sieve.stream.topology.FilterConfig;
import dev.sieve.trainer.replay.ReplayConfig;
import dev.sieve.trainer.replay.ReplayJob;
import dev.sieve.trainer.replay.ReplayListener;
import dev.sieve.trainer.replay.ReplayRange;
import dev.sieve.trainer.replay.ReplaySummary;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.Headers;
import dev.sieve.wire.TopicNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sieve replay} against a real broker with real Fashion-MNIST samples and a real Victim:
 * the history is three bursts of samples (before, inside and after the replayed time range, the
 * middle one 10 % BadNets-poisoned and with three malformed records), and a Victim trained on the
 * middle burst is published as v1, as the live filter's updater would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayCommandIT {

  private static final int INSIDE = 3000;
  private static final int MALFORMED = 3;
  private static final String LIVE_GROUP = FilterConfig.DEFAULT_APPLICATION_ID;

  @TempDir static Path work;

  private EmbeddedKafkaBroker broker;
  private TopicNames topics;
  private Instant from;
  private Instant to;
  private Set<String> insideIds;

  @BeforeAll
  void history() throws Exception {
    broker = EmbeddedKafkaBroker.start();
    topics = new TopicNames("replay-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    ClusterOptions.ensureTopicsWith(bootstrap(), topics, 2, Map.of());
    FashionMnist.Split data = FashionMnist.loadTest(FashionMnist.resolveDir(null));

    ProducerConfig producer = ProducerConfig.defaults(bootstrap(), topics).withShuffle(true);
    new SampleProducer(producer.withLimit(1000).withSeed(1)).produce(data, done -> { });
    from = pause();
    new SampleProducer(producer.withLimit(INSIDE)).produce(data, done -> { });
    produceMalformed();
    to = pause();
    new SampleProducer(producer.withLimit(500).withSeed(2)).produce(data, done -> { });

    List<dev.sieve.schemas.LabeledSample> inside = new PoisonedTrainingSet(data, INSIDE,
        ProducerConfig.DEFAULT_POISON_RATE, producer.attack(), ProducerConfig.DEFAULT_SEED).samples();
    insideIds = inside.stream().map(dev.sieve.schemas.LabeledSample::getId).collect(Collectors.toSet());
    try (PretrainedVictim victim = PretrainedVictim.train(inside, work.resolve("victim-work"), System.out)) {
      // A few more V&B rounds than the measuring commands need: on 3,000 samples one round leaves
      // the split unsure of the trigger, and this test wants both decisions in the verdicts.
      for (int round = 0; round < 3; round++) {
        victim.training().retrainOnSuspicious(inside);
      }
      victim.publish(bootstrap(), topics, work.resolve("victim"), "replay-test-victim", Map.of());
    }
  }

  @AfterAll
  void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void replayingATimeRangeTwiceGivesTheSameVerdictsForEveryRecordInsideItAndNoneOutside() throws Exception {
    ReplaySummary first = new ReplayJob(config("first", false), ReplayListener.NONE).run();
    ReplaySummary second = new ReplayJob(config("second", false), ReplayListener.NONE).run();

    Map<String, String> firstVerdicts = verdicts(topics.replay("first"), "first");
    Map<String, String> secondVerdicts = verdicts(topics.replay("second"), "second");
    assertEquals(insideIds, firstVerdicts.keySet(), "exactly the samples inside the range, each once");
    // Ids, decisions, entropies (bit for bit), scores, thresholds and the Victim version.
    assertEquals(firstVerdicts, secondVerdicts);

    for (ReplaySummary s : List.of(first, second)) {
      assertEquals(INSIDE + MALFORMED, s.records(), s.text());
      assertEquals(s.records(), s.credible() + s.quarantine() + s.deadLetters(), s.text());
      assertEquals(MALFORMED, s.deadLetters(), s.text());
      assertEquals(1, s.victimVersion());
      assertEquals(first.credible(), s.credible());
      assertTrue(s.credible() > INSIDE / 2 && s.quarantine() > 0, s.text());
    }
    List<DeadLetter> letters = read(topics.replay("first").deadLetter()).stream()
        .map(r -> AvroSerde.deadLetter().decode(r.value())).toList();
    assertEquals(MALFORMED, letters.size());
    for (DeadLetter letter : letters) {
      assertEquals("BAD_AVRO", letter.getErrorClass());
      assertTrue(letter.getReason().toString().contains("is not a LabeledSample"), letter.getReason().toString());
      assertEquals(topics.samples(), letter.getSourceTopic().toString());
    }
  }

  @Test
  void offsetsChooseThePartitionAndTheSpan() {
    ReplayConfig base = config("offsets", false);
    ReplayConfig byOffsets = new ReplayConfig(base.bootstrapServers(), base.topics(), Map.of(),
        ReplayRange.parse(null, null, "1:10", "1:110"), "offsets", base.victimModelId(), 1L, base.filter(), false,
        null, null, null, null, 0, false, base.trust());
    ReplaySummary summary = new ReplayJob(byOffsets, ReplayListener.NONE).run();
    assertEquals(List.of(new ReplayRange.Span(1, 10, 110)), summary.spans());
    assertEquals(100, summary.records());
    assertEquals(100, read(topics.replay("offsets").credible()).size() + read(topics.replay("offsets").quarantine()).size()
        + read(topics.replay("offsets").deadLetter()).size());
  }

  @Test
  void theLiveFiltersCommittedOffsetsAndTheGroupsAreUntouched() throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = Map.of(
        new TopicPartition(topics.samples(), 0), new OffsetAndMetadata(123),
        new TopicPartition(topics.samples(), 1), new OffsetAndMetadata(45));
    try (KafkaConsumer<byte[], byte[]> live = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(), ConsumerConfig.GROUP_ID_CONFIG, LIVE_GROUP),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      live.commitSync(committed);
    }
    Set<String> groupsBefore = groups();

    new ReplayJob(config("beside-live", false), ReplayListener.NONE).run();

    try (Admin admin = admin()) {
      Map<TopicPartition, OffsetAndMetadata> after =
          admin.listConsumerGroupOffsets(LIVE_GROUP).partitionsToOffsetAndMetadata().get();
      assertEquals(offsets(committed), offsets(after));
    }
    assertEquals(groupsBefore, groups(), "replay joined or created a consumer group");
    assertTrue(groupsBefore.contains(LIVE_GROUP), groupsBefore.toString());
  }

  @Test
  void theCommandTrainsABeneficiaryAndEndsWithACheckpointThatLoadsAndASummary() throws Exception {
    Path summaryFile = work.resolve("summary.json");
    Path checkpoints = work.resolve("checkpoints");
    String printed = runCommand("replay", "--bootstrap-servers", bootstrap(), "--topic-prefix", topics.prefix(),
        "--from", from.toString(), "--to", to.toString(), "--into", "trained", "--mix-epochs", "1",
        "--suppression-epochs", "1", "--checkpoint-dir", checkpoints.toString(), "--publish",
        "--summary", summaryFile.toString(), "--victim-checkpoint-dir", work.resolve("victim").toString());
    assertTrue(printed.contains("scoring with Victim victim v1"), printed);
    assertTrue(printed.contains("Sieve replay summary"), printed);

    JsonNode summary = new ObjectMapper().readTree(summaryFile.toFile());
    assertEquals(INSIDE + MALFORMED, summary.get("records").asLong());
    assertEquals(summary.get("records").asLong(), summary.get("credible").asLong() + summary.get("quarantine").asLong()
        + summary.get("deadLetters").asLong());
    assertEquals(1, summary.get("victimVersion").asLong());
    assertEquals(topics.prefix() + "replay.trained.credible", summary.get("credibleTopic").asText());
    assertEquals(1, summary.get("mixEpochs").asInt());
    assertTrue(summary.get("published").asBoolean());

    Path checkpoint = Path.of(summary.get("beneficiaryCheckpoint").asText());
    assertTrue(Files.exists(checkpoint), checkpoint.toString());
    assertTrue(checkpoint.startsWith(checkpoints.toAbsolutePath()), checkpoint.toString());
    Checkpoint loaded = CheckpointStore.read(checkpoint.toString(), summary.get("beneficiarySha256").asText());
    assertEquals(ReplayConfig.DEFAULT_BENEFICIARY_MODEL_ID, loaded.meta().modelId());
    assertEquals(1.0, loaded.meta().metrics().get("victimVersion"));
    assertEquals(summary.get("credible").asDouble(), loaded.meta().metrics().get("credible"));
    try (Network network = Network.fromParameters(Architecture.byId(loaded.meta().architecture()), loaded.parameters())) {
      assertEquals(Architecture.FMNIST_CNN_V1, network.architecture());
    }
    List<ModelVersion> announced = read(topics.cleanModels()).stream()
        .map(r -> AvroSerde.modelVersion().decode(r.value())).toList();
    assertEquals(1, announced.size());
    assertEquals(summary.get("beneficiarySha256").asText(), announced.get(0).getSha256());
  }

  @Test
  void withoutAPublishedVictimReplayRefusesAndSaysWhy() {
    TopicNames empty = new TopicNames("replay-empty-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    ClusterOptions.ensureTopicsWith(bootstrap(), empty, 1, Map.of());
    CommandRun run = CommandRun.of("replay", "--bootstrap-servers", bootstrap(), "--topic-prefix", empty.prefix(),
        "--no-train");
    assertEquals(1, run.exitCode(), run.err());
    assertTrue(run.err().contains("no Victim 'victim' on " + empty.victimModels()), run.err());
  }

  @Test
  void badRangesAreRefusedAsUsageErrors() {
    CommandRun run = CommandRun.of("replay", "--bootstrap-servers", bootstrap(), "--from", "2024-05-02", "--to",
        "2024-05-01");
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().contains("--from 2024-05-02T00:00:00Z is after --to 2024-05-01T00:00:00Z"), run.err());
  }

  // ---- helpers ----------------------------------------------------------------------------

  private ReplayConfig config(String into, boolean train) {
    return new ReplayConfig(bootstrap(), topics, Map.of(),
        ReplayRange.parse(from.toString(), to.toString(), null, null), into, "victim", null,
        FilterConfig.defaults(topics), train, work.resolve("checkpoints-" + into), "beneficiary-replay",
        ReplayConfig.DEFAULT_PLAN, RecipeSettings.defaults(), 42, false, ModelTrust.within(work.resolve("victim")));
  }

  private String bootstrap() {
    return broker.bootstrapServers();
  }

  /** A gap in record time between bursts, and the instant in its middle. */
  private static Instant pause() throws InterruptedException {
    Thread.sleep(50);
    Instant middle = Instant.now();
    Thread.sleep(50);
    return middle;
  }

  private void produceMalformed() throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        "bootstrap.servers", bootstrap(), "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < MALFORMED; i++) {
        producer.send(new ProducerRecord<>(topics.samples(), ("malformed-" + i).getBytes(StandardCharsets.UTF_8),
            ("not an image " + i).getBytes(StandardCharsets.UTF_8))).get();
      }
    }
  }

  /**
   * Every verdict of a replay's outputs by sample id: decision, entropy bits, score, threshold and
   * Victim version. Also checks that each kept its key and the producer's header and is marked.
   */
  private Map<String, String> verdicts(TopicNames outputs, String replayName) {
    Map<String, String> out = new TreeMap<>();
    List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>(read(outputs.credible()));
    all.addAll(read(outputs.quarantine()));
    for (ConsumerRecord<byte[], byte[]> record : all) {
      Verdict v = AvroSerde.verdict().decode(record.value());
      String id = v.getSample().getId().toString();
      assertEquals(id, new String(record.key(), StandardCharsets.UTF_8), "the sample key is kept");
      assertNotNull(record.headers().lastHeader(Headers.GROUND_TRUTH), "the sample's headers are kept");
      Header replay = record.headers().lastHeader(Headers.REPLAY);
      assertEquals(replayName, new String(replay.value(), StandardCharsets.UTF_8));
      boolean quarantined = record.topic().equals(outputs.quarantine());
      assertEquals(quarantined, v.getDecision() == dev.sieve.schemas.Decision.QUARANTINE, id);
      String previous = out.put(id, v.getDecision() + " " + Long.toHexString(Double.doubleToRawLongBits(v.getEntropy()))
          + " " + v.getScore() + " " + v.getThreshold() + " v" + v.getVictimVersion());
      assertEquals(null, previous, "sample " + id + " has two verdicts");
    }
    return out;
  }

  private List<ConsumerRecord<byte[], byte[]>> read(String topic) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(), ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        assertFalse(System.nanoTime() > deadline, "could not read " + topic + " to its end " + end);
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  private Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()));
  }

  private Set<String> groups() throws Exception {
    try (Admin admin = admin()) {
      return admin.listGroups().all().get().stream().map(GroupListing::groupId).collect(Collectors.toCollection(HashSet::new));
    }
  }

  private static Map<TopicPartition, Long> offsets(Map<TopicPartition, OffsetAndMetadata> committed) {
    Map<TopicPartition, Long> out = new HashMap<>();
    committed.forEach((tp, o) -> out.put(tp, o.offset()));
    return out;
  }

  private static String runCommand(String... args) {
    CommandRun run = CommandRun.of(args);
    assertEquals(0, run.exitCode(), run.out() + run.err());
    return run.out();
  }
}
