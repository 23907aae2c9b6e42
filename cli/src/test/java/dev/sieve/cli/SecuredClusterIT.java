package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.wire.Headers;
import dev.sieve.wire.TopicNames;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --client-config} against a broker that requires SASL/SCRAM: the producer command logs in
 * with the file's settings, and without them (or with a wrong password) it fails with a message
 * that says why, in bounded time.
 */
class SecuredClusterIT {

  private static final String USER = "sieve";
  private static final String PASSWORD = "sieve-secret";
  private static final int SAMPLES = 300;

  private static EmbeddedKafkaBroker broker;

  @TempDir Path dir;

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
  @Timeout(90)
  void produceLogsInWithTheClientConfigAndEverySampleArrives() throws Exception {
    // Written as README.md shows it (there SASL_SSL), continuation line included.
    Path config = dir.resolve("sieve-client.properties");
    Files.writeString(config, """
        security.protocol=SASL_PLAINTEXT
        sasl.mechanism=SCRAM-SHA-512
        sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\
            username="%s" password="%s";
        """.formatted(USER, PASSWORD));
    TopicNames topics = new TopicNames("secured.");

    Run run = sieve("produce", "--bootstrap-servers", broker.bootstrapServers(), "--client-config", config.toString(),
        "--topic-prefix", topics.prefix(), "--partitions", "1", "--limit", Integer.toString(SAMPLES));

    assertEquals(0, run.code(), "stderr: " + run.err());
    List<ConsumerRecord<String, byte[]>> records = readSamples(topics.samples(), SAMPLES);
    assertEquals(SAMPLES, records.size());
    Set<String> ids = new HashSet<>();
    records.forEach(r -> ids.add(r.key()));
    assertEquals(SAMPLES, ids.size(), "each sample once");
    assertTrue(records.stream().allMatch(r -> r.headers().lastHeader(Headers.GROUND_TRUTH) != null),
        "every sample carries its ground truth header");
  }

  @Test
  @Timeout(60)
  void produceWithoutCredentialsFailsSayingWhyInsteadOfHanging() throws Exception {
    // Only shorter timeouts, no security settings: Sieve's client defaults otherwise wait 60 s.
    Path config = clientConfig("no-login.properties", Map.of(
        CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000",
        CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, "2000"));
    long started = System.nanoTime();

    Run run = sieve("produce", "--bootstrap-servers", broker.bootstrapServers(), "--client-config", config.toString(),
        "--topic-prefix", "refused.", "--partitions", "1", "--limit", "10");

    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
    assertEquals(1, run.code(), "stderr: " + run.err());
    assertTrue(run.err().contains("no answer from Kafka at " + broker.bootstrapServers()), run.err());
    assertTrue(run.err().contains("--client-config"), "the error must point at the missing security settings: "
        + run.err());
    assertTrue(seconds < 30, "failing took " + seconds + " s with a 3 s API timeout");
  }

  @Test
  @Timeout(60)
  void aWrongPasswordIsReportedAsAnAuthenticationFailure() throws Exception {
    Path config = clientConfig("wrong.properties", EmbeddedKafkaBroker.scramClientSecurity(USER, "not-the-password"));

    Run run = sieve("produce", "--bootstrap-servers", broker.bootstrapServers(), "--client-config", config.toString(),
        "--topic-prefix", "wrong.", "--partitions", "1", "--limit", "10");

    assertEquals(1, run.code(), "stderr: " + run.err());
    assertTrue(run.err().contains("Authentication failed"), run.err());
  }

  @Test
  void theDemoRefusesClientSettingsForItsOwnOpenBroker() throws Exception {
    Path config = clientConfig("scram.properties", broker.clientSecurity());

    Run run = sieve("demo", "--client-config", config.toString(), "--work-dir", dir.resolve("demo").toString());

    assertEquals(2, run.code(), "stderr: " + run.err());
    assertTrue(run.err().contains("--client-config needs --bootstrap-servers"), run.err());
  }

  private record Run(int code, String err) {}

  private static Run sieve(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cli = Sieve.commandLine();
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, err.toString());
  }

  private Path clientConfig(String name, Map<String, String> settings) throws IOException {
    Properties props = new Properties();
    props.putAll(settings);
    Path file = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(file)) {
      props.store(out, "Kafka client settings for SecuredClusterIT");
    }
    return file;
  }

  /** Reads the samples topic from its start with the broker's credentials, up to {@code expected} records. */
  private static List<ConsumerRecord<String, byte[]>> readSamples(String topic, int expected) {
    Map<String, Object> config = new HashMap<>(broker.clientSecurity());
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      // One more poll: a duplicate, were there one, would show up by now.
      consumer.poll(Duration.ofMillis(300)).forEach(out::add);
    }
    return out;
  }
}
