package dev.sieve.eval.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonReportTest {

  record Point(double seconds, double share) {}

  record Cell(String attack, double rate, double recall, Double auroc, float loss, double[] curve,
      List<Point> points, Map<String, Double> byDefense, Instant at) {}

  @TempDir Path dir;

  @Test
  void roundTripsARecord() throws Exception {
    Cell cell = new Cell("badnets-3x3", 0.1, 0.97, 0.91, 0.25f, new double[] {0.1, 0.5},
        List.of(new Point(1.5, 0.1)), Map.of("vab", 0.8), Instant.parse("2025-01-02T03:04:05Z"));
    Path file = dir.resolve("out").resolve("results.json");
    JsonReport.write(file, cell);

    Cell back = JsonReport.mapper().readValue(file.toFile(), Cell.class);
    assertEquals(cell.attack(), back.attack());
    assertEquals(cell.rate(), back.rate());
    assertEquals(cell.auroc(), back.auroc());
    assertEquals(cell.loss(), back.loss());
    assertArrayEquals(cell.curve(), back.curve());
    assertEquals(cell.points(), back.points());
    assertEquals(cell.byDefense(), back.byDefense());
    assertEquals(cell.at(), back.at());
    String text = Files.readString(file);
    assertTrue(text.contains("\"at\" : \"2025-01-02T03:04:05Z\""), "ISO-8601 instants, pretty-printed: " + text);
  }

  @Test
  void nanAndInfinitiesAreWrittenAsNull() throws Exception {
    Cell cell = new Cell("none", 0.0, Double.NaN, Double.NaN, Float.NaN,
        new double[] {1.0, Double.NaN, Double.POSITIVE_INFINITY}, List.of(new Point(Double.NaN, 0.5)),
        Map.of("vab", Double.NEGATIVE_INFINITY), Instant.EPOCH);
    Path file = dir.resolve("nan.json");
    JsonReport.write(file, cell);

    JsonNode json = JsonReport.mapper().readTree(file.toFile());
    assertTrue(json.get("recall").isNull(), json.toString());
    assertTrue(json.get("auroc").isNull(), json.toString());
    assertTrue(json.get("loss").isNull(), json.toString());
    assertEquals(1.0, json.get("curve").get(0).asDouble());
    assertTrue(json.get("curve").get(1).isNull(), json.toString());
    assertTrue(json.get("curve").get(2).isNull(), json.toString());
    assertTrue(json.get("points").get(0).get("seconds").isNull(), json.toString());
    assertEquals(0.5, json.get("points").get(0).get("share").asDouble());
    assertTrue(json.get("byDefense").get("vab").isNull(), json.toString());
    String text = Files.readString(file);
    assertTrue(!text.contains("NaN") && !text.contains("Infinity"), text);
  }
}
