package dev.sieve.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.schemas.ModelVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetDescriptorTest {

  @Test
  void fashionMnistIsTheDefaultShapeWithItsTenNames() {
    DatasetDescriptor d = DatasetDescriptor.FASHION_MNIST;
    assertEquals("1x28x28", d.shape());
    assertEquals(784, d.pixelsPerImage());
    assertEquals(10, d.numClasses());
    assertEquals("Ankle boot", d.className(9));
    assertEquals("class 10", d.className(10), "an out-of-range label is named, not thrown on");
  }

  @Test
  void aWrittenDescriptorReadsBackEqual(@TempDir Path dir) throws Exception {
    DatasetDescriptor colour = new DatasetDescriptor("pets", 3, 32, 48, List.of("cat", "dog", "hamster"));
    Path file = colour.writeInto(dir.resolve("checkpoints"));
    assertEquals(DatasetDescriptor.FILE_NAME, file.getFileName().toString());
    assertEquals(colour, DatasetDescriptor.read(file));
    try (var listing = Files.list(file.getParent())) {
      assertEquals(1, listing.count(), "no temporary file is left beside it");
    }
  }

  @Test
  void aMalformedFileOrShapeIsRefusedNamingWhat(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("d.properties");
    Files.writeString(file, "channels=3\nheight=32\nwidth=32\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatasetDescriptor.read(file));
    assertTrue(e.getMessage().contains("'class-names' is missing"), e.getMessage());
    Files.writeString(file, "channels=3\nheight=32\nwidth=32\nclass-names=a,b,a\n");
    e = assertThrows(IllegalArgumentException.class, () -> DatasetDescriptor.read(file));
    assertTrue(e.getMessage().contains("'a' is given twice"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> DatasetDescriptor.of(5, 32, 32, 10));
    assertTrue(e.getMessage().contains("channels must be in [1, 4], got 5"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> DatasetDescriptor.of(1, 28, 28, 1));
    assertTrue(e.getMessage().contains("classes must be in [2, 1000]"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new DatasetDescriptor("x", 1, 2, 2, List.of("a", " ")));
  }

  @Test
  void aReaderRefusesAVersionOfAnotherShapeAndTakesOldVersionsAsFashionMnist() {
    ModelVersion.Builder v = ModelVersion.newBuilder().setModelId("victim").setVersion(1).setArchitecture("a")
        .setCheckpointUri("file:///x").setSha256("ab").setMetrics(Map.of()).setCreatedAt(Instant.EPOCH);
    ModelVersion old = v.build();
    ModelVersion colour = v.setDataset(DatasetDescriptor.of(3, 32, 32, 10).toShape()).build();
    assertEquals(Optional.empty(), DatasetDescriptor.FASHION_MNIST.refusal(old));
    String why = DatasetDescriptor.FASHION_MNIST.refusal(colour).orElseThrow();
    assertTrue(why.contains("3x32x32, 10 classes") && why.contains("1x28x28, 10 classes"), why);
    assertTrue(DatasetDescriptor.of(3, 32, 32, 10).refusal(old).isPresent(), "an old version is a Fashion-MNIST one");
    assertFalse(DatasetDescriptor.of(3, 32, 32, 10).refusal(colour).isPresent());
    assertTrue(DatasetDescriptor.of(1, 28, 28, 10).sameShape(DatasetDescriptor.FASHION_MNIST), "names are not compared");
  }
}
