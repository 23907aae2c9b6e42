package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.data.FashionMnist;
import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.loadtest.produce.ProducerConfig;
import dev.sieve.loadtest.produce.SampleProducer;
import dev.sieve.wire.TopicCatalog;
import dev.sieve.wire.TopicNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sieve stream} gets SIGTERM while its Victim updater is in a training round. Before, the
 * shutdown hook waited 60 s for the round and then freed the native model under it, and libtorch
 * crashed the JVM (SIGSEGV, an {@code hs_err} file). Now the round stops at its next batch, the
 * model is freed after the thread has left, and the JVM exits as a SIGTERM'd JVM with its hooks
 * run does: status 143.
 */
class StreamAppSigtermIT {

  /** A JVM that ran its shutdown hooks after SIGTERM exits with 128 + 15. */
  private static final int SIGTERM_EXIT = 143;

  @TempDir
  Path work;

  @Test
  @Timeout(value = 45, unit = TimeUnit.MINUTES) // a hang guard: the Victim's warm-up sets the pace
  void sigtermDuringAVictimRoundExitsWithoutACrash() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      String bootstrap = broker.bootstrapServers();
      TopicNames topics = new TopicNames("term-" + UUID.randomUUID().toString().substring(0, 8) + ".");
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        TopicCatalog.ensureTopics(admin, topics, 2);
      }
      StreamAppSigkillIT.awaitLeaders(bootstrap, topics.samples());
      FashionMnist.Split train = FashionMnist.loadTrain(FashionMnist.resolveDir(null));
      new SampleProducer(ProducerConfig.defaults(bootstrap).withTopics(topics).withLimit(3000).withPoisonRate(0.1)
          .withSeed(7)).produce(train, n -> { });

      SieveProcess stream = SieveProcess.start(List.of("-Xmx1g", "-XX:ErrorFile=" + work.resolve("hs_err_pid%p.log")),
          List.of("stream", "--bootstrap-servers", bootstrap, "--topic-prefix", topics.prefix(),
              "--application-id", "sieve-term-" + topics.prefix().replace(".", ""),
              "--state-dir", work.resolve("state").toString(),
              "--checkpoint-dir", work.resolve("victim").toString(),
              "--warmup-samples", "3000", "--retrain-every", "1000000", "--no-metrics"),
          work.resolve("stream.log"));
      try {
        // The warm-up's log line comes as its bootstrap rounds begin: five rounds and a reference
        // model on 3,000 samples are still ahead when the signal lands.
        while (!stream.output().contains("victim warm-up:")) {
          assertTrue(stream.process.isAlive(), "sieve stream died before its warm-up:\n" + stream.tail(60));
          Thread.sleep(100);
        }
        stream.process.destroy(); // SIGTERM
        assertTrue(stream.process.waitFor(2, TimeUnit.MINUTES), "sieve stream still running 2 min after SIGTERM");
        String output = stream.output();
        assertEquals(SIGTERM_EXIT, stream.process.exitValue(), stream.tail(80));
        assertTrue(output.contains("stopped mid-round for close"), "the signal did not land in a round:\n" + stream.tail(80));
        assertFalse(output.contains("still busy"), "the updater outlived its close:\n" + stream.tail(80));
        try (Stream<Path> files = Files.list(work)) {
          List<Path> crashes = files.filter(f -> f.getFileName().toString().startsWith("hs_err")).toList();
          assertTrue(crashes.isEmpty(), "the JVM crashed: " + crashes + "\n" + stream.tail(80));
        }
      } finally {
        stream.kill();
      }
    }
  }
}
