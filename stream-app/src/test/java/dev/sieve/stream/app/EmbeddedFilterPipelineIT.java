package dev.sieve.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.data.FashionMnist;
import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.eval.metrics.DetectionReport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The filter end to end on an embedded KRaft broker, with real DJL Victims and Fashion-MNIST. */
class EmbeddedFilterPipelineIT {

  private static EmbeddedKafkaBroker broker;
  private static FashionMnist.Split train;

  @TempDir Path workDir;

  @BeforeAll
  static void startBroker() throws Exception {
    train = FashionMnist.loadTrain(FashionMnist.resolveDir(null));
    broker = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void everySampleComesOutExactlyOnceAndMalformedOnesAreDeadLettered() throws Exception {
    FilterPipelineScenarios s = new FilterPipelineScenarios(broker.bootstrapServers(), workDir, train);
    s.produceMalformed();
    long sent = s.produce(2000, 0.1);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    FilterApp app = s.app(1000, meters).start();
    try {
      FilterPipelineScenarios.awaitFirstVictim(app);
      DetectionReport report = s.evaluate(sent + FilterPipelineScenarios.MALFORMED, Duration.ofMinutes(3), new AtomicLong());
      FilterPipelineScenarios.assertConserved(report, sent, FilterPipelineScenarios.MALFORMED);
      assertTrue(app.registry().currentVersion().orElse(0L) >= 1, "a Victim version scored the samples");

      // The meters saw the same run (exactly-once could redo an aborted batch, hence "at least").
      double verdicts = meters.find("sieve.verdicts").counters().stream().mapToDouble(c -> c.count()).sum();
      double deadLetters = meters.find("sieve.dead.letters").counters().stream().mapToDouble(c -> c.count()).sum();
      assertTrue(verdicts >= sent, verdicts + " verdicts counted for " + sent + " samples");
      assertTrue(deadLetters >= FilterPipelineScenarios.MALFORMED, deadLetters + " dead letters counted");
      assertTrue(meters.get("sieve.victim.version").gauge().value() >= 1);
      assertTrue(meters.find("kafka.consumer.fetch.manager.records.consumed.total").functionCounters().size() > 0
          || !meters.find("kafka.stream.thread.process.rate").meters().isEmpty(), "Kafka Streams client metrics are bound");
      assertTrue(app.health().up(), "running: " + app.health());
    } finally {
      app.close();
    }
    assertFalse(app.health().up(), "closed: " + app.health());
  }

  @Test
  void aRestartInTheMiddleLosesAndDoublesNothing() throws Exception {
    FilterPipelineScenarios s = new FilterPipelineScenarios(broker.bootstrapServers(), workDir, train);
    int total = 4000;
    // The stream arrives in three parts, each after an event, not at a pace: samples wait when the
    // first instance stops, more arrive while none runs, and the rest once the second has started.
    long sent = s.produceRange(total, 0.1, 0, 2000);
    try (FilterApp first = s.app(1000).start()) {
      FilterPipelineScenarios.awaitFirstVictim(first);
      DetectionReport partial = s.evaluateNoSettle(total / 4, Duration.ofMinutes(3));
      assertTrue(partial.complete(), "the first instance decided nothing: " + partial.summaryLine());
    }
    sent += s.produceRange(total, 0.1, 2000, 3000);
    try (FilterApp second = s.app(1000).start()) {
      sent += s.produceRange(total, 0.1, 3000, total);
      assertEquals(total, sent);
      DetectionReport report = s.evaluate(sent, Duration.ofMinutes(3), new AtomicLong());
      FilterPipelineScenarios.assertConserved(report, sent, 0);
    }
  }

  /**
   * One seed, with a margin: runs of this seed have given recall 0.83 to 1.00 on different
   * machines (DJL's floating point is not bit-stable across thread counts and CPUs). The bound of
   * 0.9 is asserted over several seeds in {@link #theVictimDetectsBadNetsOverSeeds} (-Pslow).
   */
  @Test
  void theVictimDetectsBadNetsOnATenThousandSampleStream() throws Exception {
    DetectionReport report = detectBadNets(7);
    assertTrue(report.recall() >= 0.8, "recall below 0.8: " + report.summaryLine());
  }

  /** The median recall over three seeds is at least 0.9. */
  @Test
  @Tag("slow")
  void theVictimDetectsBadNetsOverSeeds() throws Exception {
    List<Double> recalls = new ArrayList<>();
    for (long seed : new long[] {7, 11, 13}) {
      recalls.add(detectBadNets(seed).recall());
    }
    Collections.sort(recalls);
    assertTrue(recalls.get(1) >= 0.9, "median recall below 0.9 over seeds 7, 11, 13: " + recalls);
  }

  private DetectionReport detectBadNets(long seed) throws Exception {
    FilterPipelineScenarios s = new FilterPipelineScenarios(broker.bootstrapServers(), workDir.resolve("seed-" + seed),
        train).withSeed(seed);
    long sent = s.produce(10_000, 0.1);
    try (FilterApp app = s.app(10_000).start()) {
      FilterPipelineScenarios.awaitFirstVictim(app);
      DetectionReport report = s.evaluate(sent, Duration.ofMinutes(5), new AtomicLong());
      FilterPipelineScenarios.assertConserved(report, sent, 0);
      System.out.println("BadNets 10% on 10k samples, seed " + seed + ": " + report.summaryLine());
      assertEquals(1000, report.truePositives() + report.falseNegatives(), "1,000 poisoned samples were sent");
      return report;
    }
  }
}
