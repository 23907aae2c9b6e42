package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.wire.TopicCatalog;
import dev.sieve.wire.TopicNames;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sieve broker} in its own JVM: it says where it is, has created the Sieve topics, takes a
 * record and gives it back, stops cleanly on SIGTERM, and a second start on the same data
 * directory still has the record.
 */
class BrokerCommandIT {

  /** A JVM that ran its shutdown hooks after SIGTERM exits with 128 + 15. */
  private static final int SIGTERM_EXIT = 143;
  /** Hang guards only: every wait below ends on an event. */
  private static final Duration START = Duration.ofMinutes(3);
  private static final Duration CLIENT = Duration.ofMinutes(1);

  @TempDir Path work;

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES) // a hang guard
  void runsUntilSigtermWithTheSieveTopicsAndKeepsItsDataForTheNextStart() throws Exception {
    int port = freePort();
    String bootstrap = "127.0.0.1:" + port;
    TopicNames topics = new TopicNames("brokerit.");
    Path data = work.resolve("broker-data");
    List<String> args = List.of("broker", "--port", Integer.toString(port), "--data-dir", data.toString(),
        "--topic-prefix", topics.prefix(), "--partitions", "2");

    SieveProcess first = SieveProcess.start(List.of("-Xmx512m"), args, work.resolve("broker-1.log"));
    try {
      String ready = first.awaitLine("sieve broker: Kafka at", START);
      assertTrue(ready.contains(bootstrap), ready);
      String printed = first.awaitLine("or export SIEVE_BOOTSTRAP_SERVERS=", START);
      String output = first.output();
      for (String command : List.of("stream", "train", "produce", "ui")) {
        assertTrue(output.contains("./sieve " + command), "no example of " + command + ":\n" + output);
      }
      assertTrue(output.contains("--bootstrap-servers " + bootstrap + " --topic-prefix " + topics.prefix()), output);
      assertTrue(output.contains("no security"), output);
      assertTrue(printed.contains(bootstrap), printed);

      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        Set<String> present = admin.listTopics().names().get(CLIENT.toSeconds(), TimeUnit.SECONDS);
        for (NewTopic wanted : TopicCatalog.topics(topics, 2)) {
          assertTrue(present.contains(wanted.name()), "sieve broker did not create " + wanted.name() + ": " + present);
        }
      }
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
          new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>(topics.samples(), 0, "k", "hello broker"))
            .get(CLIENT.toSeconds(), TimeUnit.SECONDS);
      }
      assertEquals("hello broker", readOne(bootstrap, topics.samples()));

      assertEquals(SIGTERM_EXIT, first.terminate(), first.tail(40));
      assertTrue(first.output().contains("sieve broker: stopped"), first.tail(40));
    } finally {
      first.kill();
    }

    // The same port and data directory: the topic and its record are still there.
    SieveProcess second = SieveProcess.start(List.of("-Xmx512m"), args, work.resolve("broker-2.log"));
    try {
      second.awaitLine("or export SIEVE_BOOTSTRAP_SERVERS=", START);
      assertEquals("hello broker", readOne(bootstrap, topics.samples()));
      assertEquals(SIGTERM_EXIT, second.terminate(), second.tail(40));
    } finally {
      second.kill();
    }
  }

  /** The first record of partition 0 of {@code topic}, polled until it comes. */
  private static String readOne(String bootstrap, String topic) {
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringDeserializer(), new StringDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + CLIENT.toNanos();
      List<String> values = new ArrayList<>();
      while (values.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          values.add(record.value());
        }
      }
      assertEquals(1, values.size(), "records read from " + topic + ": " + values);
      return values.get(0);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }
}
