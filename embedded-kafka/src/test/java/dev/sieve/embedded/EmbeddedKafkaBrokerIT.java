package dev.sieve.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerIT {

  @Test
  void transactionalProduceIsVisibleOnlyOnceCommittedAndAbortedDataStaysHidden() throws Exception {
    Path dataDir;
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      dataDir = broker.dataDir();
      assertTrue(broker.bootstrapServers().startsWith("127.0.0.1:"), broker.bootstrapServers());
      try (Socket socket = new Socket("127.0.0.1", broker.port())) {
        assertTrue(socket.isConnected(), "broker must accept TCP connections on its port");
      }

      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic("events", Optional.of(2), Optional.empty()))).all().get();
        // createTopics returns once the controller has committed the topic; the broker's metadata
        // cache, which listTopics reads, can lag it by a moment (seen once in a full CI run).
        Set<String> names = admin.listTopics().names().get();
        long deadline = System.currentTimeMillis() + 10_000;
        while (names.isEmpty() && System.currentTimeMillis() < deadline) {
          Thread.sleep(100);
          names = admin.listTopics().names().get();
        }
        assertEquals(Set.of("events"), names);
        // auto.create.topics.enable=false: asking for an unknown topic must not create it.
        ExecutionException missing = assertThrows(ExecutionException.class,
            () -> admin.describeTopics(List.of("nope")).allTopicNames().get());
        assertTrue(missing.getCause() instanceof UnknownTopicOrPartitionException, missing.toString());
      }

      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "embedded-test-tx");
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>("events", "a", "aborted-1"));
        producer.abortTransaction();
        producer.beginTransaction();
        for (int i = 0; i < 10; i++) {
          producer.send(new ProducerRecord<>("events", "k" + i, "committed-" + i));
        }
        producer.commitTransaction();
      }

      Properties c = new Properties();
      c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      c.put(ConsumerConfig.GROUP_ID_CONFIG, "embedded-test");
      c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      List<String> values = new ArrayList<>();
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
        consumer.subscribe(List.of("events"));
        long deadline = System.currentTimeMillis() + 30_000;
        while (values.size() < 10 && System.currentTimeMillis() < deadline) {
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
            values.add(r.value());
          }
        }
        // One more poll: an aborted record, were it visible, would arrive by now.
        consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
      }
      assertEquals(10, values.size(), "committed records seen: " + values);
      assertFalse(values.contains("aborted-1"), "read_committed must hide the aborted record");
      for (int i = 0; i < 10; i++) {
        assertTrue(values.contains("committed-" + i), "missing committed-" + i + " in " + values);
      }
    }
    assertFalse(Files.exists(dataDir), "close() must delete the temporary data dir " + dataDir);
  }

  @Test
  void givenDataDirIsKeptAndCanBeRestarted(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("kafka");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(data, 0);
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get();
    }
    assertTrue(Files.isDirectory(data.resolve("logs")), "a caller-given data dir must survive close()");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(data, 0);
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      assertTrue(admin.listTopics().names().get().contains("kept"), "topic must survive a restart on the same data dir");
    }
  }
}
