package dev.sieve.ui;

import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import javax.imageio.ImageIO;

/**
 * Renders a sample's pixels as a PNG at its own size (28x28 for Fashion-MNIST); the page scales
 * it up with nearest-neighbour rendering, so a 3x3 trigger patch stays a crisp square.
 *
 * <p>Pixels are read as {@code ImageTensors} reads them for the model: row-major, channels last,
 * UINT8 bytes or little-endian float32 in [0,1]. One channel gives a grey image, three an RGB one;
 * any other count shows the first channel.
 */
public final class Thumbnails {

  private Thumbnails() {}

  public static byte[] png(LabeledSample sample) {
    BufferedImage image = image(sample);
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try {
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalStateException("this JDK has no PNG writer");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode sample " + sample.getId() + " as PNG", e);
    }
    return out.toByteArray();
  }

  static BufferedImage image(LabeledSample sample) {
    int h = sample.getHeight();
    int w = sample.getWidth();
    int c = sample.getChannels();
    if (h <= 0 || w <= 0 || c <= 0) {
      throw new IllegalArgumentException("sample " + sample.getId() + " has shape " + h + "x" + w + "x" + c
          + ", expected positive height, width and channels");
    }
    boolean floats = sample.getEncoding() == PixelEncoding.FLOAT32_LE;
    int bytesPerValue = floats ? 4 : 1;
    ByteBuffer pixels = sample.getPixels().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long expected = (long) h * w * c * bytesPerValue;
    if (pixels.remaining() != expected) {
      throw new IllegalArgumentException("sample " + sample.getId() + " has " + pixels.remaining()
          + " pixel bytes, expected " + expected + " for " + h + "x" + w + "x" + c + " " + sample.getEncoding());
    }
    boolean rgb = c == 3;
    BufferedImage image = new BufferedImage(w, h, rgb ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
    WritableRaster raster = image.getRaster();
    int[] value = new int[c];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int ch = 0; ch < c; ch++) {
          value[ch] = floats ? toByte(pixels.getFloat()) : pixels.get() & 0xFF;
        }
        if (rgb) {
          raster.setPixel(x, y, value);
        } else {
          raster.setSample(x, y, 0, value[0]);
        }
      }
    }
    return image;
  }

  /** A float in [0,1] to 0..255; anything out of range (the filter dead-letters it) is clamped. */
  private static int toByte(float v) {
    if (!(v > 0f)) {
      return 0;
    }
    return v >= 1f ? 255 : Math.round(v * 255f);
  }
}
