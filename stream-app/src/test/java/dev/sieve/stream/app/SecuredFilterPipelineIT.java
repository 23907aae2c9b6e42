package dev.sieve.stream.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.data.FashionMnist;
import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.eval.metrics.DetectionReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filter on a broker that requires SASL/SCRAM, with the login in its client overrides: Kafka
 * Streams, the Victim updater (consumer and publisher) and the Victim watcher all log in, and
 * every sample is decided.
 */
class SecuredFilterPipelineIT {

  @TempDir Path workDir;

  @Test
  @Timeout(value = 45, unit = TimeUnit.MINUTES) // a hang guard: the Victim's warm-up sets the pace
  void everySampleIsDecidedOverSasl() throws Exception {
    FashionMnist.Split train = FashionMnist.loadTrain(FashionMnist.resolveDir(null));
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startWithScram("filter", "filter-secret")) {
      FilterPipelineScenarios s = new FilterPipelineScenarios(broker.bootstrapServers(), broker.clientSecurity(),
          workDir, train);
      s.produceMalformed();
      long sent = s.produce(1000, 0.1);
      try (FilterApp app = s.app(1000).start()) {
        FilterPipelineScenarios.awaitFirstVictim(app);
        DetectionReport report = s.evaluate(sent + FilterPipelineScenarios.MALFORMED, Duration.ofMinutes(2),
            new AtomicLong());
        FilterPipelineScenarios.assertConserved(report, sent, FilterPipelineScenarios.MALFORMED);
        assertTrue(app.registry().currentVersion().orElse(0L) >= 1,
            "the Victim updater published over SASL and the watcher loaded it");
      }
    }
  }
}
