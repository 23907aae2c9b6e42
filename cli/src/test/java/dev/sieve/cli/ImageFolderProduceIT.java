package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.model.defense.split.SplitPolicies;
import dev.sieve.model.versions.ModelTrust;
import dev.sieve.schemas.DeadLetter;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.stream.app.FilterApp;
import dev.sieve.stream.topology.ErrorClass;
import dev.sieve.stream.topology.FilterConfig;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.DatasetDescriptor;
import dev.sieve.wire.TopicNames;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sieve produce --images DIR} on a generated ImageFolder tree (PNG and JPEG, grey and RGB,
 * one image of the wrong size, one file that is no image, one that is not named as an image)
 * against a real broker and the real filter: every decodable image arrives labelled by its
 * directory and converted to the descriptor's channels; the wrong-size one is dead-lettered by the
 * filter naming both shapes, or arrives resized with {@code --resize bilinear}; the undecodable one
 * is reported by the producer and never sent.
 */
class ImageFolderProduceIT {

  private static final int SIDE = 16;
  private static EmbeddedKafkaBroker broker;

  @TempDir Path dir;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  /** An RGB image whose every pixel is different and known. */
  private static BufferedImage rgb(int width, int height, int seed) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, ((x * 15 + seed) & 0xFF) << 16 | ((y * 15) & 0xFF) << 8 | ((x + y + seed) * 7 & 0xFF));
      }
    }
    return image;
  }

  private Path tree() throws Exception {
    Path root = dir.resolve("images");
    Files.createDirectories(root.resolve("cat"));
    Files.createDirectories(root.resolve("dog"));
    ImageIO.write(rgb(SIDE, SIDE, 1), "png", root.resolve("cat/a.png").toFile());
    // A flat colour survives JPEG's compression within a few levels.
    BufferedImage flat = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < SIDE; y++) {
      for (int x = 0; x < SIDE; x++) {
        flat.setRGB(x, y, 200 << 16 | 40 << 8 | 90);
      }
    }
    ImageIO.write(flat, "jpg", root.resolve("cat/b.jpg").toFile());
    BufferedImage grey = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < SIDE; y++) {
      for (int x = 0; x < SIDE; x++) {
        grey.getRaster().setSample(x, y, 0, (x * 16 + y) & 0xFF);
      }
    }
    ImageIO.write(grey, "png", root.resolve("dog/c.png").toFile());
    ImageIO.write(rgb(20, 24, 3), "png", root.resolve("dog/big.png").toFile());
    Files.write(root.resolve("dog/broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    Files.writeString(root.resolve("dog/notes.txt"), "not an image");
    return root;
  }

  private static String[] produce(String prefix, Path root, String... extra) {
    List<String> args = new ArrayList<>(List.of("produce", "--bootstrap-servers", broker.bootstrapServers(),
        "--topic-prefix", prefix, "--partitions", "1", "--images", root.toString(), "--channels", "3", "--height", "16",
        "--width", "16", "--class-names", "cat,dog"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  @Test
  @Timeout(180)
  void eachImageArrivesConvertedAndLabelledOrIsDeadLetteredOrReportedWithItsReason() throws Exception {
    Path root = tree();
    TopicNames topics = new TopicNames("folder.");
    CommandRun run = CommandRun.of(produce(topics.prefix(), root));
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("sent 4 images") && run.out().contains("1 files could not be decoded")
        && run.out().contains("1 non-image files skipped"), run.out());

    Map<String, LabeledSample> sent = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : read(topics.samples(), 4)) {
      LabeledSample s = AvroSerde.labeledSample().decode(r.value());
      sent.put(s.getId(), s);
    }
    assertEquals(List.of("cat/a.png", "cat/b.jpg", "dog/big.png", "dog/c.png"), List.copyOf(sent.keySet()),
        "every decodable image, in sorted order, keyed by its path in the tree");
    assertEquals(0, sent.get("cat/a.png").getLabel());
    assertEquals(1, sent.get("dog/c.png").getLabel());
    assertArrayEquals(hwc(rgb(SIDE, SIDE, 1)), bytes(sent.get("cat/a.png")), "a PNG arrives exactly, HWC");
    byte[] jpeg = bytes(sent.get("cat/b.jpg"));
    for (int i = 0; i < jpeg.length; i += 3) {
      assertTrue(Math.abs((jpeg[i] & 0xFF) - 200) <= 8 && Math.abs((jpeg[i + 1] & 0xFF) - 40) <= 8
          && Math.abs((jpeg[i + 2] & 0xFF) - 90) <= 8, "JPEG pixel " + i / 3 + " far from its colour");
    }
    byte[] grey = bytes(sent.get("dog/c.png"));
    assertEquals(3 * SIDE * SIDE, grey.length, "a grey image becomes three equal channels");
    assertEquals(5 * 16 + 7, grey[(7 * SIDE + 5) * 3 + 2] & 0xFF, "its values, not a colour-converted copy");
    assertEquals(24, sent.get("dog/big.png").getHeight(), "--resize none sends it as it is");

    // The filter for this descriptor: the wrong-size image is dead-lettered, naming both shapes.
    FilterConfig filter = FilterConfig.defaults(topics).withApplicationId("folder-filter")
        .withDataset(DatasetDescriptor.of(3, SIDE, SIDE, 2));
    try (FilterApp app = new FilterApp(broker.bootstrapServers(), filter, dir.resolve("state"), null,
        SplitPolicies.defaultPolicy(), Map.of(), ModelTrust.within(dir.resolve("victim"))).start()) {
      List<ConsumerRecord<byte[], byte[]>> dead = read(topics.deadLetter(), 1);
      DeadLetter letter = AvroSerde.deadLetter().decode(dead.get(0).value());
      assertEquals(ErrorClass.WRONG_IMAGE_SIZE.name(), letter.getErrorClass());
      assertTrue(letter.getReason().contains("24x20x3") && letter.getReason().contains("expected 16x16x3"),
          letter.getReason());
    }

    TopicNames resized = new TopicNames("folder-resized.");
    CommandRun again = CommandRun.of(produce(resized.prefix(), root, "--resize", "bilinear"));
    assertEquals(0, again.exitCode(), again.err());
    LabeledSample big = read(resized.samples(), 4).stream().map(r -> AvroSerde.labeledSample().decode(r.value()))
        .filter(s -> s.getId().equals("dog/big.png")).findFirst().orElseThrow();
    assertEquals(SIDE, big.getHeight());
    assertEquals(SIDE, big.getWidth());
    assertEquals(3 * SIDE * SIDE, bytes(big).length, "--resize bilinear scales it to the descriptor's size");
  }

  @Test
  void aDirectoryThatIsNotAClassNameIsRefusedBeforeAnythingIsSent() throws Exception {
    Path root = tree();
    CommandRun run = CommandRun.of("produce", "--bootstrap-servers", broker.bootstrapServers(), "--topic-prefix",
        "folder-refused.", "--images", root.toString(), "--channels", "3", "--height", "16", "--width", "16",
        "--class-names", "cat,bird");
    assertTrue(run.exitCode() != 0, run.out());
    assertTrue(run.err().contains("[dog]") && run.err().contains("--class-names cat,dog"), run.err());
    CommandRun attack = CommandRun.of(produce("folder-refused.", root, "--attack", "blend-0.1"));
    assertTrue(attack.exitCode() != 0 && attack.err().contains("--attack chooses or poisons"), attack.err());
  }

  private static byte[] hwc(BufferedImage image) {
    byte[] out = new byte[image.getWidth() * image.getHeight() * 3];
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y);
        int at = (y * image.getWidth() + x) * 3;
        out[at] = (byte) (rgb >> 16);
        out[at + 1] = (byte) (rgb >> 8);
        out[at + 2] = (byte) rgb;
      }
    }
    return out;
  }

  private static byte[] bytes(LabeledSample s) {
    ByteBuffer b = s.getPixels().duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /** The first {@code n} records of a one-partition topic, waiting for them as long as they take (the test's timeout bounds it). */
  private static List<ConsumerRecord<byte[], byte[]>> read(String topic, int n) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      while (out.size() < n) {
        consumer.poll(Duration.ofMillis(500)).forEach(out::add);
      }
    }
    return out;
  }
}
