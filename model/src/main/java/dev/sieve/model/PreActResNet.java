package dev.sieve.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.List;

/**
 * The layers of a pre-activation ResNet (He et al., "Identity Mappings in Deep Residual Networks",
 * 2016) as the backdoor literature trains it on CIFAR-10: a 3x3 stem convolution, stages of basic
 * blocks (BN-ReLU-conv3x3-BN-ReLU-conv3x3 plus the shortcut), the first block of every stage but
 * the first halving the image, then BN-ReLU, global average pooling and one Linear layer.
 *
 * <p>Laid out as {@code [features, head]} like every {@link Architecture}: {@code features} ends
 * in the last BN-ReLU, so its output is the last conv feature map (what AttentionMix reads), and
 * {@code head} is pool, flatten, Linear, so the Linear's input, the pooled features, is the
 * penultimate layer that DBD's linear probe and the in-class test read. Convolutions have no bias:
 * a batch norm follows each of them (the next block's, for a block's last one).
 */
final class PreActResNet {

  private PreActResNet() {}

  /**
   * @param stem filters of the stem convolution
   * @param widths filters of each stage
   * @param blocks basic blocks in each stage
   */
  static Block build(int stem, int[] widths, int[] blocks, int numClasses) {
    SequentialBlock features = new SequentialBlock().add(conv(stem, 3, 1));
    int in = stem;
    for (int s = 0; s < widths.length; s++) {
      for (int b = 0; b < blocks[s]; b++) {
        int stride = s > 0 && b == 0 ? 2 : 1;
        features.add(basicBlock(in, widths[s], stride));
        in = widths[s];
      }
    }
    features.add(BatchNorm.builder().build()).add(Activation::relu);
    SequentialBlock head = new SequentialBlock()
        .add(Pool.globalAvgPool2dBlock())
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(numClasses).build());
    return new SequentialBlock().add(features).add(head);
  }

  /**
   * One basic block. With the same width and stride 1 the shortcut is the block's input itself;
   * otherwise it is a strided 1x1 convolution of the pre-activated input, as in the reference
   * (kuangliu's PreActBlock), so BN-ReLU is shared by both paths.
   */
  private static Block basicBlock(int in, int out, int stride) {
    SequentialBlock residual = new SequentialBlock();
    boolean identity = stride == 1 && in == out;
    if (identity) {
      residual.add(BatchNorm.builder().build()).add(Activation::relu);
    }
    residual.add(conv(out, 3, stride))
        .add(BatchNorm.builder().build())
        .add(Activation::relu)
        .add(conv(out, 3, 1));
    Block shortcut = identity ? Blocks.identityBlock() : conv(out, 1, stride);
    ParallelBlock sum = new ParallelBlock(
        list -> new NDList(list.get(0).singletonOrThrow().add(list.get(1).singletonOrThrow())),
        List.of(residual, shortcut));
    if (identity) {
      return sum;
    }
    return new SequentialBlock().add(BatchNorm.builder().build()).add(Activation::relu).add(sum);
  }

  private static Block conv(int filters, int kernel, int stride) {
    return Conv2d.builder()
        .setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(kernel / 2, kernel / 2))
        .optBias(false)
        .setFilters(filters)
        .build();
  }
}
