package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.stream.updater.VictimUpdaterConfig;
import dev.sieve.wire.DatasetDescriptor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ArchitectureOptionsTest {

  @TempDir Path dir;

  private static StreamCommand stream(String... args) {
    StreamCommand command = new StreamCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @Test
  void nothingGivenIsTheSmallCnnSoFashionMnistKeepsItsId() {
    StreamCommand none = stream();
    assertEquals(Architecture.FMNIST_CNN_V1, none.architecture.forDataset(none.dataset.descriptor()));
    TrainCommand train = new TrainCommand();
    new CommandLine(train).parseArgs();
    assertEquals(Architecture.FMNIST_CNN_V1, train.architecture.forDataset(train.dataset.descriptor()));
  }

  @Test
  void theFamilyIsNamedAsInArchitectureIdsAndBuiltForTheDataSetsShape() {
    StreamCommand colour = stream("--architecture", "Small-ResNet", "--channels", "3", "--height", "32", "--width", "32");
    assertEquals("small-resnet-3x32x32-10", colour.architecture.forDataset(colour.dataset.descriptor()).id());
    StreamCommand grey = stream("--architecture", "preact-resnet18");
    assertEquals("preact-resnet18-1x28x28-10", grey.architecture.forDataset(grey.dataset.descriptor()).id());
  }

  @Test
  void anUnknownFamilyIsAUsageErrorThatListsTheKnownOnes() {
    StringWriter err = new StringWriter();
    CommandLine cli = Sieve.commandLine();
    cli.setErr(new PrintWriter(err));
    assertEquals(2, cli.execute("stream", "--architecture", "resnet50"));
    String message = err.toString();
    assertTrue(message.contains("expected small-cnn|small-resnet|preact-resnet18, got 'resnet50'"), message);
  }

  @Test
  void aCheckpointDirectoryOfAnotherArchitectureIsRefusedAndItsOwnAccepted() {
    Path victims = dir.resolve("victim");
    DatasetDescriptor colour = DatasetDescriptor.of(3, 32, 32, 10);
    Architecture cnn = Architecture.forDataset(Architecture.Family.SMALL_CNN, colour);
    try (Network network = Network.create(cnn, 1)) {
      new CheckpointStore(victims).write(new CheckpointMeta(VictimUpdaterConfig.DEFAULT_MODEL_ID, 3, cnn.id(),
          Instant.now(), Map.of(), Map.of()), network.parameters());
    }
    StreamCommand resnet = stream("--architecture", "small-resnet");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> resnet.architecture.checkAgainst(victims, VictimUpdaterConfig.DEFAULT_MODEL_ID, colour));
    assertTrue(e.getMessage().contains("holds victim v3 of architecture small-cnn-3x32x32-10, not"
        + " small-resnet-3x32x32-10 (--architecture small-resnet)"), e.getMessage());
    assertEquals(cnn, stream().architecture.checkAgainst(victims, VictimUpdaterConfig.DEFAULT_MODEL_ID, colour));
    assertEquals("small-resnet-3x32x32-10",
        resnet.architecture.checkAgainst(dir.resolve("none-yet"), VictimUpdaterConfig.DEFAULT_MODEL_ID, colour).id());
  }

  @Test
  void benchModelMeasuresTheChosenArchitectureOnTheDataSetsShape() {
    StringWriter out = new StringWriter();
    CommandLine cli = Sieve.commandLine();
    cli.setOut(new PrintWriter(out));
    assertEquals(0, cli.execute("bench-model", "--device", "cpu", "--architecture", "small-resnet", "--channels", "3",
        "--height", "8", "--width", "8", "--classes", "4", "--batch-size", "4", "--forward-batches", "1",
        "--train-batches", "1"));
    String printed = out.toString();
    assertTrue(printed.contains("architecture small-resnet-3x8x8-4: 174,676 parameters, 64 features"), printed);
    assertTrue(printed.contains("forward + entropy, batch 4: ") && printed.contains("training step, batch 4: "), printed);
  }
}
