package dev.sieve.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.TopicCatalog;
import dev.sieve.wire.TopicNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Beneficiary on a broker that requires SASL/SCRAM: with the credentials in its config, all
 * three of its clients log in (the verdict consumer, the Victim follower and the clean-models
 * publisher).
 */
class SecuredTrainerIT {

  @TempDir Path checkpoints;
  @TempDir Path victimCheckpoints;

  @Test
  @Timeout(90)
  void trainsFollowsTheVictimAndPublishesOverSasl() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startWithScram("trainer", "trainer-secret")) {
      Map<String, String> login = broker.clientSecurity();
      TopicNames topics = new TopicNames("secured.");
      try (Admin admin = Admin.create(clientConfig(broker))) {
        TopicCatalog.ensureTopics(admin, topics, 1);
      }
      VictimVersions.publish(broker.bootstrapServers(), login, topics, victimCheckpoints, 1,
          VictimVersions.nothingSuspect());
      produce(broker, topics.credible(), TestData.samples("sasl", 0, 200).stream().map(TestData::credible).toList());

      BeneficiaryConfig config = BeneficiaryConfig.defaults(broker.bootstrapServers(), checkpoints)
          .withTopics(topics)
          .withGroupId("beneficiary-secured")
          .withBatchSize(32)
          .withMaxBatchWait(Duration.ofMillis(200))
          .withWindowSize(2000)
          .withCheckpointEverySteps(1000)
          .withClientOverrides(login)
          .withModelTrust(VictimVersions.trust(victimCheckpoints));
      assertFalse(config.toString().contains("trainer-secret"), "the config record must not print the password: " + config);
      TrainingSummary summary;
      try (BeneficiaryTrainer trainer = new BeneficiaryTrainer(config)) {
        summary = trainer.runUntilIdle(Duration.ofMillis(1500), 0);
      }

      assertEquals(200, summary.samplesSeen(), "the verdict consumer read every credible sample");
      assertEquals(1, summary.victimVersion(), "the Victim follower read victim v1");
      List<ModelVersion> published = cleanModels(broker, topics);
      assertTrue(!published.isEmpty(), "the publisher announced the final checkpoint");
      assertEquals(summary.version(), published.get(published.size() - 1).getVersion());
    }
  }

  private static Map<String, Object> clientConfig(EmbeddedKafkaBroker broker) {
    Map<String, Object> config = new HashMap<>(broker.clientSecurity());
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    return config;
  }

  private static void produce(EmbeddedKafkaBroker broker, String topic, List<Verdict> verdicts) throws Exception {
    AvroSerde<Verdict> serde = AvroSerde.verdict();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(clientConfig(broker), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      for (Verdict v : verdicts) {
        producer.send(new ProducerRecord<>(topic, v.getSample().getId().getBytes(StandardCharsets.UTF_8),
            serde.encode(v))).get();
      }
    }
  }

  private static List<ModelVersion> cleanModels(EmbeddedKafkaBroker broker, TopicNames topics) {
    AvroSerde<ModelVersion> serde = AvroSerde.modelVersion();
    TopicPartition partition = new TopicPartition(topics.cleanModels(), 0);
    List<ModelVersion> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(clientConfig(broker),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(10)).get(partition);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (consumer.position(partition) < end && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(serde.decode(r.value())));
      }
    }
    return out;
  }
}
