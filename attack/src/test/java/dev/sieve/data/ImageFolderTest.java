package dev.sieve.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.wire.DatasetDescriptor;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {

  @TempDir Path root;

  @Test
  void colourBecomesGreyByLumaAndLabelsFollowTheDescriptorsOrder() throws Exception {
    Files.createDirectories(root.resolve("b-red"));
    Files.createDirectories(root.resolve("a-grey"));
    BufferedImage red = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        red.setRGB(x, y, 200 << 16 | 100 << 8 | 50);
      }
    }
    ImageIO.write(red, "png", root.resolve("b-red/x.png").toFile());
    BufferedImage grey = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setSample(1, 2, 0, 77);
    ImageIO.write(grey, "png", root.resolve("a-grey/y.png").toFile());
    Files.writeString(root.resolve("a-grey/z.jpg"), "no jpeg");

    // The descriptor's order, not the directories', gives the label.
    DatasetDescriptor d = new DatasetDescriptor("t", 1, 4, 4, List.of("b-red", "a-grey"));
    ImageFolder folder = ImageFolder.scan(root, d, ImageFolder.Resize.NONE);
    assertEquals(Map.of("a-grey", 1, "b-red", 0), folder.labels());
    assertEquals(3, folder.size());
    ImageFolder.Item y = folder.read(0);
    assertEquals("a-grey/y.png", y.sample().getId());
    assertEquals(1, y.sample().getLabel());
    assertEquals(77, y.sample().getPixels().get(2 * 4 + 1) & 0xFF, "a grey PNG's values, unconverted");
    ImageFolder.Item z = folder.read(1);
    assertNull(z.sample());
    assertTrue(z.refusal().startsWith("a-grey/z.jpg: ") && z.refusal().contains("decode"), z.refusal());
    ImageFolder.Item x = folder.read(2);
    assertEquals(0, x.sample().getLabel());
    assertEquals(Math.round(0.299 * 200 + 0.587 * 100 + 0.114 * 50), x.sample().getPixels().get(0) & 0xFF);
  }

  @Test
  void unknownClassDirectoriesAndFourChannelsAreRefused() throws Exception {
    Files.createDirectories(root.resolve("cat"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ImageFolder.scan(root, DatasetDescriptor.of(3, 8, 8, 2), ImageFolder.Resize.NONE));
    assertTrue(e.getMessage().contains("[cat]") && e.getMessage().contains("--class-names cat"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> ImageFolder.scan(root, DatasetDescriptor.of(4, 8, 8, 2), ImageFolder.Resize.NONE));
  }
}
