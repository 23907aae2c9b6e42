package dev.sieve.eval.report;

import dev.sieve.eval.metrics.Roc;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's plots as PNG files, drawn by XChart off screen. Every method takes its series as a
 * map from legend name to data, drawn in the map's iteration order (pass a LinkedHashMap to
 * choose), and writes the file whole or not at all, creating its directory.
 *
 * <p>Loading this class sets {@code java.awt.headless=true} unless the JVM was told otherwise: the
 * report is written on servers and in CI, where there is no display to find.
 */
public final class Charts {

  public static final int WIDTH = 800;
  public static final int HEIGHT = 500;

  /** The Tableau 10 palette: ten hues that stay apart on white, the first two blue and red. */
  private static final Color[] PALETTE = {
      new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
      new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private Charts() {}

  /**
   * Overlaid histograms on shared bin edges. Each bar is the share of its own series that falls in
   * the bin, so a few hundred poisoned samples stay as visible as tens of thousands of clean ones;
   * the legend keeps each series' name (put the count there). With {@code log10X} the values are
   * binned by their base-10 logarithm (put that in {@code xLabel}), which spreads entropies that
   * span several orders of magnitude; every value must then be positive. Empty series are left out.
   */
  public static void histogram(Path png, String title, String xLabel, Map<String, double[]> series, int bins,
      boolean log10X) {
    if (bins < 1) {
      throw new IllegalArgumentException("histogram '" + title + "' needs at least 1 bin, got " + bins);
    }
    Map<String, double[]> values = new LinkedHashMap<>();
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (Map.Entry<String, double[]> e : series.entrySet()) {
      double[] v = binnable(title, e.getKey(), e.getValue(), log10X);
      if (v.length == 0) {
        continue;
      }
      values.put(e.getKey(), v);
      for (double x : v) {
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
    }
    if (values.isEmpty()) {
      throw new IllegalArgumentException("histogram '" + title + "' has no values in any of its series "
          + series.keySet());
    }
    if (min == max) {
      // One distinct value: give it a unit-wide range so it lands in a visible bar.
      min -= 0.5;
      max += 0.5;
    }
    // Round edges: XChart ticks a fixed axis from its ends, so round ends make round tick labels.
    double step = niceStep((max - min) / 10);
    // (+ 0.0 turns a -0.0 into 0.0, which would otherwise be labelled "-0".)
    min = Math.floor(min / step) * step + 0.0;
    max = Math.ceil(max / step) * step + 0.0;
    double width = (max - min) / bins;

    XYChart chart = xyChart(title, xLabel, "share of the series");
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setXAxisMin(min).setXAxisMax(max);
    chart.getStyler().setXAxisDecimalPattern("0.##");
    chart.getStyler().setYAxisDecimalPattern("0.###");
    // Below the plot: inside, it would cover the tallest bars, which sit at the top.
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    int colour = 0;
    double tallest = 0;
    for (Map.Entry<String, double[]> e : values.entrySet()) {
      double[] share = shares(e.getValue(), min, width, bins);
      tallest = Math.max(tallest, Arrays.stream(share).max().orElse(0));
      // The outline of the bars as one closed path along the axis: XChart's area fill then draws
      // exact bins, whatever its step conventions.
      double[] xs = new double[2 * bins + 2];
      double[] ys = new double[2 * bins + 2];
      xs[0] = min;
      for (int b = 0; b < bins; b++) {
        xs[2 * b + 1] = min + b * width;
        xs[2 * b + 2] = b == bins - 1 ? max : min + (b + 1) * width;
        ys[2 * b + 1] = share[b];
        ys[2 * b + 2] = share[b];
      }
      xs[2 * bins + 1] = max;
      Color c = PALETTE[colour++ % PALETTE.length];
      XYSeries s = chart.addSeries(e.getKey(), xs, ys);
      s.setMarker(SeriesMarkers.NONE);
      s.setLineColor(c);
      s.setFillColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 90));
      s.setLineWidth(1.5f);
    }
    // Headroom above the tallest bar; XChart otherwise ticks a 0..1 axis at its two ends only.
    chart.getStyler().setYAxisMax(tallest * 1.05);
    write(png, chart);
  }

  /** The smallest of 1, 2 or 5 times a power of ten that is at least {@code rough}. */
  static double niceStep(double rough) {
    double decade = Math.pow(10, Math.floor(Math.log10(rough)));
    for (double m : new double[] {1, 2, 5}) {
      if (m * decade >= rough * (1 - 1e-9)) {
        return m * decade;
      }
    }
    return 10 * decade;
  }

  /** The share of {@code values} in each of {@code bins} bins of {@code width} from {@code min}. */
  static double[] shares(double[] values, double min, double width, int bins) {
    double[] share = new double[bins];
    for (double x : values) {
      // The maximum belongs to the last bin, not to one past it.
      share[Math.max(0, Math.min(bins - 1, (int) ((x - min) / width)))] += 1.0 / values.length;
    }
    return share;
  }

  /** ROC curves, one per detector, each with its AUROC in the legend, over the chance diagonal. */
  public static void roc(Path png, String title, Map<String, Roc.Curve> curves) {
    if (curves.isEmpty()) {
      throw new IllegalArgumentException("ROC plot '" + title + "' has no curves");
    }
    XYChart chart = xyChart(title, "false-positive rate (clean samples flagged)",
        "true-positive rate (poisoned samples flagged)");
    chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    XYSeries chance = chart.addSeries("chance (AUROC 0.500)", new double[] {0, 1}, new double[] {0, 1});
    chance.setMarker(SeriesMarkers.NONE);
    chance.setLineColor(Color.GRAY);
    chance.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    int colour = 0;
    for (Map.Entry<String, Roc.Curve> e : curves.entrySet()) {
      Roc.Curve curve = e.getValue();
      String name = String.format(Locale.ROOT, "%s (AUROC %.3f)", e.getKey(), curve.auroc());
      XYSeries s = chart.addSeries(name, curve.fpr(), curve.tpr());
      s.setMarker(SeriesMarkers.NONE);
      s.setLineColor(PALETTE[colour++ % PALETTE.length]);
      s.setLineWidth(2f);
    }
    write(png, chart);
  }

