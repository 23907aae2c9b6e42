package dev.sieve.stream.app;

import dev.sieve.data.FashionMnist;
import dev.sieve.eval.metrics.DetectionReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The same conservation scenario against Apache Kafka's official KRaft image, for machines with a
 * Docker daemon. Without Docker the class is skipped (CI here uses the embedded broker suite).
 */
@Testcontainers(disabledWithoutDocker = true)
class DockerFilterPipelineIT {

  @Container
  static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.0");

  @TempDir Path workDir;

  @Test
  void everySampleComesOutExactlyOnceOnARealKafkaImage() throws Exception {
    FashionMnist.Split train = FashionMnist.loadTrain(FashionMnist.resolveDir(null));
    FilterPipelineScenarios s = new FilterPipelineScenarios(KAFKA.getBootstrapServers(), workDir, train);
    s.produceMalformed();
    long sent = s.produce(2000, 0.1);
    try (FilterApp app = s.app(1000).start()) {
      DetectionReport report = s.evaluate(sent + FilterPipelineScenarios.MALFORMED, Duration.ofMinutes(3), new AtomicLong());
      FilterPipelineScenarios.assertConserved(report, sent, FilterPipelineScenarios.MALFORMED);
    }
  }
}
