package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sieve.attack.PoisonedTrainingSet;
import dev.sieve.data.BuiltInDataset;
import dev.sieve.data.FashionMnist;
import dev.sieve.loadtest.produce.ProducerConfig;
import dev.sieve.pipeline.DemoRun;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.stream.topology.ErrorClass;
import dev.sieve.stream.topology.FilterConfig;
import dev.sieve.stream.topology.SampleValidator;
import dev.sieve.stream.topology.Validation;
import dev.sieve.stream.updater.VictimUpdaterConfig;
import dev.sieve.trainer.BeneficiaryConfig;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.TopicNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** --dataset on the commands that stream the built-in data, without a broker. */
class BuiltInDatasetTest {

  @TempDir Path dir;

  private static DemoCommand demo(String... args) {
    DemoCommand command = new DemoCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @Test
  void theDatasetIsFashionMnistUnlessNamedAndAnUnknownNameListsTheKnownOnes() {
    assertEquals(BuiltInDataset.FMNIST, demo().data.builtIn());
    assertEquals(BuiltInDataset.FMNIST_COLOR32, demo("--dataset", "FMNIST-Color32").data.builtIn());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> demo("--dataset", "cifar10").data.builtIn());
    assertTrue(e.getMessage().contains("cifar10") && e.getMessage().contains("fmnist, fmnist-color32"), e.getMessage());
  }

  /**
   * What the producer publishes from --dataset fmnist-color32, poisoned, passes the filter's own
   * validation for the colour descriptor, and a filter left at Fashion-MNIST's shape dead-letters it.
   */
  @Test
  void colourSamplesValidateAgainstTheColourShapeOnly() throws Exception {
    assumeTrue(Files.isDirectory(FashionMnist.resolveDir(null)), "Fashion-MNIST not installed");
    DemoCommand command = demo("--dataset", "fmnist-color32", "--attack", "blend-0.2", "--poison-rate", "0.2");
    PoisonedTrainingSet set = command.data.trainingSet(command.data.loadTrain(), 200);
    assertTrue(set.poisonedCount() > 0);
    TopicNames topics = TopicNames.defaults();
    SampleValidator colour = new SampleValidator(FilterConfig.defaults(topics)
        .withDataset(BuiltInDataset.FMNIST_COLOR32.descriptor()));
    SampleValidator grey = new SampleValidator(FilterConfig.defaults(topics));
    AvroSerde<LabeledSample> serde = AvroSerde.labeledSample();
    for (LabeledSample sample : set.samples()) {
      byte[] key = sample.getId().getBytes(StandardCharsets.UTF_8);
      byte[] value = serde.encode(sample);
      assertInstanceOf(Validation.Valid.class, colour.validate(key, value), sample.getId());
      Validation.Invalid refused = assertInstanceOf(Validation.Invalid.class, grey.validate(key, value));
      assertEquals(ErrorClass.WRONG_IMAGE_SIZE, refused.errorClass(), refused.reason());
    }
  }

  @Test
  void aDemoRunRefusesAFilterOfAnotherShapeThanItsDataset() {
    TopicNames topics = TopicNames.defaults();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DemoRun.Config("localhost:9092",
        topics, 2, dir, dir, ProducerConfig.defaults("localhost:9092"), FilterConfig.defaults(topics),
        VictimUpdaterConfig.defaults(topics, dir.resolve("victim")), null,
        BeneficiaryConfig.defaults("localhost:9092", dir.resolve("beneficiary")), Duration.ofSeconds(1), 1,
        Duration.ofSeconds(1), Map.of(), Optional.empty(), BuiltInDataset.FMNIST_COLOR32));
    assertTrue(e.getMessage().contains("fmnist-color32") && e.getMessage().contains("1x28x28"), e.getMessage());
  }
}
