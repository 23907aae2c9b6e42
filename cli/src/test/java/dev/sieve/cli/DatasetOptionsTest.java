package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Architecture;
import dev.sieve.ui.AccessTokens;
import dev.sieve.wire.DatasetDescriptor;
import dev.sieve.wire.TopicNames;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DatasetOptionsTest {

  @TempDir Path dir;

  private static DatasetOptions stream(String... args) {
    StreamCommand command = new StreamCommand();
    new CommandLine(command).parseArgs(args);
    return command.dataset;
  }

  @Test
  void nothingGivenIsFashionMnistWithItsVictimArchitecture() {
    DatasetOptions none = stream();
    assertEquals(DatasetDescriptor.FASHION_MNIST, none.descriptor());
    assertEquals(Architecture.FMNIST_CNN_V1, new ArchitectureOptions().forDataset(none.descriptor()));
    assertEquals(DatasetDescriptor.FASHION_MNIST, stream("--classes", "10").descriptor(),
        "the default shape restated is still Fashion-MNIST, names included");
  }

  @Test
  void theShapeAndClassesOneByOneGiveTheVictimItsLayers() {
    DatasetOptions colour = stream("--channels", "3", "--height", "32", "--width", "32", "--class-names",
        "cat, dog,bird");
    assertEquals(new DatasetDescriptor("custom", 3, 32, 32, List.of("cat", "dog", "bird")), colour.descriptor());
    assertEquals("small-cnn-3x32x32-3", new ArchitectureOptions().forDataset(colour.descriptor()).id());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> stream("--classes", "4", "--class-names", "a,b,c").descriptor());
    assertTrue(e.getMessage().contains("--classes 4 but --class-names names 3"), e.getMessage());
  }

  @Test
  void aDescriptorFileIsReadAndNotMixedWithTheOptions() {
    Path file = new DatasetDescriptor("pets", 3, 64, 64, List.of("cat", "dog")).writeInto(dir);
    assertEquals(2, stream("--dataset-file", file.toString()).descriptor().numClasses());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> stream("--dataset-file", file.toString(), "--channels", "1").descriptor());
    assertTrue(e.getMessage().contains("not with --channels"), e.getMessage());
  }

  @Test
  void theDescriptorIsWrittenNextToTheCheckpointsAndAnotherDataSetsDirectoryIsRefused() {
    Path checkpoints = dir.resolve("victim");
    stream("--channels", "3", "--height", "32", "--width", "32").recordIn(checkpoints);
    assertEquals(DatasetDescriptor.of(3, 32, 32, 10), DatasetDescriptor.read(checkpoints.resolve(DatasetDescriptor.FILE_NAME)));
    stream("--channels", "3", "--height", "32", "--width", "32").recordIn(checkpoints); // the same again is fine
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> stream().recordIn(checkpoints));
    assertTrue(e.getMessage().contains("3x32x32, 10 classes") && e.getMessage().contains("not 1x28x28, 10 classes"),
        e.getMessage());
  }

  @Test
  void theQuarantineViewShowsTheDescriptorsClassNames() {
    UiCommand ui = new UiCommand();
    new CommandLine(ui).parseArgs("--class-names", "cat,dog,bird", "--channels", "3");
    assertEquals(List.of("cat", "dog", "bird"),
        ui.config("localhost:9092", TopicNames.defaults(), AccessTokens.single("u", "t".repeat(32))).classNames());
    UiCommand plain = new UiCommand();
    new CommandLine(plain).parseArgs();
    assertEquals(DatasetDescriptor.FASHION_MNIST.classNames(),
        plain.config("localhost:9092", TopicNames.defaults(), AccessTokens.single("u", "t".repeat(32))).classNames());
  }
}
