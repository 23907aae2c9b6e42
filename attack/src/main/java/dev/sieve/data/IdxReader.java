package dev.sieve.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST: a big-endian header (magic, dimension sizes)
 * followed by unsigned bytes. Files may be gzip-compressed, as distributed, or plain; the gzip
 * magic {@code 1f 8b} decides, not the file name.
 *
 * <p>Every size is checked against the bytes actually present, so a truncated download or a file
 * of the wrong kind fails here with the file named, not later as a puzzling image.
 */
public final class IdxReader {

  /** Magic of an unsigned-byte, 3-dimensional (count x rows x cols) IDX file. */
  public static final int IMAGES_MAGIC = 0x0000_0803;
  /** Magic of an unsigned-byte, 1-dimensional (count) IDX file. */
  public static final int LABELS_MAGIC = 0x0000_0801;

  /** Far above any real image side; guards against allocating from a garbage header. */
  private static final int MAX_SIDE = 4096;

  private IdxReader() {}

  /** Images of one IDX file: {@code pixels[i]} is image i, row-major, {@code rows * cols} bytes. */
  public record Images(byte[][] pixels, int rows, int cols) {
    public int count() {
      return pixels.length;
    }
  }

  public static Images readImages(Path file) throws IOException {
    try (DataInputStream in = open(file)) {
      int magic = readHeaderInt(in, file, "magic number");
      if (magic != IMAGES_MAGIC) {
        throw new IdxFormatException(file, "magic number is " + magic + ", expected " + IMAGES_MAGIC
            + " (unsigned-byte images, 3 dimensions)" + hintFor(magic));
      }
      int count = readHeaderInt(in, file, "image count");
      int rows = readHeaderInt(in, file, "row count");
      int cols = readHeaderInt(in, file, "column count");
      if (count < 0) {
        throw new IdxFormatException(file, "image count is " + count + ", expected >= 0");
      }
      if (rows < 1 || rows > MAX_SIDE || cols < 1 || cols > MAX_SIDE) {
        throw new IdxFormatException(file, "image size is " + rows + "x" + cols
            + ", expected each side in [1, " + MAX_SIDE + "]");
      }
      byte[][] pixels = new byte[count][rows * cols];
      for (int i = 0; i < count; i++) {
        readBody(in, pixels[i], file, "image " + i + " of " + count);
      }
      requireEnd(in, file, count + " images of " + rows + "x" + cols);
      return new Images(pixels, rows, cols);
    }
  }

  /** Labels as unsigned values 0..255. */
  public static int[] readLabels(Path file) throws IOException {
    try (DataInputStream in = open(file)) {
      int magic = readHeaderInt(in, file, "magic number");
      if (magic != LABELS_MAGIC) {
        throw new IdxFormatException(file, "magic number is " + magic + ", expected " + LABELS_MAGIC
            + " (unsigned-byte labels, 1 dimension)" + hintFor(magic));
      }
      int count = readHeaderInt(in, file, "label count");
      if (count < 0) {
        throw new IdxFormatException(file, "label count is " + count + ", expected >= 0");
      }
      byte[] raw = new byte[count];
      readBody(in, raw, file, count + " labels");
      requireEnd(in, file, count + " labels");
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        labels[i] = raw[i] & 0xFF;
      }
      return labels;
    }
  }

  private static DataInputStream open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new java.io.FileNotFoundException("IDX file " + file + " does not exist or is not a regular file");
    }
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    try {
      raw.mark(2);
      int b0 = raw.read();
      int b1 = raw.read();
      raw.reset();
      InputStream body = (b0 == 0x1f && b1 == 0x8b) ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
      return new DataInputStream(body);
    } catch (IOException e) {
      raw.close();
      throw new IdxFormatException(file, "cannot open as gzip: " + e.getMessage(), e);
    }
  }

  private static int readHeaderInt(DataInputStream in, Path file, String what) throws IOException {
    try {
      return in.readInt();
    } catch (EOFException e) {
      throw new IdxFormatException(file, "file ends inside the header, before the " + what, e);
    } catch (IOException e) {
      throw new IdxFormatException(file, "cannot read the " + what + ": " + e.getMessage(), e);
    }
  }

  private static void readBody(DataInputStream in, byte[] into, Path file, String what) throws IOException {
    try {
      in.readFully(into);
    } catch (EOFException e) {
      throw new IdxFormatException(file, "file is truncated: it ends inside " + what
          + " although the header announces more", e);
    } catch (IOException e) {
      throw new IdxFormatException(file, "cannot read " + what + ": " + e.getMessage(), e);
    }
  }

  private static void requireEnd(DataInputStream in, Path file, String what) throws IOException {
    if (in.read() != -1) {
      throw new IdxFormatException(file, "has bytes after the " + what + " its header announces");
    }
  }

  /** Swapped files are the commonest mistake; say so when the other kind's magic shows up. */
  private static String hintFor(int magic) {
    if (magic == IMAGES_MAGIC) {
      return "; this is an images file, was it given where labels belong?";
    }
    if (magic == LABELS_MAGIC) {
      return "; this is a labels file, was it given where images belong?";
    }
    return "";
  }
}
