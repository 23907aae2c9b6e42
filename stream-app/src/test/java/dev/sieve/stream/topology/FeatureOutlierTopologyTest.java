package dev.sieve.stream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Architecture;
import dev.sieve.model.DecoupledNetwork;
import dev.sieve.model.Network;
import dev.sieve.model.scoring.FeatureTest;
import dev.sieve.model.scoring.SplitRule;
import dev.sieve.model.scoring.VictimModel;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import dev.sieve.schemas.Verdict;
import dev.sieve.stream.metrics.MicrometerFilterMetrics;
import dev.sieve.stream.victim.VictimRegistry;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.TopicNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Victim version that carries an in-class feature test, installed in the real topology with a
 * real network: the sample the test flags goes to quarantine with the reason {@code
 * feature-outlier} and is counted as such, while its class mates, which the entropy split does not
 * flag either, stay credible.
 */
class FeatureOutlierTopologyTest {

  private static final TopicNames TOPICS = new TopicNames("t.");
  private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
  private static final int LABEL = 3;

  @TempDir Path stateDir;

  private static LabeledSample sample(String id, int seed, boolean bright) {
    byte[] pixels = new byte[28 * 28];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (bright ? 255 : ((i * 7 + seed * 31) % 120));
    }
    return TestSamples.uint8(id, LABEL).setEncoding(PixelEncoding.UINT8).setPixels(ByteBuffer.wrap(pixels)).build();
  }

  @Test
  void aSampleThePublishedTestFlagsIsQuarantinedWithItsOwnReason() {
    List<LabeledSample> batch = List.of(sample("clean-a", 1, false), sample("outlier", 0, true),
        sample("clean-b", 2, false), sample("clean-c", 3, false));
    Network network = Network.create(Architecture.FMNIST_CNN_V1, 42);
    DecoupledNetwork parts = DecoupledNetwork.of(network);
    int width = parts.featureWidth();
    float[] features = parts.logitsAndFeatures(batch).features();
    // The published direction points from the clean samples' mean feature to the outlier's; the
    // cut lies halfway between the outlier's score and the highest clean score.
    float[] direction = new float[width];
    for (int k = 0; k < width; k++) {
      double cleanMean = (features[k] + features[2 * width + k] + features[3 * width + k]) / 3.0;
      direction[k] = (float) (features[width + k] - cleanMean);
    }
    float[][] directions = new float[10][];
    directions[LABEL] = direction;
    double[] cuts = new double[10];
    Arrays.fill(cuts, Double.NaN);
    FeatureTest probe = new FeatureTest("spectral", width, directions, new double[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    double outlierScore = probe.score(features, width, LABEL);
    double highestClean = Math.max(probe.score(features, 0, LABEL),
        Math.max(probe.score(features, 2 * width, LABEL), probe.score(features, 3 * width, LABEL)));
    assertTrue(outlierScore > highestClean, "the planted direction separates the outlier: " + outlierScore + " vs "
        + highestClean);
    cuts[LABEL] = (outlierScore + highestClean) / 2;
    double[] noEntropySplit = new double[10];
    Arrays.fill(noEntropySplit, -1);
    SplitRule split = new SplitRule(0, Math.log(10) / 10, noEntropySplit)
        .withFeatureTest(new FeatureTest("spectral", width, directions, cuts));

    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    FilterConfig config = FilterConfig.defaults(TOPICS).withApplicationId("feature-outlier-test").withBatchSize(4)
        .withMaxBatchWait(Duration.ofMillis(200)).withMaxRecordBytes(8 * 1024);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    try (VictimRegistry registry = new VictimRegistry();
        TopologyTestDriver driver = new TopologyTestDriver(FilterTopology.build(config, registry,
            new MicrometerFilterMetrics(meters, 10, 4)), props, START)) {
      registry.swap(new VictimModel("victim", 7, network, split));
      TestInputTopic<byte[], byte[]> input = driver.createInputTopic(TOPICS.samples(), new ByteArraySerializer(),
          new ByteArraySerializer(), START, Duration.ZERO);
      TestOutputTopic<byte[], Verdict> quarantine = driver.createOutputTopic(TOPICS.quarantine(),
          new ByteArrayDeserializer(), AvroSerde.verdict().deserializer());
      TestOutputTopic<byte[], Verdict> credible = driver.createOutputTopic(TOPICS.credible(),
          new ByteArrayDeserializer(), AvroSerde.verdict().deserializer());
      for (LabeledSample s : batch) {
        input.pipeInput(TestSamples.key(s.getId()), AvroSerde.labeledSample().encode(s));
      }

      List<Verdict> quarantined = quarantine.readValuesToList();
      List<String> credibleIds = new ArrayList<>();
      credible.readValuesToList().forEach(v -> credibleIds.add(v.getSample().getId()));
      assertEquals(1, quarantined.size(), "quarantined: " + quarantined);
      Verdict flagged = quarantined.get(0);
      assertEquals("outlier", flagged.getSample().getId());
      assertEquals(Decision.QUARANTINE, flagged.getDecision());
      assertTrue(flagged.getReason().startsWith(SplitRule.FEATURE_OUTLIER), flagged.getReason());
      assertEquals(List.of("clean-a", "clean-b", "clean-c"), credibleIds);
      assertEquals(1, meters.get("sieve.feature.outliers").tags("class", Integer.toString(LABEL)).counter().count());
      assertEquals(1, meters.get("sieve.verdicts").tags("class", Integer.toString(LABEL), "decision", "quarantine")
          .counter().count());
    }
  }
}
