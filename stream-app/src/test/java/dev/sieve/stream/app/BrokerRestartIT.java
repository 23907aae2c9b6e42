package dev.sieve.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.data.FashionMnist;
import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.eval.metrics.DetectionReport;
import dev.sieve.model.defense.split.SplitPolicies;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker goes away in the middle of a stream and comes back on the same data directory and
 * port, while a producer keeps sending and the filter (with its Victim updater) keeps running:
 * the producer's retries (idempotent, so without duplicates) and the filter's exactly-once
 * processing carry every sample across the outage, none lost and none doubled.
 */
class BrokerRestartIT {

  /** How long the broker stays down: long enough for every client to notice and retry. */
  private static final Duration OUTAGE = Duration.ofSeconds(5);

  @TempDir
  Path workDir;

  @Test
  @Timeout(value = 45, unit = TimeUnit.MINUTES) // a hang guard: the Victim's warm-up sets the pace
  void aBrokerRestartUnderLoadLosesAndDoublesNothing() throws Exception {
    FashionMnist.Split train = FashionMnist.loadTrain(FashionMnist.resolveDir(null));
    Path brokerDir = workDir.resolve("broker");
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(brokerDir, 0);
    int port = broker.port();
    try {
      FilterPipelineScenarios s = new FilterPipelineScenarios(broker.bootstrapServers(), workDir, train);
      int total = 3000;
      long sent = s.produceRange(total, 0.1, 0, 1000);
      CompletableFuture<Long> duringOutage = null;
      // V&B's fixed split quarantines a good share of any window, so both verdict topics carry
      // traffic across the outage however little a 500-sample Victim has learnt.
      FilterApp filter = new FilterApp(broker.bootstrapServers(), s.filterConfig(), workDir.resolve("state"),
          s.victimConfig(500), SplitPolicies.byName("vab"), Map.of(), s.trust());
      try (FilterApp app = filter.start()) {
        FilterPipelineScenarios.awaitFirstVictim(app);
        DetectionReport before = s.evaluateNoSettle(400, Duration.ofMinutes(2));
        assertTrue(before.complete(), "nothing was decided before the outage: " + before.summaryLine());

        long down = System.nanoTime();
        broker.close();
        // Samples are sent while the broker is down, whatever the machine's speed: the producer
        // buffers and retries them until it is back.
        duringOutage = CompletableFuture.supplyAsync(() -> {
          try {
            return s.produceRange(total, 0.1, 1000, 2000);
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
        Thread.sleep(OUTAGE.toMillis()); // the outage itself, not a synchronisation
        broker = EmbeddedKafkaBroker.start(brokerDir, port);
        System.out.printf("BrokerRestartIT: broker down for %.1f s, %d samples decided before%n",
            (System.nanoTime() - down) / 1e9, before.distinct());

        sent += duringOutage.get(2, TimeUnit.MINUTES);
        sent += s.produceRange(total, 0.1, 2000, total);
        assertEquals(total, sent, "the producer must deliver every sample across the outage");
        DetectionReport report = s.evaluate(sent, Duration.ofMinutes(2), new AtomicLong());
        System.out.println("BrokerRestartIT: " + report.summaryLine());
        FilterPipelineScenarios.assertConserved(report, sent, 0);
        assertTrue(report.credible() > 0 && report.quarantined() > 0,
            "both verdict topics must have crossed the outage: " + report.summaryLine());
        assertTrue(app.state() == KafkaStreams.State.RUNNING || app.state() == KafkaStreams.State.REBALANCING,
            "the filter must have recovered, not stopped: " + app.state());
      } finally {
        if (duringOutage != null) {
          duringOutage.cancel(true);
        }
      }
    } finally {
      broker.close();
    }
  }
}
