package dev.sieve.model.training.beneficiary;

import java.util.Arrays;

/**
 * V&B's AttentionMix as plain array math (no DJL), so the formulas can be checked by hand.
 *
 * <p>The attention of a sample is the channel energy {@code A = Σ_c F_c²} of the last conv
 * feature maps, resized to the input with nearest neighbour (as V&B's code does; its paper says
 * bilinear) and min-max normalised per sample. Its mask {@code M = A ≥ threshold} marks what the
 * network looks at. Each sample is mixed with a partner inside its OWN mask, in proportion to how
 * much attention each of the two puts there: {@code W = Σ(A·M)/ΣA}, {@code W' = Σ(A'·M)/ΣA'},
 *
 * <pre>
 *   x̃ = x·(1−M) + W/(W+W')·x·M + W'/(W+W')·x'·M
 *   ỹ = (1 − W + W²/(W+W'))·y + (W − W²/(W+W'))·y'
 * </pre>
 *
 * The label keeps the share {@code 1−W} of the sample's attention outside the mask plus its share
 * {@code W/(W+W')} of the mixed part. Why it helps against a backdoor: a trigger that survived
 * the filter is where a poisoned model looks, so it lands inside the mask and is diluted by a clean
 * partner while the label is diluted by that partner's class, which weakens the trigger→target
 * shortcut more than it weakens the clean features.
 */
public final class AttentionMix {

  private AttentionMix() {}

  /**
   * One mixed batch.
   *
   * @param images the mixed images, same layout as the input ({@code [n, C, H, W]} row-major)
   * @param targets the mixed soft targets, {@code [n, numClasses]} row-major
   * @param ownWeights {@code W} of each sample (0 where the sample was left unmixed)
   * @param partnerWeights {@code W'} of each sample's partner inside the sample's mask
   * @param mixed whether each sample was mixed (false: empty mask or all-zero attention)
   * @param meanMaskShare mean fraction of pixels inside the mask, the "mixed region" V&B logs
   */
  public record Mixed(float[] images, float[] targets, double[] ownWeights, double[] partnerWeights,
      boolean[] mixed, double meanMaskShare) {}

  /**
   * Attention maps of a batch of feature maps {@code [n, channels, h, w]} (row-major): channel
   * energy, resized to {@code outH × outW} with nearest neighbour, then min-max normalised per
   * sample (V&B's order; for an integer upscale like 7→28 the order does not matter). A sample
   * whose energy is the same everywhere gets an all-zero map.
   */
  public static float[][] attentionMaps(float[] features, int n, int channels, int h, int w, int outH, int outW) {
    if (features.length != n * channels * h * w) {
      throw new IllegalArgumentException("features have " + features.length + " values, expected n*C*h*w = "
          + n + "*" + channels + "*" + h + "*" + w);
    }
    float[][] maps = new float[n][outH * outW];
    double[] energy = new double[h * w];
    for (int i = 0; i < n; i++) {
      Arrays.fill(energy, 0);
      for (int c = 0; c < channels; c++) {
        int base = (i * channels + c) * h * w;
        for (int p = 0; p < h * w; p++) {
          double f = features[base + p];
          energy[p] += f * f;
        }
      }
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      double[] resized = new double[outH * outW];
      for (int y = 0; y < outH; y++) {
        // PyTorch's 'nearest': source index floor(dst * in / out).
        int sy = (int) ((long) y * h / outH);
        for (int x = 0; x < outW; x++) {
          int sx = (int) ((long) x * w / outW);
          double v = energy[sy * w + sx];
          resized[y * outW + x] = v;
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
      double range = max - min;
      for (int p = 0; p < resized.length; p++) {
        maps[i][p] = range > 0 ? (float) ((resized[p] - min) / range) : 0f;
      }
    }
    return maps;
  }

  /**
   * Mixes every sample with {@code partner[i]}.
   *
   * @param images {@code [n, channels, H, W]} row-major, with {@code H*W} equal to the length of
   *     each attention map; the mask covers all channels of a pixel
   * @param attention one map of {@code H*W} values in [0,1] per sample, see {@link #attentionMaps}
   * @param targets {@code [n, numClasses]} row-major (one-hot or already suppressed)
   * @param partner the partner index of each sample, usually a random permutation of the batch
   * @param threshold mask level: {@code M = A ≥ threshold}
   */
  public static Mixed mix(float[] images, int channels, float[][] attention, float[] targets, int numClasses,
      int[] partner, double threshold) {
    int n = attention.length;
    if (n == 0) {
      return new Mixed(images.clone(), targets.clone(), new double[0], new double[0], new boolean[0], 0);
    }
    int pixels = attention[0].length;
    if (images.length != n * channels * pixels) {
      throw new IllegalArgumentException("images have " + images.length + " values, expected n*C*pixels = "
          + n + "*" + channels + "*" + pixels);
    }
    if (targets.length != n * numClasses) {
      throw new IllegalArgumentException("targets have " + targets.length + " values, expected n*numClasses = "
          + n + "*" + numClasses);
    }
    if (partner.length != n) {
      throw new IllegalArgumentException("partner has " + partner.length + " entries, expected one per sample (" + n + ")");
    }
    double[] sums = new double[n];
    for (int i = 0; i < n; i++) {
      if (attention[i].length != pixels) {
        throw new IllegalArgumentException("attention map " + i + " has " + attention[i].length
            + " values, expected " + pixels);
      }
      if (partner[i] < 0 || partner[i] >= n) {
        throw new IllegalArgumentException("partner[" + i + "] is " + partner[i] + ", expected an index in [0, " + n + ")");
      }
      for (float a : attention[i]) {
        sums[i] += a;
      }
    }

    float[] outImages = images.clone();
    float[] outTargets = targets.clone();
    double[] own = new double[n];
    double[] other = new double[n];
    boolean[] mixed = new boolean[n];
    double maskShareSum = 0;
    boolean[] mask = new boolean[pixels];
    for (int i = 0; i < n; i++) {
      int j = partner[i];
      float[] a = attention[i];
      float[] b = attention[j];
      double inOwn = 0;
      double inOther = 0;
      int masked = 0;
      for (int p = 0; p < pixels; p++) {
        mask[p] = a[p] >= threshold;
        if (mask[p]) {
          inOwn += a[p];
          inOther += b[p];
          masked++;
        }
      }
      maskShareSum += (double) masked / pixels;
      // All-zero attention gives no W to weigh by (and an empty mask nothing to mix): keep the
      // sample as it is rather than dividing by zero.
      if (sums[i] <= 0 || masked == 0) {
        continue;
      }
      double w = inOwn / sums[i];
      double wp = sums[j] > 0 ? inOther / sums[j] : 0;
      double total = w + wp;
      own[i] = w;
      other[i] = wp;
      mixed[i] = true;
      double keep = w / total;
      double take = wp / total;
      for (int c = 0; c < channels; c++) {
        int bi = (i * channels + c) * pixels;
        int bj = (j * channels + c) * pixels;
        for (int p = 0; p < pixels; p++) {
          if (mask[p]) {
            outImages[bi + p] = (float) (keep * images[bi + p] + take * images[bj + p]);
          }
        }
      }
      double ownLabel = 1 - w + w * w / total;
      double partnerLabel = w - w * w / total;
      for (int k = 0; k < numClasses; k++) {
        outTargets[i * numClasses + k] =
            (float) (ownLabel * targets[i * numClasses + k] + partnerLabel * targets[j * numClasses + k]);
      }
    }
    return new Mixed(outImages, outTargets, own, other, mixed, maskShareSum / n);
  }
}
