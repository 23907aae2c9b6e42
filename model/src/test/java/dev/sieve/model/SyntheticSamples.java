package dev.sieve.model;

import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A tiny learnable task: the label is which of 4 quadrants holds a bright square (plus noise). */
public final class SyntheticSamples {

  private SyntheticSamples() {}

  public static List<LabeledSample> quadrants(int n, long seed) {
    Random random = new Random(seed);
    List<LabeledSample> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int label = random.nextInt(4);
      byte[] pixels = new byte[28 * 28];
      for (int p = 0; p < pixels.length; p++) {
        pixels[p] = (byte) random.nextInt(60);
      }
      int r0 = (label / 2) * 14 + 3;
      int c0 = (label % 2) * 14 + 3;
      for (int r = r0; r < r0 + 8; r++) {
        for (int c = c0; c < c0 + 8; c++) {
          pixels[r * 28 + c] = (byte) (200 + random.nextInt(56));
        }
      }
      out.add(sample("q-" + i, label, pixels));
    }
    return out;
  }

  /**
   * The quadrant task on {@code channels x size x size} images, stored HWC as on the wire: the
   * square is bright in the last channel only, so the network must look past channel 0.
   */
  public static List<LabeledSample> colourQuadrants(int n, long seed, int channels, int size) {
    Random random = new Random(seed);
    List<LabeledSample> out = new ArrayList<>(n);
    int side = size / 4;
    for (int i = 0; i < n; i++) {
      int label = random.nextInt(4);
      byte[] pixels = new byte[size * size * channels];
      for (int p = 0; p < pixels.length; p++) {
        pixels[p] = (byte) random.nextInt(60);
      }
      int r0 = (label / 2) * size / 2 + size / 8;
      int c0 = (label % 2) * size / 2 + size / 8;
      for (int r = r0; r < r0 + side; r++) {
        for (int c = c0; c < c0 + side; c++) {
          pixels[(r * size + c) * channels + channels - 1] = (byte) (200 + random.nextInt(56));
        }
      }
      out.add(LabeledSample.newBuilder(sample("cq-" + i, label, pixels)).setHeight(size).setWidth(size)
          .setChannels(channels).build());
    }
    return out;
  }

  public static LabeledSample sample(String id, int label, byte[] pixels) {
    return LabeledSample.newBuilder()
        .setId(id).setSource("test").setLabel(label)
        .setHeight(28).setWidth(28).setChannels(1).setEncoding(PixelEncoding.UINT8)
        .setPixels(ByteBuffer.wrap(pixels)).setEventTime(Instant.EPOCH).setMetadata(Map.of())
        .build();
  }
}
