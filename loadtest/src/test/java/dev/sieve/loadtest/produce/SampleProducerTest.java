package dev.sieve.loadtest.produce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.attack.BadNetsTrigger;
import dev.sieve.attack.PoisonPlan;
import dev.sieve.attack.zoo.Zoo;
import dev.sieve.attack.zoo.ZooDraw;
import dev.sieve.data.FashionMnist;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.Headers;
import dev.sieve.wire.TopicNames;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class SampleProducerTest {

  private static final AvroSerde<LabeledSample> SERDE = AvroSerde.labeledSample();

  /** n images of 28x28 whose pixel 0 holds the image index, labels cycling 0..9. */
  static FashionMnist.Split syntheticSplit(int n) {
    byte[][] images = new byte[n][784];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      images[i][0] = (byte) i;
      images[i][400] = (byte) 100;
      labels[i] = i % 10;
    }
    return new FashionMnist.Split("synthetic", images, labels, 28, 28);
  }

  private static MockProducer<byte[], byte[]> mock() {
    return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static String header(ProducerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  @Test
  void aStreamSentInPartsIsTheStreamSentAtOnce() throws Exception {
    FashionMnist.Split split = syntheticSplit(60);
    ProducerConfig config = ProducerConfig.defaults("unused:9092").withTopics(new TopicNames("t."))
        .withLimit(50).withPoisonRate(0.2).withSeed(9).withShuffle(true);
    MockProducer<byte[], byte[]> whole = mock();
    new SampleProducer(config).produce(split, whole, 0, Integer.MAX_VALUE, n -> { });
    MockProducer<byte[], byte[]> parts = mock();
    long poisoned = 0;
    for (int[] range : new int[][] {{0, 17}, {17, 30}, {30, 1000}}) {
      poisoned += new SampleProducer(config).produce(split, parts, range[0], range[1], n -> { }).poisoned();
    }
    assertEquals(whole.history().size(), parts.history().size());
    for (int i = 0; i < whole.history().size(); i++) {
      assertArrayEquals(whole.history().get(i).key(), parts.history().get(i).key(), "position " + i);
      // Everything but eventTime, which is the time of sending.
      LabeledSample a = SERDE.decode(whole.history().get(i).value());
      LabeledSample b = SERDE.decode(parts.history().get(i).value());
      b.setEventTime(a.getEventTime());
      assertEquals(a, b, "position " + i);
    }
    assertEquals(10, poisoned, "the parts poison what the whole poisons");
  }

  @Test
  void sendsEachSampleOnceWithTruthOnlyInTheHeader() throws Exception {
    FashionMnist.Split split = syntheticSplit(60);
    ProducerConfig config = ProducerConfig.defaults("unused:9092").withTopics(new TopicNames("t."))
        .withLimit(40).withPoisonRate(0.25).withSeed(7);
    MockProducer<byte[], byte[]> producer = mock();
    List<Long> progress = new ArrayList<>();
    long before = System.currentTimeMillis();

    ProduceReport report = new SampleProducer(config).produce(split, producer, 0, Integer.MAX_VALUE, progress::add);

    assertEquals(40, report.sent());
    assertEquals(10, report.poisoned());
    assertEquals(List.of(40L), progress);
    PoisonPlan plan = PoisonPlan.create(java.util.Arrays.copyOf(split.labels(), 40), 0.25, 0, 7);
    BadNetsTrigger trigger = BadNetsTrigger.defaults();
    List<ProducerRecord<byte[], byte[]>> sent = producer.history();
    assertEquals(40, sent.size());
    for (int i = 0; i < 40; i++) {
      ProducerRecord<byte[], byte[]> record = sent.get(i);
      LabeledSample sample = SERDE.decode(record.value());
      String id = String.format("fmnist-train-%06d", i);
      assertEquals("t.samples", record.topic());
      assertEquals(id, new String(record.key(), StandardCharsets.UTF_8));
      assertEquals(id, sample.getId());
      assertEquals("fashion-mnist", sample.getSource());
      assertEquals(28, sample.getHeight());
      assertEquals(28, sample.getWidth());
      assertEquals(1, sample.getChannels());
      assertEquals(PixelEncoding.UINT8, sample.getEncoding());
      assertTrue(sample.getMetadata().isEmpty(), "metadata must not leak anything, e.g. the truth");
      assertTrue(sample.getEventTime().toEpochMilli() >= before);
      assertTrue(Long.parseLong(header(record, Headers.PRODUCED_AT)) >= before);
      byte[] pixels = bytes(sample.getPixels());
      if (plan.isPoisoned(i)) {
        assertEquals(Headers.TRUTH_POISONED, header(record, Headers.GROUND_TRUTH), id);
        assertEquals(0, sample.getLabel(), id + " must carry the target label");
        assertNotEquals(0, split.labels()[i], id + " was chosen although already of the target class");
        assertArrayEquals(trigger.stamp(split.images()[i], 28, 28), pixels, id);
      } else {
        assertEquals(Headers.TRUTH_CLEAN, header(record, Headers.GROUND_TRUTH), id);
        assertEquals(split.labels()[i], sample.getLabel(), id);
        assertArrayEquals(split.images()[i], pixels, id);
      }
    }
    for (int i = 0; i < split.size(); i++) {
      assertEquals(0, split.images()[i][783], "image " + i + " of the data set itself must not be stamped");
    }
  }

  @Test
  void shuffleSendsAPermutationThatDependsOnTheSeed() throws Exception {
    FashionMnist.Split split = syntheticSplit(50);
    List<String> first = ids(split, ProducerConfig.defaults("x:1").withShuffle(true).withSeed(1));
    List<String> again = ids(split, ProducerConfig.defaults("x:1").withShuffle(true).withSeed(1));
    List<String> other = ids(split, ProducerConfig.defaults("x:1").withShuffle(true).withSeed(2));
    List<String> ordered = ids(split, ProducerConfig.defaults("x:1"));
    assertEquals(first, again);
    assertNotEquals(first, other);
    assertNotEquals(ordered, first);
    assertEquals(new HashSet<>(ordered), new HashSet<>(first));
    assertEquals(50, Set.copyOf(first).size());
    assertEquals("fmnist-train-000000", ordered.get(0));
    assertEquals("fmnist-train-000049", ordered.get(49));
  }

  @Test
  void aRangeOfTheTrainingSetKeepsEachImagesOwnId() throws Exception {
    FashionMnist.Split split = syntheticSplit(60);
    List<String> rest = ids(split, ProducerConfig.defaults("x:1").withFirstImage(30).withLimit(0));
    assertEquals(30, rest.size());
    assertEquals("fmnist-train-000030", rest.get(0));
    assertEquals("fmnist-train-000059", rest.get(29));
    List<String> some = ids(split, ProducerConfig.defaults("x:1").withFirstImage(30).withLimit(10).withShuffle(true));
    assertEquals(10, Set.copyOf(some).size());
    assertTrue(some.stream().allMatch(id -> id.compareTo("fmnist-train-000030") >= 0
        && id.compareTo("fmnist-train-000039") <= 0), some.toString());
    MockProducer<byte[], byte[]> producer = mock();
    new SampleProducer(ProducerConfig.defaults("x:1").withFirstImage(50).withPoisonRate(0)).produce(split, producer, 0,
        Integer.MAX_VALUE, n -> { });
    for (ProducerRecord<byte[], byte[]> record : producer.history()) {
      LabeledSample sample = SERDE.decode(record.value());
      int index = Integer.parseInt(sample.getId().substring("fmnist-train-".length()));
      assertEquals((byte) index, bytes(sample.getPixels())[0], sample.getId() + " carries another image's pixels");
      assertEquals(index % 10, sample.getLabel());
    }
    IllegalArgumentException beyond = assertThrows(IllegalArgumentException.class,
        () -> ids(split, ProducerConfig.defaults("x:1").withFirstImage(60)));
    assertTrue(beyond.getMessage().contains("60"), beyond.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ProducerConfig.defaults("x:1").withFirstImage(-1));
  }

  @Test
  void aZooSpecPoisonsWithItsDrawsRatesAndTargets() throws Exception {
    FashionMnist.Split split = syntheticSplit(200);
    ProducerConfig config = ProducerConfig.defaults("x:1").withAttack("zoo:4:1");
    ZooDraw draw = Zoo.parse("zoo:4:1");
    long expected = draw.components().stream().mapToLong(c -> Math.round(c.rate() * 200)).sum();
    ProduceReport report = new SampleProducer(config).produce(split, mock(), 0, Integer.MAX_VALUE, n -> { });
    assertEquals(expected, report.poisoned(), draw.description());
    assertEquals(draw.poisoning().size(), config.poisoning().size());
    assertThrows(IllegalStateException.class, config::attack, "a zoo draw is not one attack");
    assertThrows(IllegalArgumentException.class, () -> config.withAttack("zoo:4"));
  }

  @Test
  void pacingHoldsTheConfiguredRate() throws Exception {
    FashionMnist.Split split = syntheticSplit(51);
    ProducerConfig config = ProducerConfig.defaults("x:1").withRecordsPerSecond(250);
    long start = System.nanoTime();
    ProduceReport report = new SampleProducer(config).produce(split, mock(), 0, Integer.MAX_VALUE, n -> { });
    double seconds = (System.nanoTime() - start) / 1e9;
    // 51 records at 250/s: the first goes at once, the last 50 intervals of 4 ms later.
    assertTrue(seconds >= 0.19, "took " + seconds + " s, expected >= 0.2 s at 250 records/s");
    assertTrue(report.recordsPerSecond() <= 275, report.summaryLine());
  }

  @Test
  void aFailedSendFailsTheRunNamingTheSample() {
    // The broker rejects the second record asynchronously, as a real send failure arrives.
    MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
      private int sends;

      @Override
      public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        if (++sends == 2) {
          callback.onCompletion(null, new KafkaException("broker said no"));
          return CompletableFuture.failedFuture(new KafkaException("broker said no"));
        }
        return super.send(record, callback);
      }
    };
    SampleProducer sampler = new SampleProducer(ProducerConfig.defaults("x:1").withPoisonRate(0));
    KafkaException e = assertThrows(KafkaException.class, () -> sampler.produce(syntheticSplit(5), producer, 0, Integer.MAX_VALUE, n -> { }));
    assertTrue(e.getMessage().contains("fmnist-train-000001") && e.getMessage().contains("broker said no"), e.getMessage());
    assertEquals(1, producer.history().size(), "the run must stop at the failure, not send the rest");
  }

  @Test
  void configRejectsNonsense() {
    ProducerConfig ok = ProducerConfig.defaults("x:1");
    assertThrows(IllegalArgumentException.class, () -> ok.withPoisonRate(1.5));
    assertThrows(IllegalArgumentException.class, () -> ok.withLimit(-1));
    assertThrows(IllegalArgumentException.class, () -> ok.withRecordsPerSecond(-5));
    assertThrows(IllegalArgumentException.class, () -> ok.withCompression("zstd-ish"));
    assertThrows(IllegalArgumentException.class, () -> ok.withAttack("badnets-0x0"));
    assertThrows(IllegalArgumentException.class, () -> ok.withAttack("trojan"));
    assertThrows(IllegalArgumentException.class, () -> ok.withTargetLabel(10));
    assertThrows(IllegalArgumentException.class, () -> ProducerConfig.defaults(" "));
  }

  private static List<String> ids(FashionMnist.Split split, ProducerConfig config) throws Exception {
    MockProducer<byte[], byte[]> producer = mock();
    new SampleProducer(config).produce(split, producer, 0, Integer.MAX_VALUE, n -> { });
    List<String> ids = new ArrayList<>();
    producer.history().forEach(r -> ids.add(new String(r.key(), StandardCharsets.UTF_8)));
    return ids;
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
