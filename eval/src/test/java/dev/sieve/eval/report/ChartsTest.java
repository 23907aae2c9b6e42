package dev.sieve.eval.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.eval.metrics.Roc;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {

  /** The first series' colour (Tableau blue): drawn opaque by every chart type. */
  private static final int FIRST_SERIES_RGB = 0x1f77b4;

  @TempDir Path dir;

  @Test
  void histogramOfEntropiesOnALogAxis() throws Exception {
    Random random = new Random(1);
    double[] clean = new double[5_000];
    double[] poisoned = new double[50];
    for (int i = 0; i < clean.length; i++) {
      clean[i] = Math.pow(10, -1 + 0.4 * random.nextGaussian());
    }
    for (int i = 0; i < poisoned.length; i++) {
      poisoned[i] = Math.pow(10, -5 + 0.5 * random.nextGaussian());
    }
    Map<String, double[]> series = new LinkedHashMap<>();
    series.put("clean (5000)", clean);
    series.put("poisoned (50)", poisoned);
    series.put("nothing (0)", new double[0]);
    Path png = dir.resolve("plots").resolve("entropy.png");
    Charts.histogram(png, "Entropy", "log10 entropy", series, 60, true);
    assertDrawn(png);
  }

  @Test
  void histogramSharesAreNormalisedPerSeriesOnSharedEdges() {
    // Edges 0, 1, 2, 3, 4: the maximum 4.0 falls in the last bin.
    assertArrayEquals(new double[] {0.25, 0.25, 0, 0.5}, Charts.shares(new double[] {0, 1.5, 3.2, 4.0}, 0, 1, 4),
        1e-12);
    assertArrayEquals(new double[] {1, 0, 0, 0}, Charts.shares(new double[] {0.5}, 0, 1, 4), 1e-12);
  }

  @Test
  void binEdgesStartFromRoundSteps() {
    assertEquals(1.0, Charts.niceStep(0.85), 1e-12);
    assertEquals(0.2, Charts.niceStep(0.13), 1e-12);
    assertEquals(5.0, Charts.niceStep(3), 1e-12);
    assertEquals(0.01, Charts.niceStep(0.01), 1e-12);
  }

  @Test
  void histogramRefusesWhatALogAxisCannotShowAndEmptyPlots() {
    Path png = dir.resolve("bad.png");
    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () ->
        Charts.histogram(png, "Entropy", "log10 entropy", Map.of("clean", new double[] {0.1, 0.0}), 10, true));
    assertTrue(zero.getMessage().contains("series 'clean': value 1 is 0.0"), zero.getMessage());
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () ->
        Charts.histogram(png, "Entropy", "entropy", Map.of("clean", new double[0]), 10, false));
    assertTrue(empty.getMessage().contains("no values"), empty.getMessage());
  }

  @Test
  void histogramOfASingleDistinctValue() throws Exception {
    Path png = dir.resolve("one.png");
    Charts.histogram(png, "Constant", "x", Map.of("all the same", new double[] {2, 2, 2}), 20, false);
    assertDrawn(png);
  }

  @Test
  void rocCurvesWithTheirAuroc() throws Exception {
    Map<String, Roc.Curve> curves = new LinkedHashMap<>();
    curves.put("BadNets 10 %", Roc.curve(new double[] {0.9, 0.8, 0.7, 0.3, 0.2, 0.1},
        new boolean[] {true, true, false, true, false, false}));
    curves.put("Blend 10 %", Roc.curve(new double[] {0.9, 0.5, 0.5, 0.1}, new boolean[] {false, true, false, true}));
    Path png = dir.resolve("roc.png");
    Charts.roc(png, "ROC", curves);
    assertDrawn(png);
  }

  @Test
  void linesWithAGapWhereAValueIsUndefined() throws Exception {
    Map<String, double[][]> series = new LinkedHashMap<>();
    series.put("vab CA", new double[][] {{1, 2, 3, 4}, {0.70, 0.80, 0.85, 0.87}});
    series.put("vab ASR", new double[][] {{1, 2, 3, 4}, {0.9, Double.NaN, 0.2, 0.1}});
    Path png = dir.resolve("curves.png");
    Charts.lines(png, "Training curves", "epoch", "accuracy / ASR", series);
    assertDrawn(png);

    IllegalArgumentException ragged = assertThrows(IllegalArgumentException.class, () -> Charts.lines(png, "t", "x",
        "y", Map.of("bad", new double[][] {{1, 2}, {1}})));
    assertTrue(ragged.getMessage().contains("'bad'") && ragged.getMessage().contains("lengths 2 1"),
        ragged.getMessage());
  }

  @Test
  void groupedBarsWithAnEmptySlot() throws Exception {
    Map<String, double[]> series = new LinkedHashMap<>();
    series.put("none", new double[] {0.99, 0.97, 0.95});
    series.put("filter", new double[] {0.05, 0.30, Double.NaN});
    series.put("vab", new double[] {0.02, 0.10, 0.40});
    Path png = dir.resolve("asr.png");
    Charts.bars(png, "ASR per defense", "ASR", List.of("BadNets 10 %", "Blend 10 %", "WaNet 10 %"), series);
    assertDrawn(png);

    IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class, () -> Charts.bars(png, "t",
        "y", List.of("a", "b"), Map.of("s", new double[] {1})));
    assertTrue(mismatch.getMessage().contains("1 values for 2 categories"), mismatch.getMessage());
  }

  /** A PNG of the default size with a real picture in it: many colours, the first series' among them. */
  private static void assertDrawn(Path png) throws Exception {
    BufferedImage image = ImageIO.read(png.toFile());
    assertNotNull(image, png + " is not a readable image");
    assertEquals(Charts.WIDTH, image.getWidth());
    assertEquals(Charts.HEIGHT, image.getHeight());
    Set<Integer> colours = new HashSet<>();
    int firstSeries = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y) & 0xffffff;
        colours.add(rgb);
        firstSeries += rgb == FIRST_SERIES_RGB ? 1 : 0;
      }
    }
    assertTrue(colours.size() > 20, png + " has only " + colours.size() + " colours");
    assertTrue(firstSeries > 50, png + " shows the first series in " + firstSeries + " pixels");
  }
}
