package dev.sieve.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import dev.sieve.wire.DatasetDescriptor;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A network architecture Sieve knows: a layer {@link Family} built for one input shape
 * (channels x height x width) and class count, which come from the {@link DatasetDescriptor}. A
 * checkpoint and a {@code ModelVersion} name their architecture by {@link #id()}, which spells the
 * shape out ({@code small-cnn-3x32x32-10}), so a reader rebuilds exactly the layout that was
 * trained, and refuses an id it cannot parse or a family it does not know rather than guessing.
 * Fashion-MNIST's small CNN keeps its historic id {@code fmnist-cnn-v1}, so every checkpoint
 * written before shapes were configurable still loads, into the very same layers.
 */
public record Architecture(Family family, int channels, int height, int width, int numClasses) {

  /** The network families. Each builds its layers for any shape it accepts. */
  public enum Family {

    /**
     * A small CNN: two conv blocks (3x3, 32 then 64 filters, each halving the image) then a
     * two-layer head. Small on purpose: V&B's mechanism needs a Victim that learns the trigger
     * fast, and the whole pipeline has to run on two CPU cores. Any C x H x W with both sides at
     * least 4 (two 2x2 poolings).
     */
    SMALL_CNN("small-cnn") {
      @Override
      Block newBlock(Architecture a) {
        SequentialBlock features = new SequentialBlock()
            .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(32).build())
            .add(Activation::relu)
            .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
            .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(64).build())
            .add(Activation::relu)
            .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
        SequentialBlock head = new SequentialBlock()
            .add(Blocks.batchFlattenBlock())
            .add(Linear.builder().setUnits(128).build())
            .add(Activation::relu)
            .add(Linear.builder().setUnits(a.numClasses()).build());
        // features and head are kept apart so that defenses can read the last conv feature maps.
        return new SequentialBlock().add(features).add(head);
      }

      @Override
      int minSide() {
        return 4;
      }
    },

    /**
     * A small pre-activation ResNet (ResNet-14 for CIFAR): a 16-filter stem, three stages of two
     * basic blocks at 16, 32 and 64 filters, the last two stages halving the image, global average
     * pooling and a linear head; about 0.17 M parameters, 64 features in front of the head. What
     * to run on colour images on a CPU: residual, batch-normalised layers like the models
     * backdoor papers report on, yet small enough to train on tens of thousands of images in
     * minutes on two cores. Any C x H x W with both sides at least 8.
     */
    SMALL_RESNET("small-resnet") {
      @Override
      Block newBlock(Architecture a) {
        return PreActResNet.build(16, new int[] {16, 32, 64}, new int[] {2, 2, 2}, a.numClasses());
      }

      @Override
      int minSide() {
        return 8;
      }
    },

    /**
     * PreAct-ResNet-18, the benchmark model of the backdoor-defense literature (BackdoorBench,
     * V&amp;B's CIFAR-10 tables): a 64-filter stem, four stages of two basic blocks at 64, 128,
     * 256 and 512 filters; about 11.2 M parameters, 512 features in front of the head. For
     * comparison with published numbers; on two CPU cores it trains some hundred times slower
     * than the small CNN (docs/measurements.md). Any C x H x W with both sides at least 8.
     */
    PREACT_RESNET18("preact-resnet18") {
      @Override
      Block newBlock(Architecture a) {
        return PreActResNet.build(64, new int[] {64, 128, 256, 512}, new int[] {2, 2, 2, 2}, a.numClasses());
      }

      @Override
      int minSide() {
        return 8;
      }
    };

    private final String id;

    Family(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }

    abstract Block newBlock(Architecture a);

    abstract int minSide();

    public static Family byId(String id) {
      for (Family f : values()) {
        if (f.id.equals(id)) {
          return f;
        }
      }
      throw new IllegalArgumentException("unknown architecture family '" + id + "': this build knows "
          + Arrays.stream(values()).map(Family::id).collect(Collectors.joining(", ")));
    }
  }

  /** Fashion-MNIST's small CNN: 1x28x28 greyscale, 10 classes. Its id predates configurable shapes. */
  public static final Architecture FMNIST_CNN_V1 = forDataset(Family.SMALL_CNN, DatasetDescriptor.FASHION_MNIST);

  private static final String FMNIST_CNN_V1_ID = "fmnist-cnn-v1";
  private static final Pattern ID = Pattern.compile("([a-z][a-z0-9-]*?)-(\\d{1,4})x(\\d{1,4})x(\\d{1,4})-(\\d{1,4})");

  public Architecture {
    if (family == null) {
      throw new IllegalArgumentException("family must not be null");
    }
    if (channels < 1 || channels > DatasetDescriptor.MAX_CHANNELS || numClasses < 2
        || numClasses > DatasetDescriptor.MAX_CLASSES || height > DatasetDescriptor.MAX_SIDE
        || width > DatasetDescriptor.MAX_SIDE) {
      throw new IllegalArgumentException("architecture " + family.id() + " cannot take " + channels + "x" + height
          + "x" + width + " images with " + numClasses + " classes");
    }
    if (height < family.minSide() || width < family.minSide()) {
      throw new IllegalArgumentException("architecture " + family.id() + " needs images of at least "
          + family.minSide() + "x" + family.minSide() + ", got " + height + "x" + width);
    }
  }

  /** {@code family} built for the descriptor's shape and class count. */
  public static Architecture forDataset(Family family, DatasetDescriptor dataset) {
    return new Architecture(family, dataset.channels(), dataset.height(), dataset.width(), dataset.numClasses());
  }

  /** The layers, freshly made (uninitialised). */
  public Block newBlock() {
    return family.newBlock(this);
  }

  /**
   * The name checkpoints and ModelVersions carry: {@code family-CxHxW-classes}, and
   * {@code fmnist-cnn-v1} for the small CNN on Fashion-MNIST's shape.
   */
  public String id() {
    if (family == Family.SMALL_CNN && channels == 1 && height == 28 && width == 28 && numClasses == 10) {
      return FMNIST_CNN_V1_ID;
    }
    return family.id() + "-" + channels + "x" + height + "x" + width + "-" + numClasses;
  }

  public int pixelsPerImage() {
    return channels * height * width;
  }

  /** NCHW shape of a batch of one. */
  public Shape inputShape() {
    return new Shape(1, channels, height, width);
  }

  /** Whether this architecture takes the descriptor's images and classes. */
  public boolean fits(DatasetDescriptor dataset) {
    return channels == dataset.channels() && height == dataset.height() && width == dataset.width()
        && numClasses == dataset.numClasses();
  }

  /** The shape part, for messages: {@code 3x32x32, 10 classes}. */
  public String describeShape() {
    return channels + "x" + height + "x" + width + ", " + numClasses + " classes";
  }

  @Override
  public String toString() {
    return id();
  }

  /** The architecture an {@link #id()} names; an id this build cannot parse, or an unknown family, is refused. */
  public static Architecture byId(String id) {
    if (FMNIST_CNN_V1_ID.equals(id)) {
      return FMNIST_CNN_V1;
    }
    Matcher m = id == null ? null : ID.matcher(id);
    if (m == null || !m.matches()) {
      throw new IllegalArgumentException("unknown model architecture '" + id + "': this build knows "
          + FMNIST_CNN_V1_ID + " and FAMILY-CxHxW-CLASSES for the families "
          + Arrays.stream(Family.values()).map(Family::id).collect(Collectors.joining(", ")));
    }
    Family family = Family.byId(m.group(1).toLowerCase(Locale.ROOT));
    return new Architecture(family, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
        Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)));
  }
}
