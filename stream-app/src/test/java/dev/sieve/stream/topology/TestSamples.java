package dev.sieve.stream.topology;

import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/** Builds Fashion-MNIST-shaped samples for the topology tests. */
final class TestSamples {

  static final int SIDE = 28;
  static final int VALUES = SIDE * SIDE;

  private TestSamples() {}

  static LabeledSample.Builder uint8(String id, int label) {
    byte[] pixels = new byte[VALUES];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) ((i * 7 + id.hashCode()) & 0xff);
    }
    return LabeledSample.newBuilder()
        .setId(id)
        .setSource("test")
        .setLabel(label)
        .setHeight(SIDE)
        .setWidth(SIDE)
        .setChannels(1)
        .setEncoding(PixelEncoding.UINT8)
        .setPixels(ByteBuffer.wrap(pixels))
        .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
        .setMetadata(Map.of("origin", "unit-test"));
  }

  static LabeledSample.Builder float32(String id, int label, float... override) {
    ByteBuffer pixels = ByteBuffer.allocate(VALUES * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < VALUES; i++) {
      pixels.putFloat(i < override.length ? override[i] : (i % 256) / 255f);
    }
    pixels.flip();
    return uint8(id, label).setEncoding(PixelEncoding.FLOAT32_LE).setPixels(pixels);
  }

  static byte[] key(String id) {
    return id.getBytes(StandardCharsets.UTF_8);
  }
}
