package dev.sieve.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Turns samples into the network's input: float32 NCHW in [0,1]. Samples are stored HWC on the
 * wire (row-major, channels last), so channels are moved in front here.
 */
public final class ImageTensors {

  private ImageTensors() {}

  /** Pixel values of one sample as floats in [0,1], CHW order. The sample must be valid. */
  public static float[] toChw(LabeledSample sample) {
    int h = sample.getHeight();
    int w = sample.getWidth();
    int c = sample.getChannels();
    ByteBuffer pixels = sample.getPixels().duplicate();
    float[] out = new float[h * w * c];
    if (sample.getEncoding() == PixelEncoding.FLOAT32_LE) {
      pixels.order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < h * w; i++) {
        for (int ch = 0; ch < c; ch++) {
          out[ch * h * w + i] = pixels.getFloat();
        }
      }
    } else {
      for (int i = 0; i < h * w; i++) {
        for (int ch = 0; ch < c; ch++) {
          out[ch * h * w + i] = (pixels.get() & 0xFF) / 255f;
        }
      }
    }
    return out;
  }

  /**
   * The samples' pixels as one CHW float array in [0,1], image after image, for code that
   * transforms images in Java before they become a tensor. Refuses a sample of another size than
   * the architecture's, naming it.
   */
  public static float[] chwBatch(List<LabeledSample> samples, Architecture arch) {
    int per = arch.pixelsPerImage();
    float[] out = new float[samples.size() * per];
    for (int i = 0; i < samples.size(); i++) {
      LabeledSample s = samples.get(i);
      if (s.getHeight() != arch.height() || s.getWidth() != arch.width() || s.getChannels() != arch.channels()) {
        throw new IllegalArgumentException("sample " + s.getId() + " is " + s.getHeight() + "x" + s.getWidth()
            + "x" + s.getChannels() + ", expected " + arch.height() + "x" + arch.width() + "x" + arch.channels()
            + " for " + arch.id());
      }
      System.arraycopy(toChw(s), 0, out, i * per, per);
    }
    return out;
  }

  /** One NCHW float batch for a list of valid samples of the architecture's size. */
  public static NDArray batch(NDManager manager, Architecture arch, List<LabeledSample> samples) {
    int per = arch.pixelsPerImage();
    float[] data = new float[samples.size() * per];
    for (int i = 0; i < samples.size(); i++) {
      System.arraycopy(toChw(samples.get(i)), 0, data, i * per, per);
    }
    return manager.create(data, new Shape(samples.size(), arch.channels(), arch.height(), arch.width()));
  }

  /**
   * One NCHW float batch from raw uint8 images of the architecture's shape, channels interleaved
   * (HWC) as on the wire: a grey image is plain row-major (e.g. an IDX test set).
   */
  public static NDArray batchFromGray(NDManager manager, Architecture arch, List<byte[]> images) {
    int per = arch.pixelsPerImage();
    float[] data = new float[images.size() * per];
    for (int i = 0; i < images.size(); i++) {
      byte[] img = images.get(i);
      if (img.length != per) {
        throw new IllegalArgumentException("image " + i + " has " + img.length + " bytes, expected " + per);
      }
      hwcToChw(img, arch.channels(), data, i * per);
    }
    return manager.create(data, new Shape(images.size(), arch.channels(), arch.height(), arch.width()));
  }

  /** Writes uint8 HWC {@code image} of {@code channels} channels as CHW floats in [0,1] at {@code out[offset]}. */
  public static void hwcToChw(byte[] image, int channels, float[] out, int offset) {
    int plane = image.length / channels;
    for (int p = 0; p < plane; p++) {
      for (int ch = 0; ch < channels; ch++) {
        out[offset + ch * plane + p] = (image[p * channels + ch] & 0xFF) / 255f;
      }
    }
  }
}
