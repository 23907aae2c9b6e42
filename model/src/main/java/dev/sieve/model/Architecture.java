package dev.sieve.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The network architectures Sieve knows. A checkpoint and a {@code ModelVersion} name their
 * architecture, and a reader refuses a name it does not know rather than guessing a layout.
 */
public enum Architecture {

  /**
   * A small CNN for 28x28 grayscale images: two conv blocks then a two-layer head. Small on
   * purpose: V&B's mechanism needs a Victim that learns the trigger fast, and the whole pipeline
   * has to run on two CPU cores.
   */
  FMNIST_CNN_V1("fmnist-cnn-v1", 1, 28, 28, 10) {
    @Override
    public Block newBlock() {
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
          .add(Linear.builder().setUnits(10).build());
      // features and head are kept apart so that defenses can read the last conv feature maps.
      return new SequentialBlock().add(features).add(head);
    }
  };

  private final String id;
  private final int channels;
  private final int height;
  private final int width;
  private final int numClasses;

  Architecture(String id, int channels, int height, int width, int numClasses) {
    this.id = id;
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.numClasses = numClasses;
  }

  public abstract Block newBlock();

  public String id() {
    return id;
  }

  public int channels() {
    return channels;
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  public int numClasses() {
    return numClasses;
  }

  public int pixelsPerImage() {
    return channels * height * width;
  }

  /** NCHW shape of a batch of one. */
  public Shape inputShape() {
    return new Shape(1, channels, height, width);
  }

  public static Architecture byId(String id) {
    for (Architecture a : values()) {
      if (a.id.equals(id)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown model architecture '" + id + "': this build knows "
        + Arrays.stream(values()).map(Architecture::id).collect(Collectors.joining(", ")));
  }
}
