package dev.sieve.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

  @TempDir Path dir;

  /** Three 2x3 images whose pixel values encode image, row and column, including values > 127. */
  private static final byte[][] IMAGES = {
      {0, 1, 2, 10, 11, 12},
      {(byte) 200, (byte) 201, (byte) 202, (byte) 210, (byte) 211, (byte) 255},
      {5, 4, 3, 2, 1, 0}};

  private static byte[] imagesIdx(int magic, int count, int rows, int cols, byte[]... images) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(magic);
    out.writeInt(count);
    out.writeInt(rows);
    out.writeInt(cols);
    for (byte[] image : images) {
      out.write(image);
    }
    return bytes.toByteArray();
  }

  private static byte[] labelsIdx(int magic, int count, int... labels) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(magic);
    out.writeInt(count);
    for (int label : labels) {
      out.writeByte(label);
    }
    return bytes.toByteArray();
  }

  private Path write(String name, byte[] content, boolean gzip) throws IOException {
    Path file = dir.resolve(name);
    try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
      out.write(content);
    }
    return file;
  }

  @Test
  void readsPlainAndGzipImagesIdenticallyWhateverTheFileName() throws IOException {
    byte[] content = imagesIdx(2051, 3, 2, 3, IMAGES);
    // The gzip file has no .gz suffix: detection is by magic bytes, not by name.
    for (Path file : new Path[] {write("plain-images", content, false), write("zipped-images", content, true)}) {
      IdxReader.Images images = IdxReader.readImages(file);
      assertEquals(3, images.count(), file.toString());
      assertEquals(2, images.rows());
      assertEquals(3, images.cols());
      for (int i = 0; i < IMAGES.length; i++) {
        assertArrayEquals(IMAGES[i], images.pixels()[i], "image " + i + " of " + file);
      }
    }
  }

  @Test
  void readsLabelsAsUnsignedValues() throws IOException {
    Path file = write("labels.gz", labelsIdx(2049, 4, 0, 9, 127, 255), true);
    assertArrayEquals(new int[] {0, 9, 127, 255}, IdxReader.readLabels(file));
  }

  @Test
  void rejectsWrongMagicNamingTheFileAndTheSwap() throws IOException {
    Path labels = write("labels", labelsIdx(2049, 1, 3), false);
    IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(labels));
    assertTrue(e.getMessage().contains(labels.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("2049") && e.getMessage().contains("2051"), e.getMessage());
    assertTrue(e.getMessage().contains("labels file"), e.getMessage());

    Path garbage = write("garbage", "hello world, not idx".getBytes(), false);
    IdxFormatException g = assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(garbage));
    assertTrue(g.getMessage().contains(garbage.toString()) && g.getMessage().contains("expected 2049"), g.getMessage());
  }

  @Test
  void rejectsTruncatedBodyAndTrailingBytes() throws IOException {
    byte[] full = imagesIdx(2051, 3, 2, 3, IMAGES);
    Path truncated = write("truncated.gz", Arrays.copyOf(full, full.length - 2), true);
    IdxFormatException t = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(truncated));
    assertTrue(t.getMessage().contains(truncated.toString()) && t.getMessage().contains("truncated")
        && t.getMessage().contains("image 2 of 3"), t.getMessage());

    Path longer = write("longer", labelsIdx(2049, 2, 1, 2, 3), false);
    IdxFormatException l = assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(longer));
    assertTrue(l.getMessage().contains(longer.toString()) && l.getMessage().contains("bytes after"), l.getMessage());

    Path header = write("header-only", new byte[] {0, 0, 8, 3, 0, 0}, false);
    IdxFormatException h = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(header));
    assertTrue(h.getMessage().contains("header") && h.getMessage().contains("image count"), h.getMessage());
  }

  @Test
  void rejectsCorruptGzipAndImpossibleSizes() throws IOException {
    byte[] zipped;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(imagesIdx(2051, 3, 2, 3, IMAGES));
    }
    zipped = bytes.toByteArray();
    // Keep the gzip magic but damage the deflate stream.
    for (int i = 12; i < zipped.length - 8; i++) {
      zipped[i] = (byte) 0xFF;
    }
    Path corrupt = dir.resolve("corrupt.gz");
    Files.write(corrupt, zipped);
    IdxFormatException c = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(corrupt));
    assertTrue(c.getMessage().contains(corrupt.toString()), c.getMessage());

    Path negative = write("negative", imagesIdx(2051, -1, 2, 3), false);
    IdxFormatException n = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(negative));
    assertTrue(n.getMessage().contains("image count is -1"), n.getMessage());

    Path zeroRows = write("zero-rows", imagesIdx(2051, 1, 0, 3), false);
    IdxFormatException z = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(zeroRows));
    assertTrue(z.getMessage().contains("0x3"), z.getMessage());
  }

  @Test
  void missingFileSaysSo() {
    Path missing = dir.resolve("absent");
    IOException e = assertThrows(IOException.class, () -> IdxReader.readLabels(missing));
    assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist"), e.getMessage());
  }
}
