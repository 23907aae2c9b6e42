package dev.sieve.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.data.FashionMnist;
import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.defense.split.SplitPolicies;
import dev.sieve.model.scoring.SplitRule;
import dev.sieve.model.versions.ModelTrust;
import dev.sieve.model.versions.VictimFollower;
import dev.sieve.schemas.DeadLetter;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.schemas.PixelEncoding;
import dev.sieve.schemas.Verdict;
import dev.sieve.stream.topology.ErrorClass;
import dev.sieve.stream.topology.FilterConfig;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.DatasetDescriptor;
import dev.sieve.wire.ForgedRecords;
import dev.sieve.wire.ModelSigningKey;
import dev.sieve.wire.TopicNames;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input against the running filter on a real broker, with a real DJL Victim: a corpus of
 * malformed sample records, each of which must land on dead-letter exactly once, byte for byte,
 * with the error class and a reason that names the problem, while valid samples sent after them
 * still get their verdicts; and a corpus of broken Victim versions, each of which must be refused
 * with its reason while the filter goes on scoring with the Victim it had. Among them the records
 * an attacker who can write a topic would send: forged Avro lengths that would make a naive decoder
 * allocate gigabytes, and forged model versions that would switch the filter off or pin it.
 *
 * <p>Both corpora are tables: a new kind of bad input is one more line. The filter runs with a
 * model-signing key, as a deployment with one does.
 */
class BadInputCorpusIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final AvroSerde<LabeledSample> SAMPLES = AvroSerde.labeledSample();
  private static final ModelSigningKey KEY = ModelSigningKey.generate();
  /** What the corpus may cost the heap, after a GC: it is a few dozen kilobytes of records. */
  private static final long HEAP_GROWTH_BOUND = 64L << 20;

  private static EmbeddedKafkaBroker broker;
  private static FashionMnist.Split images;

  @TempDir
  Path workDir;

  @BeforeAll
  static void startBroker() throws Exception {
    images = FashionMnist.loadTest(FashionMnist.resolveDir(null));
    broker = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  /** One bad sample record: how it is sent (key and value, either may be null) and how it must be refused. */
  record BadRecord(String kind, byte[] key, byte[] value, ErrorClass expected, String... reasonParts) {}

  /** A valid sample whose second copy is one of the corpus rows. */
  private static final String DUPLICATED_ID = "bad-duplicate-id";

  /** The corpus: kind, key, value, the error class it must get and what its reason must say. */
  private static List<BadRecord> sampleCorpus(FilterConfig config) {
    byte[] valid = SAMPLES.encode(sample("bad-truncated-avro", 0).build());
    return List.of(
        bad("truncated Avro", "bad-truncated-avro", Arrays.copyOf(valid, valid.length / 2),
            ErrorClass.BAD_AVRO, "is not a LabeledSample", "cannot decode"),
        bad("wrong schema fingerprint", "bad-fingerprint", wrongFingerprint(sample("bad-fingerprint", 1).build()),
            ErrorClass.BAD_AVRO, "fingerprint"),
        bad("not Avro at all", "bad-text", "label=3,pixels=...".getBytes(StandardCharsets.UTF_8),
            ErrorClass.BAD_AVRO, "not Avro single-object encoding", "C3 01"),
        bad("empty bytes", "bad-empty-bytes", new byte[0], ErrorClass.EMPTY_VALUE, "empty (0 bytes)"),
        bad("tombstone (null value)", "bad-tombstone", null, ErrorClass.EMPTY_VALUE, "null (a tombstone)"),
        row("missing key", null, sample("bad-no-key", 2), ErrorClass.MISSING_KEY, "key is null"),
        row("empty key", "", sample("bad-empty-key", 3), ErrorClass.MISSING_KEY, "key is empty"),
        bad("huge record", "bad-huge", SAMPLES.encode(sample("bad-huge", 4)
                .setMetadata(Map.of("padding", "x".repeat(config.maxRecordBytes()))).build()),
            ErrorClass.OVERSIZED_RECORD, "maxRecordBytes=" + config.maxRecordBytes()),
        row("empty id", "bad-empty-id", sample("", 5), ErrorClass.EMPTY_ID, "id is empty"),
        row("wrong image size", "bad-image-size", sample("bad-image-size", 6).setHeight(32).setWidth(32)
                .setPixels(ByteBuffer.wrap(new byte[32 * 32])),
            ErrorClass.WRONG_IMAGE_SIZE, "32x32x1", "expected 28x28x1"),
        row("label out of range", "bad-label-10", sample("bad-label-10", 7).setLabel(10),
            ErrorClass.LABEL_OUT_OF_RANGE, "label is 10", "[0, 10)"),
        row("negative label", "bad-label-negative", sample("bad-label-negative", 8).setLabel(-1),
            ErrorClass.LABEL_OUT_OF_RANGE, "label is -1"),
        row("empty pixels", "bad-no-pixels", sample("bad-no-pixels", 9).setPixels(ByteBuffer.allocate(0)),
            ErrorClass.EMPTY_PIXELS, "pixels is empty", "784"),
        row("pixel length mismatch", "bad-pixel-length", sample("bad-pixel-length", 10)
                .setPixels(ByteBuffer.wrap(new byte[783])),
            ErrorClass.PIXEL_LENGTH_MISMATCH, "holds 783 bytes", "expected 784"),
        row("NaN pixels", "bad-nan", floats("bad-nan", 11, 5, Float.NaN),
            ErrorClass.NON_FINITE_PIXELS, "value #5 is NaN"),
        row("infinite pixel", "bad-infinity", floats("bad-infinity", 12, 0, Float.NEGATIVE_INFINITY),
            ErrorClass.NON_FINITE_PIXELS, "value #0 is -Infinity"),
        row("pixel outside [0, 1]", "bad-float-range", floats("bad-float-range", 13, 700, 1.5f),
            ErrorClass.PIXEL_OUT_OF_RANGE, "value #700 is 1.5", "[0, 1]"),
        bad("duplicate id", DUPLICATED_ID, duplicated(), ErrorClass.DUPLICATE_ID,
            "'" + DUPLICATED_ID + "' was already accepted at"),
        bad("forged-length bytes", "forged-pixels", ForgedRecords.forgedPixelsLength("forged-pixels"),
            ErrorClass.BAD_AVRO, "LabeledSample.pixels declares " + ForgedRecords.FORGED_LENGTH + " bytes but only"),
        bad("forged-length string", "forged-id", ForgedRecords.forgedIdLength(),
            ErrorClass.BAD_AVRO, "LabeledSample.id declares " + ForgedRecords.FORGED_LENGTH + " bytes but only"),
        bad("huge map", "forged-map", ForgedRecords.forgedMetadataCount("forged-map"),
            ErrorClass.BAD_AVRO, "LabeledSample.metadata declares " + ForgedRecords.FORGED_LENGTH + " entries"),
        row("key is not the id", "bad-key-not-id", sample("someone-else", 15), ErrorClass.KEY_ID_MISMATCH,
            "record key 'bad-key-not-id' is not the sample's id 'someone-else'"));
  }

  @Test
  @Timeout(120)
  void everyKindOfBadSampleIsDeadLetteredOnceWithItsReasonAndTheFilterKeepsScoring() throws Exception {
    FilterPipelineScenarios s = new FilterPipelineScenarios(broker.bootstrapServers(), workDir, images);
    TopicNames topics = s.topics;
    List<BadRecord> corpus = sampleCorpus(s.filterConfig());
    assertTrue(corpus.size() >= 12, "the issue asks for at least 12 kinds of bad input");
    TestVictims victims = new TestVictims(broker.bootstrapServers(), topics, workDir.resolve("victim"));
    awaitLeaders(topics.samples(), topics.victimModels());
    victims.publish(KEY.sign(victims.write(1)));

    try (FilterApp app = filterOnly(s).start()) {
      awaitTrue("victim v1 installed", () -> app.registry().currentVersion().orElse(0L) == 1L);
      long heapBefore = usedHeapAfterGc();
      List<String> valid = new ArrayList<>();
      try (KafkaProducer<byte[], byte[]> producer = producer()) {
        // The first copy of the duplicated id is valid; the corpus holds its second copy.
        producer.send(new ProducerRecord<>(topics.samples(), utf8(DUPLICATED_ID), duplicated()));
        valid.add(DUPLICATED_ID);
        for (BadRecord bad : corpus) {
          producer.send(new ProducerRecord<>(topics.samples(), bad.key(), bad.value()));
        }
        for (int i = 0; i < 40; i++) {
          String id = "after-bad-" + i;
          producer.send(new ProducerRecord<>(topics.samples(), utf8(id), SAMPLES.encode(sample(id, 100 + i).build())));
          valid.add(id);
        }
        producer.flush();
      }

      FilterOutputs out = FilterOutputs.read(broker.bootstrapServers(), topics,
          o -> o.deadLetters.size() >= corpus.size() && o.verdictIds().containsAll(valid));
      String seen = out.describe();

      assertEquals(corpus.size(), out.deadLetters.size(), "one dead letter per bad record: " + seen);
      for (BadRecord bad : corpus) {
        List<FilterOutputs.DeadLetterOut> matches = out.deadLetters.stream().filter(d -> d.carries(bad)).toList();
        assertEquals(1, matches.size(), bad.kind() + ": expected exactly one dead letter with its raw key and value: " + seen);
        DeadLetter letter = matches.get(0).letter();
        assertEquals(bad.expected().name(), letter.getErrorClass(), bad.kind() + ": " + letter.getReason());
        for (String part : bad.reasonParts()) {
          assertTrue(letter.getReason().contains(part),
              bad.kind() + ": reason '" + letter.getReason() + "' should say '" + part + "'");
        }
        assertEquals(topics.samples(), letter.getSourceTopic(), bad.kind());
        assertTrue(letter.getSourceOffset() >= 0 && letter.getSourcePartition() >= 0, bad.kind() + ": " + letter);
      }

      Map<String, Long> verdictsPerId = out.verdicts.stream()
          .collect(Collectors.groupingBy(v -> v.getSample().getId(), Collectors.counting()));
      assertEquals(valid.size(), out.verdicts.size(), "one verdict per valid sample and none for bad ones: " + verdictsPerId);
      for (String id : valid) {
        assertEquals(1L, verdictsPerId.getOrDefault(id, 0L), id + " must have exactly one verdict: " + verdictsPerId);
      }
      assertTrue(out.verdicts.stream().allMatch(v -> v.getVictimVersion() == 1L), "scored by victim v1");
      assertTrue(app.health().up(), "the filter must still be running: " + app.health());
      assertHeapFlat(heapBefore);
    }
  }

  /**
   * One broken or forged Victim version: what it is, built from version {@code v}, and what its
   * refusal must say.
   */
  record BadVersion(String kind, VersionForge forge, String... reasonParts) {}

  /** Builds one bad version number {@code v} from the test's victims and directories. */
  @FunctionalInterface
  interface VersionForge {
    ModelVersion make(TestVictims victims, long v) throws Exception;
  }

  /**
   * The corpus. Rows that test the checks behind the signature are signed, as a buggy publisher
   * holding the key would sign them; the forgeries an outsider can make (no key) are the last three.
   */
  private List<BadVersion> versionCorpus() {
    Path elsewhere = workDir.resolve("elsewhere");
    return List.of(
        new BadVersion("checkpoint file missing", (t, v) -> KEY.sign(withUri(t.write(v),
            t.checkpointDir().resolve("gone-v" + v + ".ckpt").toUri().toString())), "cannot be read", "NoSuchFileException"),
        new BadVersion("wrong sha256", (t, v) -> KEY.sign(ModelVersion.newBuilder(t.write(v)).setSha256("0".repeat(64)).build()),
            "refused: its sha256 is", "0".repeat(64)),
        new BadVersion("architecture differs from the checkpoint's",
            (t, v) -> KEY.sign(ModelVersion.newBuilder(t.write(v)).setArchitecture("resnet-1001").build()),
            "holds architecture fmnist-cnn-v1 but the ModelVersion says resnet-1001"),
        new BadVersion("unknown architecture", (t, v) -> KEY.sign(TestVictims.write(new CheckpointStore(t.checkpointDir()), v,
            "resnet-1001", TestVictims.nothingSuspect())), "unknown model architecture 'resnet-1001'"),
        new BadVersion("no split in its checkpoint", (t, v) -> KEY.sign(TestVictims.write(
            new CheckpointStore(t.checkpointDir()), v, TestVictims.ARCHITECTURE.id(), Map.of())), "has no split"),
        new BadVersion("thresholds -1 in the message", (t, v) -> {
          ModelVersion real = TestVictims.write(new CheckpointStore(t.checkpointDir()), v, TestVictims.ARCHITECTURE.id(),
              SplitRule.global(0.0, 1.0, 0.3, TestVictims.ARCHITECTURE.numClasses()).toMetrics());
          return KEY.sign(ModelVersion.newBuilder(real).setMetrics(TestVictims.nothingSuspect()).build());
        }, "metrics disagree with the split in the checkpoint", "split.threshold.0 is -1.0 in the message, 0.3 in the checkpoint"),
        new BadVersion("unsupported URI scheme", (t, v) -> KEY.sign(withUri(t.write(v), "s3://sieve/victim-v" + v + ".ckpt")),
            "unsupported scheme"),
        new BadVersion("checkpoint outside the root", (t, v) -> KEY.sign(TestVictims.write(new CheckpointStore(elsewhere), v,
            TestVictims.ARCHITECTURE.id(), TestVictims.nothingSuspect())), "outside the checkpoint root"),
        new BadVersion("/dev/zero", (t, v) -> KEY.sign(withUri(t.write(v), "file:///dev/zero")), "outside the checkpoint root"),
        new BadVersion("symlink out of the root", (t, v) -> {
          ModelVersion outside = TestVictims.write(new CheckpointStore(elsewhere), v, TestVictims.ARCHITECTURE.id(),
              TestVictims.nothingSuspect());
          Path link = t.checkpointDir().resolve("link-v" + v + ".ckpt");
          Files.createSymbolicLink(link, Path.of(java.net.URI.create(outside.getCheckpointUri())));
          return KEY.sign(withUri(outside, link.toUri().toString()));
        }, "outside the checkpoint root"),
        new BadVersion("'..' in the path", (t, v) -> {
          ModelVersion outside = TestVictims.write(new CheckpointStore(elsewhere), v, TestVictims.ARCHITECTURE.id(),
              TestVictims.nothingSuspect());
          return KEY.sign(withUri(outside, t.checkpointDir() + "/../elsewhere/" + Path.of(
              java.net.URI.create(outside.getCheckpointUri())).getFileName()));
        }, "'..' segment"),
        new BadVersion("a version for another image shape", (t, v) -> KEY.sign(ModelVersion.newBuilder(
            TestVictims.write(new CheckpointStore(t.checkpointDir()), v, "small-cnn-3x32x32-10",
                TestVictims.nothingSuspect())).setDataset(DatasetDescriptor.of(3, 32, 32, 10).toShape()).build()),
            "it is for images of shape 3x32x32, 10 classes", "this reader's data set is 1x28x28, 10 classes"),
        new BadVersion("a colour checkpoint behind a Fashion-MNIST shape", (t, v) -> KEY.sign(TestVictims.write(
            new CheckpointStore(t.checkpointDir()), v, "small-cnn-3x32x32-10", TestVictims.nothingSuspect())),
            "holds architecture small-cnn-3x32x32-10 for 3x32x32, 10 classes", "must agree"),
        new BadVersion("version Long.MAX_VALUE", (t, v) -> KEY.sign(ModelVersion.newBuilder(t.write(v))
            .setVersion(Long.MAX_VALUE).build()), "version " + Long.MAX_VALUE + " jumps", "--max-version-step"),
        new BadVersion("unsigned", (t, v) -> t.write(v), "it is unsigned"),
        new BadVersion("signed with another key", (t, v) -> ModelSigningKey.generate().sign(t.write(v)),
            "not with this process's key " + KEY.id()),
        new BadVersion("a real signature on altered content", (t, v) -> ModelVersion.newBuilder(KEY.sign(t.write(v)))
            .setMetrics(TestVictims.nothingSuspect()).setSha256("1".repeat(64)).build(),
            "does not match its content"));
  }

  @Test
  @Timeout(180)
  void brokenAndForgedVictimVersionsAreRefusedWithTheirReasonAndTheFilterKeepsItsVictim() throws Exception {
    FilterPipelineScenarios s = new FilterPipelineScenarios(broker.bootstrapServers(), workDir, images);
    TopicNames topics = s.topics;
    TestVictims victims = new TestVictims(broker.bootstrapServers(), topics, workDir.resolve("victim"));
    awaitLeaders(topics.samples(), topics.victimModels());
    victims.publish(KEY.sign(victims.write(1)));

    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (FilterApp app = filterOnly(s, meters).start()) {
      awaitTrue("victim v1 installed", () -> app.registry().currentVersion().orElse(0L) == 1L);
      long heapBefore = usedHeapAfterGc();
      long version = 1;
      List<BadVersion> corpus = versionCorpus();
      for (BadVersion bad : corpus) {
        long v = ++version;
        int refusedBefore = app.victimRefusals().size();
        victims.publish(bad.forge().make(victims, v));
        awaitTrue(bad.kind() + " (v" + v + ") refused", () -> app.victimRefusals().size() > refusedBefore);
        List<VictimFollower.Refusal> refusals = app.victimRefusals();
        String reason = refusals.get(refusals.size() - 1).reason();
        for (String part : bad.reasonParts()) {
          assertTrue(reason.contains(part), bad.kind() + ": reason '" + reason + "' should say '" + part + "'");
        }
        assertEquals(Optional.of(1L), app.registry().currentVersion(), bad.kind() + ": the filter must keep v1");
      }
      assertEquals(corpus.size(), app.victimRefusals().size(), "exactly the broken versions are refused: "
          + app.victimRefusals());
      // The five the version, signature and declared-shape checks catch before any file is read; the
      // rest, the checkpoint.
      assertEquals(5.0, meters.counter("sieve.victim.refusals", "reason", "untrusted").count(), app.victimRefusals().toString());
      assertEquals(corpus.size() - 5.0, meters.counter("sieve.victim.refusals", "reason", "unloadable").count());

      List<String> whileBroken = sendValid(topics, "after-broken-", 30, 200);
      FilterOutputs first = FilterOutputs.read(broker.bootstrapServers(), topics, o -> o.verdictIds().containsAll(whileBroken));
      assertEquals(whileBroken.size(), first.verdicts.size(), first.describe());
      assertTrue(first.verdicts.stream().allMatch(v -> v.getVictimVersion() == 1L),
          "samples after the broken versions are scored by v1: " + first.describe());

      // The follower survived every refusal, and none of them moved its version (not even
      // Long.MAX_VALUE): the next good version is installed and used.
      long good = ++version;
      victims.publish(KEY.sign(victims.write(good)));
      awaitTrue("victim v" + good + " installed", () -> app.registry().currentVersion().orElse(0L) == good);
      List<String> afterGood = sendValid(topics, "after-good-", 30, 300);
      FilterOutputs second = FilterOutputs.read(broker.bootstrapServers(), topics, o -> o.verdictIds().containsAll(afterGood));
      List<Verdict> newer = second.verdicts.stream().filter(v -> afterGood.contains(v.getSample().getId())).toList();
      assertEquals(afterGood.size(), newer.size(), second.describe());
      assertTrue(newer.stream().allMatch(v -> v.getVictimVersion() == good), "scored by v" + good + ": " + second.describe());
      assertTrue(second.deadLetters.isEmpty(), "no sample was refused: " + second.describe());
      assertTrue(app.health().up(), "the filter must still be running: " + app.health());
      assertHeapFlat(heapBefore);
    }
  }

  @Test
  @Timeout(120)
  void aForgedVersionPublishedBesideARealOneCannotHideIt() throws Exception {
    FilterPipelineScenarios s = new FilterPipelineScenarios(broker.bootstrapServers(), workDir, images);
    TopicNames topics = s.topics;
    TestVictims victims = new TestVictims(broker.bootstrapServers(), topics, workDir.resolve("victim"));
    awaitLeaders(topics.samples(), topics.victimModels());
    // Before the filter starts, so that the follower reads all three in one poll, newest first:
    // a real v1, a real v2, and an unsigned v1000 naming v2's checkpoint.
    victims.publish(KEY.sign(victims.write(1)));
    ModelVersion second = KEY.sign(victims.write(2));
    victims.publish(second);
    ModelVersion forged = ModelVersion.newBuilder(second).setVersion(1000).setSignature(null).build();
    victims.publish(forged);
    try (FilterApp app = filterOnly(s).start()) {
      awaitTrue("victim v2 installed", () -> app.registry().currentVersion().orElse(0L) == 2L);
      assertTrue(app.victimRefusals().stream().anyMatch(r -> r.version() == 1000 && r.reason().contains("unsigned")),
          "the forgery is refused and named: " + app.victimRefusals());
    }
  }

  private static long usedHeapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** The heap after a GC has not grown by more than {@link #HEAP_GROWTH_BOUND} since {@code before}. */
  private static void assertHeapFlat(long before) {
    long after = usedHeapAfterGc();
    assertTrue(after - before < HEAP_GROWTH_BOUND, "heap after GC grew from " + (before >> 20) + " MiB to "
        + (after >> 20) + " MiB");
  }

  private FilterApp filterOnly(FilterPipelineScenarios s) {
    return filterOnly(s, null);
  }

  /** A filter without the updater, trusting checkpoints under {@code victim/} signed with {@link #KEY}. */
  private FilterApp filterOnly(FilterPipelineScenarios s, MeterRegistry meters) {
    return new FilterApp(broker.bootstrapServers(), s.filterConfig(), workDir.resolve("state"), null,
        SplitPolicies.defaultPolicy(), Map.of(), ModelTrust.within(workDir.resolve("victim")).withSigningKey(Optional.of(KEY)),
        meters, Duration.ofHours(1), 1_000_000);
  }

  private static List<String> sendValid(TopicNames topics, String prefix, int count, int firstImage) {
    List<String> ids = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      for (int i = 0; i < count; i++) {
        String id = prefix + i;
        producer.send(new ProducerRecord<>(topics.samples(), utf8(id), SAMPLES.encode(sample(id, firstImage + i).build())));
        ids.add(id);
      }
      producer.flush();
    }
    return ids;
  }

  // --- building the corpus -------------------------------------------------------------------

  private static BadRecord bad(String kind, String key, byte[] value, ErrorClass expected, String... reasonParts) {
    return new BadRecord(kind, key == null ? null : utf8(key), value, expected, reasonParts);
  }

  private static BadRecord row(String kind, String key, LabeledSample.Builder sample, ErrorClass expected,
      String... reasonParts) {
    return bad(kind, key, SAMPLES.encode(sample.build()), expected, reasonParts);
  }

  /** A Fashion-MNIST test image as a well-formed UINT8 sample. */
  private static LabeledSample.Builder sample(String id, int image) {
    return LabeledSample.newBuilder()
        .setId(id).setSource("bad-input-corpus").setLabel(images.labels()[image])
        .setHeight(28).setWidth(28).setChannels(1).setEncoding(PixelEncoding.UINT8)
        .setPixels(ByteBuffer.wrap(images.images()[image].clone()))
        .setEventTime(Instant.now()).setMetadata(Map.of());
  }

  /** The image as FLOAT32_LE in [0, 1], with value #{@code at} replaced by {@code value}. */
  private static LabeledSample.Builder floats(String id, int image, int at, float value) {
    byte[] gray = images.images()[image];
    ByteBuffer pixels = ByteBuffer.allocate(gray.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < gray.length; i++) {
      pixels.putFloat(i == at ? value : (gray[i] & 0xff) / 255f);
    }
    pixels.flip();
    return sample(id, image).setEncoding(PixelEncoding.FLOAT32_LE).setPixels(pixels);
  }

  /** Bytes 2..9 of single-object encoding are the writer schema's fingerprint: flip them. */
  private static byte[] wrongFingerprint(LabeledSample sample) {
    byte[] bytes = SAMPLES.encode(sample);
    for (int i = 2; i < 10; i++) {
      bytes[i] ^= (byte) 0x5a;
    }
    return bytes;
  }

  private static byte[] duplicatedBytes;

  /** The same bytes every time: a resend of one sample. */
  private static synchronized byte[] duplicated() {
    if (duplicatedBytes == null) {
      duplicatedBytes = SAMPLES.encode(sample(DUPLICATED_ID, 14).setEventTime(Instant.EPOCH).build());
    }
    return duplicatedBytes;
  }

  private static ModelVersion withUri(ModelVersion v, String uri) {
    return ModelVersion.newBuilder(v).setCheckpointUri(uri).build();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // --- Kafka chores --------------------------------------------------------------------------

  private static KafkaProducer<byte[], byte[]> producer() {
    Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * createTopics returns before the new partitions have a leader; an idempotent producer writing at
   * once can then retry its first batch for ever. ListOffsets is answered by the leader only, and
   * Admin retries it until there is one.
   */
  private static void awaitLeaders(String... topics) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      admin.describeTopics(List.of(topics)).allTopicNames().get().forEach((topic, description) ->
          description.partitions().forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
      admin.listOffsets(request).all().get();
    }
  }

  private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + TIMEOUT.toSeconds() + " s waiting for " + what);
      }
      Thread.sleep(20);
    }
  }
}
