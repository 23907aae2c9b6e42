package dev.sieve.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

  @Test
  void loadsBothRealSplitsWithBalancedClasses() throws IOException {
    Path dir = FashionMnist.resolveDir(null);
    assumeTrue(Files.isDirectory(dir), "Fashion-MNIST not installed at " + dir
        + " (apt-get install dataset-fashion-mnist); skipping the real-data check");

    FashionMnist data = FashionMnist.load(dir);
    assertEquals(60_000, data.train().size());
    assertEquals(10_000, data.test().size());
    for (FashionMnist.Split split : new FashionMnist.Split[] {data.train(), data.test()}) {
      assertEquals(28, split.rows());
      assertEquals(28, split.cols());
      int[] perClass = new int[FashionMnist.NUM_CLASSES];
      long bright = 0;
      for (int i = 0; i < split.size(); i++) {
        assertEquals(784, split.images()[i].length, split.name() + " image " + i);
        perClass[split.labels()[i]]++;
        for (byte b : split.images()[i]) {
          if ((b & 0xFF) > 200) {
            bright++;
          }
        }
      }
      // Fashion-MNIST is exactly balanced: 6,000 per class in train, 1,000 in test.
      for (int c = 0; c < FashionMnist.NUM_CLASSES; c++) {
        assertEquals(split.size() / 10, perClass[c], split.name() + " class " + c);
      }
      assertTrue(bright > split.size() * 10L, "pixels must be read as unsigned bytes (few > 200 in " + split.name() + ")");
    }
    assertEquals(data.train().size(), FashionMnist.loadTrain(dir).size());
  }

  @Test
  void resolveDirPrefersCliThenEnvThenPropertyThenDefault() {
    Map<String, String> env = Map.of(FashionMnist.ENV_VAR, "/from/env");
    assertEquals(Path.of("/from/cli"), FashionMnist.resolveDir("/from/cli", env, "/from/prop"));
    assertEquals(Path.of("/from/env"), FashionMnist.resolveDir(null, env, "/from/prop"));
    assertEquals(Path.of("/from/env"), FashionMnist.resolveDir("  ", env, "/from/prop"));
    assertEquals(Path.of("/from/prop"), FashionMnist.resolveDir(null, Map.of(), "/from/prop"));
    assertEquals(Path.of(FashionMnist.DEFAULT_DIR), FashionMnist.resolveDir(null, Map.of(), ""));
    // What surefire passes when SIEVE_FASHION_MNIST is not defined.
    assertEquals(Path.of(FashionMnist.DEFAULT_DIR),
        FashionMnist.resolveDir(null, Map.of(), "${env.SIEVE_FASHION_MNIST}"));
  }

  @Test
  void missingDirectoryOrFileTellsHowToGetTheData(@TempDir Path dir) throws IOException {
    Path absent = dir.resolve("nowhere");
    FileNotFoundException noDir = assertThrows(FileNotFoundException.class, () -> FashionMnist.load(absent));
    assertTrue(noDir.getMessage().contains(absent.toString())
        && noDir.getMessage().contains("apt-get install dataset-fashion-mnist")
        && noDir.getMessage().contains("--data DIR"), noDir.getMessage());

    Files.createFile(dir.resolve("train-images-idx3-ubyte.gz"));
    FileNotFoundException noFile = assertThrows(FileNotFoundException.class, () -> FashionMnist.loadTrain(dir));
    assertTrue(noFile.getMessage().contains("train-labels-idx1-ubyte")
        && !noFile.getMessage().contains("train-images")
        && noFile.getMessage().contains("apt-get install dataset-fashion-mnist"), noFile.getMessage());
  }
}
