package dev.sieve.loadtest.produce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.attack.PoisonedTrainingSet;
import dev.sieve.attack.zoo.Zoo;
import dev.sieve.attack.zoo.ZooComponent;
import dev.sieve.attack.zoo.ZooDraw;
import dev.sieve.data.FashionMnist;
import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.Headers;
import dev.sieve.wire.TopicCatalog;
import dev.sieve.wire.TopicNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A zoo draw of two attacks streamed through the load producer onto a real broker, from the
 * middle of the training set as the zoo's report runs do: every record is the sample the draw's
 * poisoned training set holds, with its own image's id, and the ground truth header marks
 * exactly the poisoned ones, each component's share as the draw says.
 */
@Timeout(120)
class ZooStreamIT {

  private static final int SAMPLES = 2000;

  @Test
  void aTwoAttackDrawStreamsFromTheMiddleOfTheTrainingSetWithItsGroundTruth() throws Exception {
    FashionMnist.Split train = trainingData();
    int first = train.size() / 2;
    ZooDraw draw = new Zoo(21).draws(50).stream().filter(d -> d.components().size() == 2).findFirst().orElseThrow();
    TopicNames topics = new TopicNames("zoo-it.");
    String bootstrap = EmbeddedKafkaBroker.shared().bootstrapServers();
    TopicCatalog.ensureTopics(bootstrap, Map.of(), topics, 2);
    ProducerConfig config = ProducerConfig.defaults(bootstrap, topics).withAttack(draw.spec())
        .withFirstImage(first).withLimit(SAMPLES).withShuffle(true);

    ProduceReport report = new SampleProducer(config).produce(train, n -> { });

    PoisonedTrainingSet truth = config.trainingSet(train);
    Map<String, ConsumerRecord<byte[], byte[]>> records = readAll(bootstrap, topics.samples());
    assertEquals(SAMPLES, report.sent());
    assertEquals(SAMPLES, records.size(), "one record per sample, ids unique");
    assertEquals(truth.poisonedCount(), report.poisoned());
    int[] perComponent = new int[2];
    int headerPoisoned = 0;
    for (int position = 0; position < SAMPLES; position++) {
      String id = PoisonedTrainingSet.sampleId(first + position);
      ConsumerRecord<byte[], byte[]> record = records.get(id);
      assertTrue(record != null, id + " was not sent");
      LabeledSample sample = AvroSerde.labeledSample().decode(record.value());
      String header = new String(record.headers().lastHeader(Headers.GROUND_TRUTH).value(), StandardCharsets.UTF_8);
      assertEquals(truth.isPoisoned(position) ? Headers.TRUTH_POISONED : Headers.TRUTH_CLEAN, header, id);
      assertEquals(truth.label(position), sample.getLabel(), id);
      assertArrayEquals(truth.image(position), bytes(sample.getPixels()), id);
      int k = truth.componentOf(position);
      if (k >= 0) {
        headerPoisoned++;
        perComponent[k]++;
        assertEquals(draw.components().get(k).attack().targetLabel(), sample.getLabel(), id);
        assertNotEquals(train.labels()[first + position], sample.getLabel(), id + " kept its true label");
      } else {
        assertArrayEquals(train.images()[first + position], bytes(sample.getPixels()), id);
      }
    }
    assertEquals(report.poisoned(), headerPoisoned);
    for (int k = 0; k < 2; k++) {
      ZooComponent c = draw.components().get(k);
      assertEquals(Math.round(c.rate() * SAMPLES), perComponent[k], c.description());
    }
  }

  /** Fashion-MNIST when installed, otherwise synthetic images: this test is about the stream. */
  private static FashionMnist.Split trainingData() throws IOException {
    Path dir = FashionMnist.resolveDir(null);
    if (Files.isDirectory(dir)) {
      return FashionMnist.loadTrain(dir);
    }
    int n = 2 * SAMPLES;
    byte[][] images = new byte[n][784];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      for (int p = 0; p < 784; p++) {
        images[i][p] = (byte) ((i * 31 + p * 7) % 200 + 20);
      }
      labels[i] = i % 10;
    }
    return new FashionMnist.Split("synthetic", images, labels, 28, 28);
  }

  private static Map<String, ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "zoo-it-reader");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    Map<String, ConsumerRecord<byte[], byte[]>> byId = new HashMap<>();
    int total = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (total < SAMPLES && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          byId.put(new String(r.key(), StandardCharsets.UTF_8), r);
          total++;
        }
      }
    }
    assertEquals(SAMPLES, total, "records on " + topic);
    return byId;
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
