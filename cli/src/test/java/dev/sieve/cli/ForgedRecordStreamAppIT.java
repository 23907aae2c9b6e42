package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.data.FashionMnist;
import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.eval.metrics.DetectionReport;
import dev.sieve.eval.metrics.VerdictEvaluator;
import dev.sieve.loadtest.produce.ProducerConfig;
import dev.sieve.loadtest.produce.SampleProducer;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.ForgedRecords;
import dev.sieve.wire.TopicCatalog;
import dev.sieve.wire.TopicNames;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trust boundary from outside: a {@code sieve stream} JVM with a 512 MB heap that exits on
 * OutOfMemoryError (as the Kubernetes overlay runs it), on a cluster that requires SASL/SCRAM and
 * with a model-signing key, gets real samples, then records of a few dozen bytes whose Avro length
 * prefixes claim 2 GB, then real samples again. Every forged record is dead-lettered, every sample
 * gets exactly one verdict (N in, N out), the JVM is still alive, and nothing it printed holds the
 * cluster password or the signing key.
 */
class ForgedRecordStreamAppIT {

  private static final String USER = "sieve";
  private static final String PASSWORD = "forged-test-pw-7f3a";
  private static final String SIGNING_KEY = "forged-test-signing-key-0123456789abcdef";
  private static final int BEFORE = 400;
  private static final int AFTER = 200;
  private static final int FORGED_COPIES = 5;

  private static EmbeddedKafkaBroker broker;

  @TempDir
  Path work;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafkaBroker.startWithScram(USER, PASSWORD);
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  @Timeout(300)
  void forgedLengthsAreDeadLetteredAndAStreamAppUnderA512MbHeapKeepsScoringWithoutPrintingSecrets() throws Exception {
    String bootstrap = broker.bootstrapServers();
    Map<String, String> login = broker.clientSecurity();
    TopicNames topics = new TopicNames("forged-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    Map<String, Object> admin = new HashMap<>(login);
    admin.put("bootstrap.servers", bootstrap);
    try (Admin client = Admin.create(admin)) {
      TopicCatalog.ensureTopics(client, topics, 2);
    }
    Path clientConfig = work.resolve("client.properties");
    StringBuilder properties = new StringBuilder();
    login.forEach((k, v) -> properties.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
    Files.writeString(clientConfig, properties, StandardCharsets.UTF_8);
    Path keyFile = work.resolve("model-signing.key");
    Files.writeString(keyFile, SIGNING_KEY + "\n", StandardCharsets.UTF_8);

    FashionMnist.Split train = FashionMnist.loadTrain(FashionMnist.resolveDir(null));
    SieveProcess stream = SieveProcess.start(List.of("-Xmx512m", "-XX:+ExitOnOutOfMemoryError"), List.of("stream",
        "--bootstrap-servers", bootstrap,
        "--topic-prefix", topics.prefix(),
        "--client-config", clientConfig.toString(),
        "--model-signing-key-file", keyFile.toString(),
        "--application-id", "sieve-forged-" + topics.prefix().replace(".", ""),
        "--state-dir", work.resolve("state").toString(),
        "--checkpoint-dir", work.resolve("victim").toString(),
        "--warmup-samples", "300",
        "--retrain-every", "1000000",
        "--no-metrics"), work.resolve("stream.log"));
    try {
      long before = new SampleProducer(ProducerConfig.defaults(bootstrap).withTopics(topics).withLimit(BEFORE)
          .withPoisonRate(0.0).withSeed(3).withClientOverrides(login)).produce(train, n -> { }).sent();
      int forged = sendForged(bootstrap, login, topics);
      long after = sendAfter(bootstrap, login, topics, train);
      long samples = before + after;
      DetectionReport report = new VerdictEvaluator(bootstrap, topics).withClientOverrides(login)
          .withSettle(Duration.ofSeconds(2)).evaluate(samples + forged, Duration.ofMinutes(3), n -> { });
      System.out.println("ForgedRecordStreamAppIT: " + report.summaryLine());
      assertTrue(report.complete(), "not every record was decided: " + report.summaryLine());
      assertEquals(samples, report.credible() + report.quarantined(), "N samples in, N verdicts out: " + report.summaryLine());
      assertEquals(forged, report.deadLetters(), "every forged record dead-lettered: " + report.summaryLine());
      assertEquals(0, report.duplicates(), report.summaryLine());
      assertTrue(stream.process.isAlive(), "the stream app must still run after the forged records");

      String printed = stream.output();
      assertTrue(printed.contains("declares " + ForgedRecords.FORGED_LENGTH), "the dead-letter reasons are logged");
      assertFalse(printed.contains(PASSWORD), "the cluster password was printed");
      assertFalse(printed.contains(SIGNING_KEY), "the model-signing key was printed");
    } catch (AssertionError | Exception e) {
      System.out.println(stream.tail(80));
      throw e;
    } finally {
      stream.kill();
    }
  }

  /** Training images after the first {@link #BEFORE}, under ids of their own, once the forged records are in. */
  private static long sendAfter(String bootstrap, Map<String, String> login, TopicNames topics, FashionMnist.Split train) {
    AvroSerde<LabeledSample> serde = AvroSerde.labeledSample();
    try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap, login)) {
      for (int i = 0; i < AFTER; i++) {
        int image = BEFORE + i;
        String id = "after-forged-" + i;
        LabeledSample sample = LabeledSample.newBuilder().setId(id).setSource("forged-test").setLabel(train.labels()[image])
            .setHeight(28).setWidth(28).setChannels(1).setEncoding(PixelEncoding.UINT8)
            .setPixels(ByteBuffer.wrap(train.images()[image].clone())).setEventTime(Instant.now()).setMetadata(Map.of())
            .build();
        producer.send(new ProducerRecord<>(topics.samples(), id.getBytes(StandardCharsets.UTF_8), serde.encode(sample)));
      }
      producer.flush();
    }
    return AFTER;
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap, Map<String, String> login) {
    Map<String, Object> config = new HashMap<>(login);
    config.put("bootstrap.servers", bootstrap);
    return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static int sendForged(String bootstrap, Map<String, String> login, TopicNames topics) {
    int sent = 0;
    try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap, login)) {
      for (int i = 0; i < FORGED_COPIES; i++) {
        String[] ids = {"forged-pixels-" + i, "forged-id-" + i, "forged-map-" + i};
        byte[][] values = {ForgedRecords.forgedPixelsLength(ids[0]), ForgedRecords.forgedIdLength(),
            ForgedRecords.forgedMetadataCount(ids[2])};
        for (int k = 0; k < ids.length; k++) {
          producer.send(new ProducerRecord<>(topics.samples(), ids[k].getBytes(StandardCharsets.UTF_8), values[k]));
          sent++;
        }
      }
      producer.flush();
    }
    return sent;
  }
}
