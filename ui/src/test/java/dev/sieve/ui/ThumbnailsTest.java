package dev.sieve.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ThumbnailsTest {

  static LabeledSample sample(String id, int label, PixelEncoding encoding, byte[] pixels, int channels) {
    return LabeledSample.newBuilder().setId(id).setSource("test").setLabel(label)
        .setHeight(28).setWidth(28).setChannels(channels).setEncoding(encoding)
        .setPixels(ByteBuffer.wrap(pixels)).setEventTime(Instant.EPOCH).setMetadata(Map.of()).build();
  }

  private static BufferedImage decode(byte[] png) throws Exception {
    assertEquals((byte) 0x89, png[0]);
    assertEquals('P', png[1], "PNG signature");
    return ImageIO.read(new ByteArrayInputStream(png));
  }

  @Test
  void uint8SampleBecomesA28x28GreyPng() throws Exception {
    byte[] pixels = new byte[28 * 28];
    pixels[5 * 28 + 3] = (byte) 200; // row 5, column 3
    pixels[27 * 28 + 27] = (byte) 255;
    BufferedImage image = decode(Thumbnails.png(sample("a", 1, PixelEncoding.UINT8, pixels, 1)));
    assertEquals(28, image.getWidth());
    assertEquals(28, image.getHeight());
    assertEquals(200, image.getRaster().getSample(3, 5, 0), "x is the column, y the row");
    assertEquals(255, image.getRaster().getSample(27, 27, 0));
    assertEquals(0, image.getRaster().getSample(5, 3, 0));
  }

  @Test
  void float32SampleIsScaledTo255() throws Exception {
    ByteBuffer floats = ByteBuffer.allocate(28 * 28 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 28 * 28; i++) {
      floats.putFloat(i == 28 * 10 + 20 ? 0.5f : i == 0 ? 1f : 0f);
    }
    BufferedImage image = decode(Thumbnails.png(sample("f", 2, PixelEncoding.FLOAT32_LE, floats.array(), 1)));
    assertEquals(128, image.getRaster().getSample(20, 10, 0));
    assertEquals(255, image.getRaster().getSample(0, 0, 0));
  }

  @Test
  void threeChannelsGiveColour() throws Exception {
    byte[] pixels = new byte[28 * 28 * 3];
    pixels[0] = (byte) 255; // pixel (0,0) pure red, channels last
    BufferedImage image = decode(Thumbnails.png(sample("rgb", 0, PixelEncoding.UINT8, pixels, 3)));
    assertEquals(0xFF0000, image.getRGB(0, 0) & 0xFFFFFF);
  }

  @Test
  void aShortPixelArrayIsRefusedWithTheCounts() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Thumbnails.png(sample("short", 0, PixelEncoding.UINT8, new byte[100], 1)));
    assertTrue(e.getMessage().contains("100 pixel bytes, expected 784"), e.getMessage());
  }
}
