package dev.sieve.stream.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.schemas.Alert;
import dev.sieve.schemas.DeadLetter;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.Retraction;
import dev.sieve.schemas.Verdict;
import dev.sieve.stream.metrics.MicrometerFilterMetrics;
import dev.sieve.stream.victim.ScriptedVictim;
import dev.sieve.stream.victim.VictimRegistry;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.DatasetDescriptor;
import dev.sieve.wire.Headers;
import dev.sieve.wire.TopicNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilterTopologyTest {

  private static final TopicNames TOPICS = new TopicNames("t.");
  private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
  private static final int BATCH = 4;
  private static final Duration WAIT = Duration.ofMillis(200);
  /** Score 0.05 with the scripted victims: suspect under any threshold >= 0.05. */
  private static final double LOW = 0.05 * ScriptedVictim.MAX_MEAN_ENTROPY;
  /** Score 0.9: credible under any threshold < 0.9. */
  private static final double HIGH = 0.9 * ScriptedVictim.MAX_MEAN_ENTROPY;

  @TempDir Path stateDir;

  private final AvroSerde<LabeledSample> samples = AvroSerde.labeledSample();
  private final VictimRegistry registry = new VictimRegistry();
  private FilterConfig config = FilterConfig.defaults(TOPICS)
      .withApplicationId("filter-test").withBatchSize(BATCH).withMaxBatchWait(WAIT).withMaxRecordBytes(8 * 1024);
  private FilterMetrics metrics = FilterMetrics.NONE;
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> input;
  private TestOutputTopic<byte[], Verdict> quarantine;
  private TestOutputTopic<byte[], Verdict> credible;
  private TestOutputTopic<byte[], DeadLetter> deadLetters;
  private TestOutputTopic<byte[], Alert> alerts;
  private TestOutputTopic<byte[], Retraction> retractions;

  private void start() {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver = new TopologyTestDriver(FilterTopology.build(config, registry, metrics), props, START);
    input = driver.createInputTopic(TOPICS.samples(), new ByteArraySerializer(), new ByteArraySerializer(), START, Duration.ZERO);
    quarantine = driver.createOutputTopic(TOPICS.quarantine(), new ByteArrayDeserializer(), AvroSerde.verdict().deserializer());
    credible = driver.createOutputTopic(TOPICS.credible(), new ByteArrayDeserializer(), AvroSerde.verdict().deserializer());
    deadLetters = driver.createOutputTopic(TOPICS.deadLetter(), new ByteArrayDeserializer(), AvroSerde.deadLetter().deserializer());
    alerts = driver.createOutputTopic(TOPICS.alerts(), new ByteArrayDeserializer(), AvroSerde.alert().deserializer());
    retractions = driver.createOutputTopic(TOPICS.retractions(), new ByteArrayDeserializer(),
        AvroSerde.retraction().deserializer());
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.close();
    }
    registry.close();
  }

  private void pipe(String id, String truth) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(Headers.GROUND_TRUTH, truth.getBytes(StandardCharsets.UTF_8));
    headers.add(Headers.PRODUCED_AT, "1234".getBytes(StandardCharsets.UTF_8));
    input.pipeInput(new TestRecord<>(TestSamples.key(id), samples.encode(TestSamples.uint8(id, id.length() % 10).build()),
        headers, START.plusMillis(7)));
  }

  private List<String> pipeAll(String prefix, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = prefix + i;
      pipe(id, Headers.TRUTH_CLEAN);
      ids.add(id);
    }
    return ids;
  }

  /** Everything on both verdict topics, by sample id; fails on a sample emitted twice. */
  private Map<String, TestRecord<byte[], Verdict>> drainVerdicts() {
    Map<String, TestRecord<byte[], Verdict>> byId = new LinkedHashMap<>();
    List<TestRecord<byte[], Verdict>> all = new ArrayList<>(quarantine.readRecordsToList());
    all.addAll(credible.readRecordsToList());
    for (TestRecord<byte[], Verdict> r : all) {
      String id = r.value().getSample().getId();
      assertFalse(byId.containsKey(id), "sample " + id + " was emitted twice");
      byId.put(id, r);
    }
    return byId;
  }

  private long bufferedCount() {
    KeyValueStore<Long, byte[]> store = driver.getKeyValueStore(FilterTopology.BUFFER_STORE);
    long n = 0;
    try (KeyValueIterator<Long, byte[]> it = store.all()) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  private static String header(TestRecord<?, ?> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void routesLowEntropyToQuarantineAndTheRestToCredibleWithKeyAndHeadersIntact() {
    ScriptedVictim v1 = new ScriptedVictim(7, 0.3, HIGH).entropy("poison-1", LOW).entropy("poison-2", LOW);
    registry.swap(v1);
    start();
    pipe("clean-1", Headers.TRUTH_CLEAN);
    pipe("poison-1", Headers.TRUTH_POISONED);
    pipe("clean-2", Headers.TRUTH_CLEAN);
    pipe("poison-2", Headers.TRUTH_POISONED); // the fourth fills the batch: no time needs to pass

    List<TestRecord<byte[], Verdict>> suspects = quarantine.readRecordsToList();
    List<TestRecord<byte[], Verdict>> kept = credible.readRecordsToList();
    assertEquals(List.of("poison-1", "poison-2"), suspects.stream().map(r -> r.value().getSample().getId()).toList());
    assertEquals(List.of("clean-1", "clean-2"), kept.stream().map(r -> r.value().getSample().getId()).toList());
    assertEquals(List.of(4), v1.batchSizes());

    List<TestRecord<byte[], Verdict>> all = new ArrayList<>(suspects);
    all.addAll(kept);
    for (TestRecord<byte[], Verdict> r : all) {
      Verdict v = r.value();
      String id = v.getSample().getId();
      boolean poisoned = id.startsWith("poison");
      assertEquals(poisoned ? Decision.QUARANTINE : Decision.CREDIBLE, v.getDecision());
      assertArrayEquals(TestSamples.key(id), r.key(), "the original key is kept");
      assertEquals(poisoned ? Headers.TRUTH_POISONED : Headers.TRUTH_CLEAN, header(r, Headers.GROUND_TRUTH));
      assertEquals("1234", header(r, Headers.PRODUCED_AT));
      assertEquals(START.plusMillis(7), r.getRecordTime(), "the original record timestamp is kept");
      assertEquals("victim", v.getVictimModelId());
      assertEquals(7L, v.getVictimVersion());
      assertEquals(poisoned ? LOW : HIGH, v.getEntropy(), 1e-12);
      assertEquals(poisoned ? 0.05 : 0.9, v.getScore(), 1e-9);
      assertEquals(0.3, v.getThreshold(), 1e-12);
      assertEquals(v1.judge(v.getEntropy(), v.getSample().getLabel()).reason(), v.getReason());
      assertEquals(TestSamples.uint8(id, id.length() % 10).build(), v.getSample(), "the sample travels untouched");
      assertEquals(START, v.getScoredAt(), "scoredAt is the wall-clock time of the flush");
    }
    assertTrue(deadLetters.isEmpty());
    assertEquals(0, bufferedCount());
  }

  @Test
  void metricsCountVerdictsPerClassEntropiesBatchesAndDeadLetters() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    MicrometerFilterMetrics filterMetrics = new MicrometerFilterMetrics(meters, 10, 4);
    metrics = filterMetrics;
    registry.swap(new ScriptedVictim(5, 0.3, HIGH).entropy("poison-1", LOW).entropy("poison-2", LOW));
    start();
    pipe("clean-1", Headers.TRUTH_CLEAN);   // label 7 (the id's length)
    pipe("poison-1", Headers.TRUTH_POISONED); // label 8
    pipe("clean-2", Headers.TRUTH_CLEAN);
    pipe("poison-2", Headers.TRUTH_POISONED);
    input.pipeInput(TestSamples.key("junk"), new byte[] {1, 2, 3});

    assertEquals(2, meters.get("sieve.verdicts").tags("class", "7", "decision", "credible").counter().count());
    assertEquals(2, meters.get("sieve.verdicts").tags("class", "8", "decision", "quarantine").counter().count());
    assertEquals(0, meters.get("sieve.verdicts").tags("class", "8", "decision", "credible").counter().count());
    assertEquals(1.0, meters.get("sieve.quarantine.rate").tags("class", "8").gauge().value());
    assertEquals(0.0, meters.get("sieve.quarantine.rate").tags("class", "7").gauge().value());
    assertTrue(Double.isNaN(meters.get("sieve.quarantine.rate").tags("class", "0").gauge().value()),
        "no verdict for class 0 yet");
    assertEquals(2, meters.get("sieve.entropy").tags("decision", "quarantine").summary().count());
    assertEquals(2 * LOW, meters.get("sieve.entropy").tags("decision", "quarantine").summary().totalAmount(), 1e-12);
    assertEquals(1, meters.get("sieve.batch.size").summary().count());
    assertEquals(4, meters.get("sieve.batch.size").summary().max());
    assertEquals(1, meters.get("sieve.batch.latency").timer().count());
    assertEquals(5, meters.get("sieve.victim.version").gauge().value());
    assertEquals(1, meters.get("sieve.dead.letters").tags("error", ErrorClass.BAD_AVRO.name()).counter().count());

    // The rate slides over the class's last 4 verdicts: four credible class-8 samples push the
    // two quarantined ones out.
    for (int i = 0; i < 4; i++) {
      pipe("cleanX" + i, Headers.TRUTH_CLEAN); // length 7: class 7
    }
    assertEquals(0.0, filterMetrics.rates().rate(7));
    assertEquals(4, filterMetrics.rates().filled(7));
    assertEquals(1.0, filterMetrics.rates().rate(8));
  }

  @Test
  void aColourFilterScoresItsShapeAndDeadLettersFashionMnistShapedRecordsWithAReasonAndAMetric() {
    config = config.withDataset(DatasetDescriptor.of(3, 32, 32, 4));
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    metrics = new MicrometerFilterMetrics(meters, 4, 4);
    registry.swap(new ScriptedVictim(1, 0.3, HIGH));
    start();
    byte[] rgb = new byte[3 * 32 * 32];
    Arrays.fill(rgb, (byte) 90);
    for (int i = 0; i < BATCH; i++) {
      input.pipeInput(TestSamples.key("rgb-" + i), samples.encode(TestSamples.uint8("rgb-" + i, i % 4).setHeight(32)
          .setWidth(32).setChannels(3).setPixels(ByteBuffer.wrap(rgb)).build()));
    }
    input.pipeInput(TestSamples.key("grey"), samples.encode(TestSamples.uint8("grey", 1).build()));
    input.pipeInput(TestSamples.key("label-4"), samples.encode(TestSamples.uint8("label-4", 4).setHeight(32)
        .setWidth(32).setChannels(3).setPixels(ByteBuffer.wrap(rgb)).build()));

    assertEquals(BATCH, drainVerdicts().size(), "every 3x32x32 sample with a label in [0, 4) is judged");
    List<TestRecord<byte[], DeadLetter>> dead = deadLetters.readRecordsToList();
    assertEquals(2, dead.size());
    assertEquals(ErrorClass.WRONG_IMAGE_SIZE.name(), dead.get(0).value().getErrorClass());
    assertTrue(dead.get(0).value().getReason().contains("28x28x1") && dead.get(0).value().getReason()
        .contains("expected 32x32x3"), dead.get(0).value().getReason());
    assertEquals(ErrorClass.LABEL_OUT_OF_RANGE.name(), dead.get(1).value().getErrorClass());
    assertTrue(dead.get(1).value().getReason().contains("[0, 4)"), dead.get(1).value().getReason());
    assertEquals(1, meters.get("sieve.dead.letters").tags("error", ErrorClass.WRONG_IMAGE_SIZE.name()).counter().count());
  }

  @Test
  void aSecondCopyOfAnIdIsDeadLetteredNamingTheFirstButOnlyWithinTheWindow() {
    config = config.withDuplicateWindow(Duration.ofHours(1));
    registry.swap(new ScriptedVictim(1, 0.3, HIGH));
    start();
    pipe("twin", Headers.TRUTH_CLEAN);
    pipe("twin", Headers.TRUTH_CLEAN);
    List<TestRecord<byte[], DeadLetter>> dead = deadLetters.readRecordsToList();
    assertEquals(1, dead.size());
    assertEquals(ErrorClass.DUPLICATE_ID.name(), dead.get(0).value().getErrorClass());
    assertTrue(dead.get(0).value().getReason().contains("'twin' was already accepted at " + TOPICS.samples() + "-0@0"),
        dead.get(0).value().getReason());
    assertEquals(1L, dead.get(0).value().getSourceOffset(), "the second copy is the one refused");

    // Two hours of record time later the id is free again: a later resubmission is a new sample.
    input.pipeInput(new TestRecord<>(TestSamples.key("twin"), samples.encode(TestSamples.uint8("twin", 4).build()),
        new RecordHeaders(), START.plus(Duration.ofHours(2))));
    assertTrue(deadLetters.isEmpty());
    driver.advanceWallClockTime(WAIT);
    assertEquals(2, credible.readRecordsToList().size(), "the first copy and the one outside the window");
  }

  @Test
  void aClassWhoseSamplesSuddenlyGoToQuarantineRaisesOneAlert() {
    int recent = QuarantineRateAlarm.Rule.defaults().recent();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    metrics = new MicrometerFilterMetrics(meters, 10, 100);
    registry.swap(new ScriptedVictim(3, 0.3, LOW)); // everything scores low: all quarantined
    start();
    for (int i = 0; i < recent + 50; i++) {
      pipe(String.format("p%05d", i), Headers.TRUTH_POISONED); // 6 characters: class 6
    }
    driver.advanceWallClockTime(WAIT);
    List<TestRecord<byte[], Alert>> raised = alerts.readRecordsToList();
    assertEquals(1, raised.size(), "one alert for one jump");
    Alert alert = raised.get(0).value();
    assertEquals("6", new String(raised.get(0).key(), StandardCharsets.UTF_8));
    assertEquals(AlertProcessor.KIND_RATE_JUMP, alert.getKind());
    assertEquals(6, alert.getClassLabel());
    assertEquals(1.0, alert.getRate());
    assertEquals(0.0, alert.getBaselineRate());
    assertEquals(recent, alert.getWindow());
    assertEquals(3L, alert.getVictimVersion());
    assertTrue(alert.getMessage().startsWith("class 6: 100% of its last " + recent + " samples quarantined"),
        alert.getMessage());
    assertEquals(1, meters.get("sieve.alerts").tags("class", "6").counter().count());
    assertEquals(recent + 50, quarantine.readRecordsToList().size(), "alerting does not hold verdicts back");
  }

  @Test
  void partialBatchWaitsUntilTheOldestSampleHasWaitedMaxBatchWait() {
    ScriptedVictim v1 = new ScriptedVictim(1, 0.3, HIGH);
    registry.swap(v1);
    start();
    List<String> ids = pipeAll("s", BATCH - 1);
    assertTrue(credible.isEmpty());
    driver.advanceWallClockTime(WAIT.minusMillis(1));
    assertTrue(credible.isEmpty(), "199 ms is not yet 200 ms");
    assertEquals(List.of(), v1.batchSizes());
    assertEquals(BATCH - 1, bufferedCount());

    driver.advanceWallClockTime(Duration.ofMillis(1));
    assertEquals(ids, credible.readRecordsToList().stream().map(r -> r.value().getSample().getId()).toList(),
        "flushed in arrival order");
    assertEquals(List.of(BATCH - 1), v1.batchSizes(), "one forward pass for the partial batch");
    assertEquals(0, bufferedCount());
  }

  @Test
  void fullBatchesFlushAtOnceInOneForwardPassEach() {
    ScriptedVictim v1 = new ScriptedVictim(1, 0.3, HIGH);
    registry.swap(v1);
    start();
    List<String> ids = pipeAll("s", 2 * BATCH + 1);
    // No time has passed: only full batches may have gone, each in exactly one forward pass.
    assertEquals(List.of(BATCH, BATCH), v1.batchSizes());
    assertEquals(ids.subList(0, BATCH), v1.batches().get(0));
    assertEquals(ids.subList(BATCH, 2 * BATCH), v1.batches().get(1));
    assertEquals(2 * BATCH, drainVerdicts().size());
    assertEquals(1, bufferedCount(), "the odd one out waits for more samples or for maxBatchWait");

    driver.advanceWallClockTime(WAIT);
    assertEquals(List.of(ids.get(2 * BATCH)), List.copyOf(drainVerdicts().keySet()));
    assertEquals(List.of(BATCH, BATCH, 1), v1.batchSizes());
  }

  @Test
  void nothingIsReleasedBeforeTheFirstVictimAndTheBacklogDrainsInBatches() {
    start();
    List<String> ids = pipeAll("early", 2 * BATCH + 2);
    for (int i = 0; i < 5; i++) {
      driver.advanceWallClockTime(WAIT.multipliedBy(2));
    }
    assertTrue(quarantine.isEmpty() && credible.isEmpty(), "no verdict without a Victim");
    assertEquals(ids.size(), bufferedCount(), "every sample waits in the store");

    ScriptedVictim v1 = new ScriptedVictim(1, 0.3, HIGH).entropy("early3", LOW);
    registry.swap(v1);
    driver.advanceWallClockTime(config.punctuationInterval());

    Map<String, TestRecord<byte[], Verdict>> out = drainVerdicts();
    assertEquals(new HashSet<>(ids), out.keySet(), "none lost, none doubled");
    assertEquals(List.of(BATCH, BATCH, 2), v1.batchSizes(), "the backlog drains in batchSize chunks");
    assertEquals(Decision.QUARANTINE, out.get("early3").value().getDecision());
    assertEquals(0, bufferedCount());
  }

  @Test
  void hotSwapTakesEffectBetweenBatchesAndClosesTheOldVersion() {
    // Both see the same entropy (score 0.2); v1 quarantines it, v2's lower threshold keeps it.
    double entropy = 0.2 * ScriptedVictim.MAX_MEAN_ENTROPY;
    ScriptedVictim v1 = new ScriptedVictim(1, 0.3, entropy);
    ScriptedVictim v2 = new ScriptedVictim(2, 0.1, entropy);
    registry.swap(v1);
    start();
    pipeAll("a", BATCH);
    assertFalse(v1.closed());
    registry.swap(v2);
    assertTrue(v1.closed(), "no batch holds v1, so the swap closes it");
    pipeAll("b", BATCH + 1);
    driver.advanceWallClockTime(WAIT);

    Map<String, TestRecord<byte[], Verdict>> out = drainVerdicts();
    assertEquals(2 * BATCH + 1, out.size(), "outputs == inputs");
    assertBatchesScoredByOneVersion(out, v1, v2);
    for (TestRecord<byte[], Verdict> r : out.values()) {
      boolean first = r.value().getSample().getId().startsWith("a");
      assertEquals(first ? 1L : 2L, r.value().getVictimVersion());
      assertEquals(first ? Decision.QUARANTINE : Decision.CREDIBLE, r.value().getDecision());
      assertEquals(first ? 0.3 : 0.1, r.value().getThreshold(), 1e-12);
    }
    assertEquals(List.of(BATCH), v1.batchSizes());
    assertEquals(List.of(BATCH, 1), v2.batchSizes());
  }

  @Test
  void swapDuringScoringLetsTheRunningBatchFinishOnTheOldVersion() {
    ScriptedVictim v2 = new ScriptedVictim(2, 0.1, HIGH);
    AtomicBoolean v1ClosedWhileScoring = new AtomicBoolean();
    ScriptedVictim v1 = new ScriptedVictim(1, 0.3, HIGH);
    // The updater thread would swap concurrently; doing it from inside the forward pass makes the
    // interleaving deterministic.
    v1.duringScoring(batch -> {
      if (v2.batches().isEmpty() && registry.currentVersion().orElse(0L) == 1L) {
        registry.swap(v2);
        v1ClosedWhileScoring.set(v1.closed());
      }
    });
    registry.swap(v1);
    start();
    pipeAll("a", BATCH);
    assertFalse(v1ClosedWhileScoring.get(), "the batch's lease keeps v1 open");
    assertTrue(v1.closed(), "v1 closes when the batch releases its lease");
    pipeAll("b", BATCH);

    Map<String, TestRecord<byte[], Verdict>> out = drainVerdicts();
    assertEquals(2 * BATCH, out.size());
    assertBatchesScoredByOneVersion(out, v1, v2);
    assertEquals(List.of(BATCH), v1.batchSizes());
    assertEquals(List.of(BATCH), v2.batchSizes());
  }

  private static void assertBatchesScoredByOneVersion(Map<String, TestRecord<byte[], Verdict>> out, ScriptedVictim... versions) {
    int seen = 0;
    for (ScriptedVictim v : versions) {
      for (List<String> batch : v.batches()) {
        for (String id : batch) {
          assertEquals(v.version(), out.get(id).value().getVictimVersion(), "sample " + id + " in a batch of v" + v.version());
          seen++;
        }
      }
    }
    assertEquals(out.size(), seen, "every output came from exactly one recorded batch");
  }

  @Test
  void scoringFailureKeepsTheBatchBufferedAndRetriesAtTheNextPunctuation() {
    ScriptedVictim v1 = new ScriptedVictim(1, 0.3, HIGH).failNext(1);
    registry.swap(v1);
    start();
    List<String> ids = pipeAll("s", BATCH);
    assertEquals(List.of(BATCH), v1.batchSizes(), "one failed attempt");
    assertTrue(credible.isEmpty() && quarantine.isEmpty(), "a failed batch emits nothing");
    assertEquals(BATCH, bufferedCount());

    ids.addAll(pipeAll("late", 1));
    assertEquals(1, v1.batches().size(), "no retry per record, only at the next punctuation");

    driver.advanceWallClockTime(config.punctuationInterval());
    assertEquals(List.of(BATCH, BATCH), v1.batchSizes(), "the retry scores the same full batch");
    assertEquals(ids.subList(0, BATCH), v1.batches().get(1));
    driver.advanceWallClockTime(WAIT);
    assertEquals(new HashSet<>(ids), drainVerdicts().keySet());
    assertEquals(0, bufferedCount());
  }

  @Test
  void victimReturningTheWrongNumberOfEntropiesCountsAsAFailure() {
    ScriptedVictim broken = new ScriptedVictim(1, 0.3, HIGH) {
      @Override
      public double[] entropies(List<LabeledSample> batch) {
        super.entropies(batch);
        return new double[] {HIGH};
      }
    };
    registry.swap(broken);
    start();
    pipeAll("s", BATCH);
    assertTrue(credible.isEmpty() && quarantine.isEmpty());
    assertEquals(BATCH, bufferedCount());

    ScriptedVictim fixed = new ScriptedVictim(2, 0.3, HIGH);
    registry.swap(fixed);
    driver.advanceWallClockTime(config.punctuationInterval());
    assertEquals(BATCH, drainVerdicts().size());
    assertEquals(List.of(BATCH), fixed.batchSizes());
  }

  @Test
  void bufferIsChangelogged() {
    start();
    pipeAll("s", 1);
    assertTrue(driver.producedTopicNames().contains(config.applicationId() + "-" + FilterTopology.BUFFER_STORE + "-changelog"),
        "produced topics: " + driver.producedTopicNames());
  }

  @Test
  void malformedRecordsAreDeadLetteredAndTheStreamGoesOn() {
    registry.swap(new ScriptedVictim(1, 0.3, HIGH));
    config = config.withBatchSize(1);
    start();
    byte[] good = samples.encode(TestSamples.uint8("ok", 1).build());
    byte[] badFingerprint = good.clone();
    for (int i = 2; i < 10; i++) {
      badFingerprint[i] ^= (byte) 0x33;
    }
    byte[] oversized = new byte[config.maxRecordBytes() + 1];
    Arrays.fill(oversized, (byte) 0xC3);

    List<KeyValue<ErrorClass, KeyValue<byte[], byte[]>>> bad = new ArrayList<>();
    bad.add(KeyValue.pair(ErrorClass.BAD_AVRO, KeyValue.pair(TestSamples.key("garbage"), "\u0000garbage\u00ff".getBytes(StandardCharsets.ISO_8859_1))));
    bad.add(KeyValue.pair(ErrorClass.BAD_AVRO, KeyValue.pair(TestSamples.key("fp"), badFingerprint)));
    bad.add(KeyValue.pair(ErrorClass.BAD_AVRO, KeyValue.pair(TestSamples.key("cut"), Arrays.copyOf(good, good.length - 100))));
    bad.add(KeyValue.pair(ErrorClass.EMPTY_VALUE, KeyValue.pair(TestSamples.key("tomb"), null)));
    bad.add(KeyValue.pair(ErrorClass.EMPTY_VALUE, KeyValue.pair(TestSamples.key("zero"), new byte[0])));
    bad.add(KeyValue.pair(ErrorClass.MISSING_KEY, KeyValue.pair(null, good)));
    bad.add(KeyValue.pair(ErrorClass.MISSING_KEY, KeyValue.pair(new byte[0], good)));
    bad.add(KeyValue.pair(ErrorClass.OVERSIZED_RECORD, KeyValue.pair(TestSamples.key("big"), oversized)));
    bad.add(invalid(ErrorClass.EMPTY_ID, TestSamples.uint8("", 1).build()));
    bad.add(invalid(ErrorClass.WRONG_IMAGE_SIZE, TestSamples.uint8("tall", 1).setHeight(29).build()));
    bad.add(invalid(ErrorClass.LABEL_OUT_OF_RANGE, TestSamples.uint8("label", 10).build()));
    bad.add(invalid(ErrorClass.PIXEL_LENGTH_MISMATCH, TestSamples.uint8("short", 1).setPixels(ByteBuffer.allocate(100)).build()));
    bad.add(invalid(ErrorClass.EMPTY_PIXELS, TestSamples.uint8("none", 1).setPixels(ByteBuffer.allocate(0)).build()));
    bad.add(invalid(ErrorClass.NON_FINITE_PIXELS, TestSamples.float32("nan", 1, Float.NaN).build()));
    bad.add(invalid(ErrorClass.PIXEL_OUT_OF_RANGE, TestSamples.float32("bright", 1, 2f).build()));

    RecordHeaders headers = new RecordHeaders();
    headers.add(Headers.GROUND_TRUTH, Headers.TRUTH_POISONED.getBytes(StandardCharsets.UTF_8));
    for (KeyValue<ErrorClass, KeyValue<byte[], byte[]>> b : bad) {
      input.pipeInput(new TestRecord<>(b.value.key, b.value.value, headers, START));
    }
    pipe("after-1", Headers.TRUTH_CLEAN);
    pipe("after-2", Headers.TRUTH_CLEAN);

    List<TestRecord<byte[], DeadLetter>> letters = deadLetters.readRecordsToList();
    assertEquals(bad.size(), letters.size());
    for (int i = 0; i < bad.size(); i++) {
      DeadLetter letter = letters.get(i).value();
      KeyValue<byte[], byte[]> raw = bad.get(i).value;
      assertEquals(bad.get(i).key.name(), letter.getErrorClass(), "record #" + i + ": " + letter.getReason());
      assertFalse(letter.getReason().isBlank());
      assertEquals(TOPICS.samples(), letter.getSourceTopic());
      assertEquals(0, letter.getSourcePartition());
      assertEquals(i, letter.getSourceOffset(), "offset of record #" + i);
      assertArrayEquals(raw.key, bytes(letter.getRawKey()), "raw key of record #" + i);
      assertArrayEquals(raw.value, bytes(letter.getRawValue()), "raw value of record #" + i);
      assertEquals(START, letter.getFailedAt());
      assertEquals(Headers.TRUTH_POISONED, header(letters.get(i), Headers.GROUND_TRUTH));
    }
    assertEquals(Set.of("after-1", "after-2"), drainVerdicts().keySet(), "valid records after the bad ones still flow");
  }

  private KeyValue<ErrorClass, KeyValue<byte[], byte[]>> invalid(ErrorClass expected, LabeledSample sample) {
    String key = sample.getId().isEmpty() ? "no-id" : sample.getId();
    return KeyValue.pair(expected, KeyValue.pair(TestSamples.key(key), samples.encode(sample)));
  }

  private static byte[] bytes(ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }

  // ---- retractions ----

  /** Score 0.05 under every version; v1 (threshold -1) splits nothing, v2 and v3 (0.3) call it suspect. */
  private static ScriptedVictim poisonSeenAs(long version, double threshold, List<String> poisoned) {
    ScriptedVictim v = new ScriptedVictim(version, threshold, HIGH);
    poisoned.forEach(id -> v.entropy(id, LOW));
    return v;
  }

  private long storeCount(String store) {
    KeyValueStore<Object, Object> kv = driver.getKeyValueStore(store);
    long n = 0;
    try (KeyValueIterator<Object, Object> it = kv.all()) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  @Test
  void aNewerVictimRetractsExactlyTheReleasedSamplesItCallsSuspectAndAThirdRetractsNothingAgain() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    metrics = new MicrometerFilterMetrics(meters, 10, 4);
    List<String> poisoned = List.of("p-1", "p-3", "p-6");
    ScriptedVictim v1 = poisonSeenAs(1, -1, poisoned);
    registry.swap(v1);
    start();
    for (int i = 0; i < 2 * BATCH; i++) {
      String id = (poisoned.contains("p-" + i) ? "p-" : "c-") + i;
      pipe(id, id.startsWith("p") ? Headers.TRUTH_POISONED : Headers.TRUTH_CLEAN);
    }
    assertEquals(2 * BATCH, credible.readRecordsToList().size(), "v1 splits nothing: all released");
    assertEquals(2 * BATCH, storeCount(FilterTopology.RELEASED_STORE));

    ScriptedVictim v2 = poisonSeenAs(2, 0.3, poisoned);
    registry.swap(v2);
    pipeAll("late-", BATCH); // released by v2 itself: not re-judged by it
    assertTrue(retractions.isEmpty(), "nothing is re-judged before the punctuation");
    driver.advanceWallClockTime(config.punctuationInterval());

    List<TestRecord<byte[], Retraction>> retracted = retractions.readRecordsToList();
    assertEquals(poisoned, retracted.stream().map(r -> r.value().getSampleId()).toList(),
        "one retraction per released sample v2 calls suspect, in release order; none for the clean ones");
    for (TestRecord<byte[], Retraction> r : retracted) {
      Retraction retraction = r.value();
      assertArrayEquals(TestSamples.key(retraction.getSampleId()), r.key(), "keyed by sample id");
      assertEquals(Headers.TRUTH_POISONED, header(r, Headers.GROUND_TRUTH), "the sample's headers travel along");
      assertEquals(1L, retraction.getReleasedByVersion());
      assertEquals("victim", retraction.getVictimModelId());
      assertEquals(2L, retraction.getVictimVersion());
      assertEquals(LOW, retraction.getEntropy(), 1e-12);
      assertEquals(0.05, retraction.getScore(), 1e-9);
      assertEquals(0.3, retraction.getThreshold(), 1e-12);
      assertEquals(retraction.getSampleId().length() % 10, retraction.getLabel());
      assertTrue(retraction.getReason().startsWith("released by v1, now suspect: v2: score 0.0500 <= threshold"),
          retraction.getReason());
    }
    List<List<String>> rejudged = v2.batches().subList(1, v2.batches().size());
    assertEquals(List.of(BATCH, BATCH), rejudged.stream().map(List::size).toList(),
        "the 8 samples v1 released, in chunks of batchSize; not the 4 v2 released itself");
    assertEquals(2 * BATCH + BATCH - poisoned.size(), storeCount(FilterTopology.RELEASED_STORE),
        "retracted samples leave the store");
    double counted = meters.find("sieve.retractions").counters().stream().mapToDouble(c -> c.count()).sum();
    assertEquals(poisoned.size(), counted, 1e-9);
    assertEquals(poisoned.size(), meters.get("sieve.retractions").tags("class", "3").counter().count(), 1e-9,
        "class 3: the length of the ids p-1, p-3, p-6");

    driver.advanceWallClockTime(config.punctuationInterval());
    assertTrue(retractions.isEmpty(), "a finished re-judge does not run again for the same version");
    ScriptedVictim v3 = poisonSeenAs(3, 0.3, poisoned);
    registry.swap(v3);
    driver.advanceWallClockTime(config.punctuationInterval());
    assertTrue(retractions.isEmpty(), "v3 calls the same samples suspect, but they were retracted already");
    assertEquals(3 * BATCH - poisoned.size(), v3.batches().stream().mapToInt(List::size).sum(),
        "v3 re-judges whatever older versions released and still stands");
    assertEquals(BATCH, drainVerdicts().size(), "only the late samples' verdicts: a retraction adds no verdict");
  }

  @Test
  void aStillNewerVersionArrivingMidWayRestartsTheRejudgeWithoutRepeatingARetraction() {
    List<String> poisoned = List.of("p-0", "p-5");
    registry.swap(poisonSeenAs(1, -1, poisoned));
    start();
    for (int i = 0; i < 2 * BATCH; i++) {
      pipe((poisoned.contains("p-" + i) ? "p-" : "c-") + i, Headers.TRUTH_CLEAN);
    }
    ScriptedVictim v3 = poisonSeenAs(3, 0.3, poisoned);
    ScriptedVictim v2 = poisonSeenAs(2, 0.3, poisoned);
    // The updater installs v3 while v2 scores its first chunk, and that chunk uses up the
    // punctuation's whole budget: v2 stops after one chunk, with its cursor mid-way.
    v2.duringScoring(batch -> {
      registry.swap(v3);
      sleepPastTheFlushBudget();
    });
    registry.swap(v2);
    driver.advanceWallClockTime(config.punctuationInterval());
    assertEquals(List.of(List.of("p-0", "c-1", "c-2", "c-3")), v2.batches(), "one chunk, then the budget was spent");
    driver.advanceWallClockTime(config.punctuationInterval());

    Map<String, Long> retractedBy = new LinkedHashMap<>();
    retractions.readValuesToList().forEach(r -> assertNull(retractedBy.put(r.getSampleId(), r.getVictimVersion()),
        r.getSampleId() + " retracted twice"));
    assertEquals(Map.of("p-0", 2L, "p-5", 3L), retractedBy);
    assertEquals(List.of(List.of("c-1", "c-2", "c-3", "c-4"), List.of("p-5", "c-6", "c-7")), v3.batches(),
        "v3 starts over from the oldest released sample; what v2 retracted is gone");
  }

  private static void sleepPastTheFlushBudget() {
    try {
      Thread.sleep(MicroBatcher.FLUSH_BUDGET_NANOS / 1_000_000 + 20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void theStoreKeepsOnlyTheNewestRetractionWindowSamples() {
    config = config.withRetractionWindow(3);
    List<String> poisoned = List.of("p-0", "p-6");
    registry.swap(poisonSeenAs(1, -1, poisoned));
    start();
    for (int i = 0; i < 2 * BATCH; i++) {
      pipe((poisoned.contains("p-" + i) ? "p-" : "c-") + i, Headers.TRUTH_CLEAN);
    }
    assertEquals(3, storeCount(FilterTopology.RELEASED_STORE));
    ScriptedVictim v2 = poisonSeenAs(2, 0.3, poisoned);
    registry.swap(v2);
    driver.advanceWallClockTime(config.punctuationInterval());
    assertEquals(List.of("p-6"), retractions.readValuesToList().stream().map(Retraction::getSampleId).toList(),
        "p-0 was evicted before v2 came: too old to retract");
    assertEquals(List.of(List.of("c-5", "p-6", "c-7")), v2.batches());
  }

  @Test
  void aRetractionWindowOfZeroKeepsNothingAndRetractsNothing() {
    config = config.withRetractionWindow(0);
    String description = FilterTopology.build(config, registry).describe().toString();
    assertFalse(description.contains(FilterTopology.RETRACTOR), description);
    assertFalse(description.contains(FilterTopology.RELEASED_STORE), description);
    registry.swap(poisonSeenAs(1, -1, List.of("p-1")));
    start();
    pipe("p-1", Headers.TRUTH_POISONED);
    pipeAll("c-", BATCH - 1);
    ScriptedVictim v2 = poisonSeenAs(2, 0.3, List.of("p-1"));
    registry.swap(v2);
    driver.advanceWallClockTime(config.punctuationInterval());
    assertEquals(BATCH, credible.readRecordsToList().size());
    assertTrue(retractions.isEmpty());
    assertEquals(List.of(), v2.batches(), "nothing is re-judged");
    assertFalse(driver.producedTopicNames().contains(TOPICS.retractions()));
  }

  @Test
  void buildIsPureAndNamesItsNodes() {
    String description = FilterTopology.build(config, registry).describe().toString();
    for (String node : List.of(FilterTopology.SOURCE, FilterTopology.VALIDATOR, FilterTopology.BATCHER,
        FilterTopology.QUARANTINE_SINK, FilterTopology.CREDIBLE_SINK, FilterTopology.DEAD_LETTER_SINK,
        FilterTopology.BUFFER_STORE, FilterTopology.RETRACTOR, FilterTopology.RETRACTIONS_SINK,
        FilterTopology.RELEASED_STORE, FilterTopology.RETRACTION_PROGRESS_STORE, TOPICS.samples(), TOPICS.quarantine(),
        TOPICS.credible(), TOPICS.deadLetter(), TOPICS.retractions())) {
      assertTrue(description.contains(node), node + " missing from\n" + description);
    }
    assertNotNull(FilterTopology.bufferStore().logConfig());
    assertTrue(FilterTopology.bufferStore().loggingEnabled());
  }
}
