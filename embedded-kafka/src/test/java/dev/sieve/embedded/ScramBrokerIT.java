package dev.sieve.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The SASL/SCRAM-SHA-512 broker: the right credentials work, wrong or missing ones are refused. */
class ScramBrokerIT {

  private static final String USER = "sieve";
  private static final String PASSWORD = "sieve-secret";
  private static final String TOPIC = "secured";

  private static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedKafkaBroker.startWithScram(USER, PASSWORD);
    try (Admin admin = Admin.create(clientConfig(broker.clientSecurity()))) {
      admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void clientSecurityNamesTheScramLogin() {
    Map<String, String> security = broker.clientSecurity();
    assertEquals("SASL_PLAINTEXT", security.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG));
    assertEquals("SCRAM-SHA-512", security.get("sasl.mechanism"));
    String jaas = security.get("sasl.jaas.config");
    assertTrue(jaas.startsWith("org.apache.kafka.common.security.scram.ScramLoginModule required"), jaas);
    assertTrue(jaas.contains("username=\"" + USER + "\""), jaas);
  }

  @Test
  @Timeout(60)
  void producerAndConsumerWithTheCredentialsRoundTripRecords() {
    Map<String, Object> producerConfig = clientConfig(broker.clientSecurity());
    producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
      for (int i = 0; i < 5; i++) {
        producer.send(new ProducerRecord<>(TOPIC, "k" + i, "v" + i));
      }
      producer.flush();
    }

    Map<String, Object> consumerConfig = clientConfig(broker.clientSecurity());
    consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "scram-round-trip");
    consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
      consumer.subscribe(List.of(TOPIC));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < 5 && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
      }
    }
    assertEquals(List.of("v0", "v1", "v2", "v3", "v4"), values);
  }

  @Test
  @Timeout(30)
  void aWrongPasswordIsRefusedWithAnAuthenticationError() {
    Map<String, Object> config = clientConfig(EmbeddedKafkaBroker.scramClientSecurity(USER, "not-the-password"));
    try (Admin admin = Admin.create(config)) {
      ExecutionException e = assertThrows(ExecutionException.class, () -> admin.listTopics().names().get());
      SaslAuthenticationException refused = assertInstanceOf(SaslAuthenticationException.class, e.getCause());
      assertTrue(refused.getMessage().contains("Authentication failed"), refused.getMessage());
    }

    Map<String, Object> consumerConfig = clientConfig(EmbeddedKafkaBroker.scramClientSecurity("nobody", PASSWORD));
    consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
      assertThrows(SaslAuthenticationException.class, () -> consumer.partitionsFor(TOPIC, Duration.ofSeconds(10)),
          "an unknown user must be refused, not answered");
    }
  }

  @Test
  @Timeout(30)
  void aClientWithoutSaslGetsNothingAndGivesUpInBoundedTime() {
    // A PLAINTEXT client's first request is not a SASL handshake, so the broker drops the
    // connection; the client sees only disconnects and gives up at its API timeout.
    Map<String, Object> config = clientConfig(Map.of());
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    long started = System.nanoTime();
    try (Admin admin = Admin.create(config)) {
      ExecutionException e = assertThrows(ExecutionException.class, () -> admin.listTopics().names().get());
      assertInstanceOf(TimeoutException.class, e.getCause(), e.toString());
    }
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
    assertTrue(seconds < 20, "the refused client must fail at its 3 s API timeout, took " + seconds + " s");
  }

  private static Map<String, Object> clientConfig(Map<String, String> security) {
    Map<String, Object> config = new HashMap<>(security);
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    return config;
  }
}