  /**
   * Line plots, each series {@code {x[], y[]}} of equal length. A NaN y (say a metric with no
   * denominator at that point) leaves a gap in its line rather than a made-up value; a series with
   * no finite y at all is left out.
   */
  public static void lines(Path png, String title, String xLabel, String yLabel, Map<String, double[][]> series) {
    XYChart chart = xyChart(title, xLabel, yLabel);
    // Beside the plot, one entry a line: a matrix report has many series with long names.
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    int colour = 0;
    int drawn = 0;
    for (Map.Entry<String, double[][]> e : series.entrySet()) {
      double[][] xy = e.getValue();
      if (xy == null || xy.length != 2 || xy[0] == null || xy[1] == null || xy[0].length != xy[1].length) {
        throw new IllegalArgumentException("line series '" + e.getKey() + "' of plot '" + title
            + "' must be {x[], y[]} of equal length, got " + shapeOf(xy));
      }
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (int i = 0; i < xy[0].length; i++) {
        if (!Double.isFinite(xy[0][i])) {
          throw new IllegalArgumentException("line series '" + e.getKey() + "' of plot '" + title + "' has x["
              + i + "] = " + xy[0][i] + "; x must be finite");
        }
        xs.add(xy[0][i]);
        ys.add(Double.isFinite(xy[1][i]) ? xy[1][i] : null);
      }
      if (ys.stream().allMatch(Objects::isNull)) {
        continue;
      }
      XYSeries s = chart.addSeries(e.getKey(), xs, ys);
      // Markers only where points are few enough to tell apart.
      if (xs.size() > 60) {
        s.setMarker(SeriesMarkers.NONE);
      }
      s.setLineColor(PALETTE[colour % PALETTE.length]);
      s.setMarkerColor(PALETTE[colour++ % PALETTE.length]);
      drawn++;
    }
    if (drawn == 0) {
      throw new IllegalArgumentException("line plot '" + title + "' has no finite points in any series "
          + series.keySet());
    }
    write(png, chart);
  }

  /**
   * Grouped bars: one group per category, one bar per series, {@code series} values aligned with
   * {@code categories}. A NaN value (that series has nothing for that category) leaves its slot
   * empty.
   */
  public static void bars(Path png, String title, String yLabel, List<String> categories,
      Map<String, double[]> series) {
    if (categories.isEmpty() || series.isEmpty()) {
      throw new IllegalArgumentException("bar plot '" + title + "' needs categories and series, got "
          + categories.size() + " categories and " + series.size() + " series");
    }
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).yAxisTitle(yLabel)
        .build();
    style(chart.getStyler());
    chart.getStyler().setOverlapped(false);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    chart.getStyler().setYAxisMin(0.0);
    if (categories.size() > 4) {
      chart.getStyler().setXAxisLabelRotation(30);
    }
    int colour = 0;
    for (Map.Entry<String, double[]> e : series.entrySet()) {
      double[] v = e.getValue();
      if (v.length != categories.size()) {
        throw new IllegalArgumentException("bar series '" + e.getKey() + "' of plot '" + title + "' has "
            + v.length + " values for " + categories.size() + " categories");
      }
      List<Double> ys = new ArrayList<>();
      for (double y : v) {
        ys.add(Double.isFinite(y) ? y : null);
      }
      CategorySeries s = chart.addSeries(e.getKey(), categories, ys);
      s.setFillColor(PALETTE[colour++ % PALETTE.length]);
    }
    write(png, chart);
  }

  private static XYChart xyChart(String title, String xLabel, String yLabel) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xLabel)
        .yAxisTitle(yLabel).build();
    style(chart.getStyler());
    return chart;
  }

  private static void style(Styler styler) {
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBackgroundColor(Color.WHITE);
    styler.setPlotBorderColor(Color.LIGHT_GRAY);
    styler.setLegendBorderColor(Color.LIGHT_GRAY);
    styler.setAntiAlias(true);
  }

  /** Values ready to bin: finite, and log10 of them when asked; names the bad value otherwise. */
  private static double[] binnable(String title, String name, double[] values, boolean log10) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      double v = values[i];
      if (!Double.isFinite(v) || (log10 && v <= 0)) {
        throw new IllegalArgumentException("histogram '" + title + "', series '" + name + "': value " + i + " is "
            + v + ", expected a finite" + (log10 ? " positive number (the x axis is log10)" : " number"));
      }
      out[i] = log10 ? Math.log10(v) : v;
    }
    return out;
  }

  private static String shapeOf(double[][] xy) {
    if (xy == null) {
      return "null";
    }
    StringBuilder s = new StringBuilder(xy.length + " arrays of lengths");
    for (double[] a : xy) {
      s.append(' ').append(a == null ? "null" : Integer.toString(a.length));
    }
    return s.toString();
  }

  private static void write(Path png, Chart<?, ?> chart) {
    byte[] bytes;
    try {
      bytes = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("could not encode plot '" + chart.getTitle() + "' as PNG for " + png, e);
    }
    AtomicFile.write(png, bytes);
  }
}
