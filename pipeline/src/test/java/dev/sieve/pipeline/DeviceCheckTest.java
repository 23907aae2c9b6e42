package dev.sieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.model.ComputeDevice;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DeviceCheck on tiny IDX files, on the CPU: every phase reports, and a CPU copy of the Victim agrees with it. */
class DeviceCheckTest {

  @TempDir Path dir;

  @Test
  void everyPhaseReportsAndTheCpuCopyAgrees() throws IOException {
    writeIdx(dir, "train", 900, 1);
    writeIdx(dir, "t10k", 200, 2);
    Path out = dir.resolve("check.jsonl");
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    int status = new DeviceCheck(DeviceCheck.Plan.parse(new String[] {"--data", dir.toString(), "--device", "cpu",
        "--batch-sizes", "64,256", "--score-samples", "512", "--victim-samples", "300", "--beneficiary-samples", "900",
        "--compare-samples", "200", "--out", out.toString()}), new PrintStream(stdout, true, StandardCharsets.UTF_8)).run();

    List<JsonNode> lines = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(out)) {
      lines.add(json.readTree(line));
    }
    assertEquals(String.join("\n", Files.readAllLines(out)) + "\n", stdout.toString(StandardCharsets.UTF_8));
    List<String> phases = lines.stream().map(l -> l.get("phase").asText()).toList();
    assertEquals(List.of("engine", "victim-warmup", "victim-round", "score", "score", "victim-split",
        "beneficiary-epoch", "equality"), phases);
    assertEquals("cpu()", lines.get(0).get("device").asText());
    assertEquals(300, lines.get(1).get("samples").asInt());
    assertEquals(64, lines.get(3).get("batchSize").asInt());
    assertEquals(256, lines.get(4).get("batchSize").asInt());
    for (JsonNode score : lines.subList(3, 5)) {
      assertEquals(512, score.get("samples").asInt());
      assertTrue(score.get("samplesPerSecond").asDouble() > 0, score.toString());
    }
    JsonNode split = lines.get(5);
    JsonNode beneficiary = lines.get(6);
    assertEquals(900, beneficiary.get("samples").asInt());
    assertEquals(split.get("suspicious").asInt(), beneficiary.get("unlabelled").asInt());
    assertTrue(beneficiary.get("steps").asLong() > 0, beneficiary.toString());
    JsonNode equality = lines.get(7);
    // The same weights on the same device: the copy's logits are the original's, bit for bit.
    assertEquals(0.0, equality.get("maxAbsLogitDiff").asDouble(), equality.toString());
    assertEquals(0, equality.get("argmaxDiffer").asInt());
    assertTrue(equality.get("agree").asBoolean());
    assertEquals(0, status);
  }

  @Test
  void gpuIsRefusedWithStatus2WhereThereIsNone() throws IOException {
    assumeTrue(ComputeDevice.EngineFacts.probe().usableGpus() == 0, "this machine has a usable GPU");
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    // No data at all: the refusal comes before any is read.
    int status = new DeviceCheck(DeviceCheck.Plan.parse(new String[] {"--data", dir.resolve("none").toString(),
        "--device", "gpu"}), new PrintStream(stdout, true, StandardCharsets.UTF_8)).run();
    assertEquals(2, status);
    JsonNode engine = new ObjectMapper().readTree(stdout.toString(StandardCharsets.UTF_8));
    assertEquals("engine", engine.get("phase").asText());
    assertTrue(engine.get("device").asText().startsWith("refused: "), engine.toString());
  }

  @Test
  void unknownOrIncompleteOptionsAreRefused() {
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> DeviceCheck.Plan.parse(new String[] {"--data", "x", "--batch", "5"}));
    assertTrue(unknown.getMessage().contains("unknown options [batch]"), unknown.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DeviceCheck.Plan.parse(new String[] {"--device"}));
    assertThrows(IllegalArgumentException.class, () -> DeviceCheck.Plan.parse(new String[] {"--device", "tpu"}));
  }

  /** IDX files of {@code n} 28x28 images: a bright block whose place depends on the label, over noise. */
  private static void writeIdx(Path dir, String prefix, int n, long seed) throws IOException {
    Random random = new Random(seed);
    byte[] labels = new byte[n];
    byte[] pixels = new byte[n * 28 * 28];
    for (int i = 0; i < n; i++) {
      int label = i % 10;
      labels[i] = (byte) label;
      for (int p = 0; p < 28 * 28; p++) {
        int r = p / 28;
        int c = p % 28;
        boolean block = r / 7 == label / 4 && c / 7 == label % 4;
        pixels[i * 28 * 28 + p] = (byte) (block ? 200 + random.nextInt(56) : random.nextInt(60));
      }
    }
    try (DataOutputStream images = new DataOutputStream(Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte")));
        DataOutputStream labelFile = new DataOutputStream(Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte")))) {
      images.writeInt(0x803);
      images.writeInt(n);
      images.writeInt(28);
      images.writeInt(28);
      images.write(pixels);
      labelFile.writeInt(0x801);
      labelFile.writeInt(n);
      labelFile.write(labels);
    }
  }
}
