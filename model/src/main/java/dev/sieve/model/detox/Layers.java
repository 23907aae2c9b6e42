package dev.sieve.model.detox;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.sieve.model.Architecture;
import dev.sieve.model.ImageTensors;
import dev.sieve.model.Network;
import dev.sieve.schemas.LabeledSample;
import java.util.ArrayList;
import java.util.List;

/**
 * The layers the detox methods read and edit: the last convolution of the trunk (pruning works on
 * its channels) and the final linear layer (D3 moves its weights), plus forward passes that stop
 * at them. Works on any architecture laid out as {@code [features, head]} with the last
 * {@link Conv2d} of the features followed by its activation, which is how {@link Architecture}
 * builds its networks.
 */
final class Layers {

  /** Activation maps of one layer for a batch, row-major {@code [n][channels][height * width]}. */
  record Maps(float[] values, int n, int channels, int area) {
    float at(int sample, int channel, int position) {
      return values[(sample * channels + channel) * area + position];
    }
  }

  private static final int CHUNK = 512;

  private Layers() {}

  static List<Block> featureBlocks(Network network) {
    return new ArrayList<>(network.features().getChildren().values());
  }

  static List<Block> headBlocks(Network network) {
    Block head = ((SequentialBlock) network.model().getBlock()).getChildren().get(1).getValue();
    return new ArrayList<>(head.getChildren().values());
  }

  /** Index in the features of the last {@link Conv2d}. */
  static int lastConvIndex(Network network) {
    List<Block> blocks = featureBlocks(network);
    for (int i = blocks.size() - 1; i >= 0; i--) {
      if (blocks.get(i) instanceof Conv2d) {
        return i;
      }
    }
    throw new IllegalArgumentException(network.architecture().id() + " has no convolution in its features");
  }

  static Conv2d lastConv(Network network) {
    return (Conv2d) featureBlocks(network).get(lastConvIndex(network));
  }

  /** Number of output channels of the last convolution. */
  static int lastConvChannels(Network network) {
    return (int) lastConv(network).getParameters().get("weight").getArray().getShape().get(0);
  }

  static Linear finalLinear(Network network) {
    List<Block> head = headBlocks(network);
    Block last = head.get(head.size() - 1);
    if (!(last instanceof Linear linear)) {
      throw new IllegalArgumentException(network.architecture().id() + " does not end in a linear layer");
    }
    return linear;
  }

  /**
   * The activation after the last convolution (post-ReLU, before pooling): what Fine-Pruning
   * ranks and what ℓ∞ pruning measures.
   */
  static Maps lastConvActivations(Network network, float[] images, int n) {
    int stop = lastConvIndex(network) + 1; // the convolution's activation
    List<Block> blocks = featureBlocks(network).subList(0, stop + 1);
    Maps[] out = new Maps[1];
    forwardInChunks(network, blocks, images, n, (from, maps) -> {
      Shape shape = maps.getShape();
      if (out[0] == null) {
        int channels = (int) shape.get(1);
        int area = (int) (shape.get(2) * shape.get(3));
        out[0] = new Maps(new float[n * channels * area], n, channels, area);
      }
      float[] values = maps.toFloatArray();
      System.arraycopy(values, 0, out[0].values(), from * out[0].channels() * out[0].area(), values.length);
    });
    return out[0] == null ? new Maps(new float[0], n, 0, 0) : out[0];
  }

  /** Hears one chunk's output and the index of its first image. */
  private interface ChunkOutput {
    void accept(int from, NDArray output);
  }

  /**
   * Runs {@code blocks} without gradients over {@code images} (CHW, {@code n} of them) in chunks,
   * so that a large clean set never becomes one huge tensor.
   */
  private static void forwardInChunks(Network network, List<Block> blocks, float[] images, int n, ChunkOutput sink) {
    Architecture arch = network.architecture();
    int per = arch.pixelsPerImage();
    JniUtils.setGradMode(false);
    for (int from = 0; from < n; from += CHUNK) {
      int m = Math.min(CHUNK, n - from);
      try (NDManager manager = network.model().getNDManager().newSubManager()) {
        float[] chunk = new float[m * per];
        System.arraycopy(images, from * per, chunk, 0, m * per);
        NDArray x = manager.create(chunk, new Shape(m, arch.channels(), arch.height(), arch.width()));
        sink.accept(from, forward(blocks, manager, x));
      }
    }
  }

  /** The input of the final linear layer, row-major {@code [n][width]}. */
  static float[][] penultimate(Network network, List<LabeledSample> samples) {
    List<Block> blocks = new ArrayList<>(featureBlocks(network));
    List<Block> head = headBlocks(network);
    blocks.addAll(head.subList(0, head.size() - 1));
    float[][] out = new float[samples.size()][];
    JniUtils.setGradMode(false);
    for (int from = 0; from < samples.size(); from += CHUNK) {
      List<LabeledSample> chunk = samples.subList(from, Math.min(samples.size(), from + CHUNK));
      try (NDManager manager = network.model().getNDManager().newSubManager()) {
        NDArray h = forward(blocks, manager, ImageTensors.batch(manager, network.architecture(), chunk));
        int width = (int) h.getShape().get(1);
        float[] values = h.toFloatArray();
        for (int i = 0; i < chunk.size(); i++) {
          float[] row = new float[width];
          System.arraycopy(values, i * width, row, 0, width);
          out[from + i] = row;
        }
      }
    }
    return out;
  }

  private static NDArray forward(List<Block> blocks, NDManager manager, NDArray x) {
    ParameterStore store = new ParameterStore(manager, false);
    NDList current = new NDList(x);
    for (Block block : blocks) {
      current = block.forward(store, current, false);
    }
    return current.singletonOrThrow();
  }

  /**
   * Zeroes the weights and bias of the pruned channels of the last convolution, in place. A zero
   * filter with a zero bias outputs 0, which the ReLU keeps at 0: the channel is gone, yet the
   * checkpoint keeps the architecture's shapes, so every reader of checkpoints still loads it.
   */
  static void pruneLastConv(Network network, boolean[] pruned) {
    Conv2d conv = lastConv(network);
    NDArray weight = conv.getParameters().get("weight").getArray();
    int channels = (int) weight.getShape().get(0);
    if (pruned.length != channels) {
      throw new IllegalArgumentException("pruning mask has " + pruned.length + " channels, the layer " + channels);
    }
    float[] keep = new float[channels];
    for (int c = 0; c < channels; c++) {
      keep[c] = pruned[c] ? 0f : 1f;
    }
    JniUtils.setGradMode(false);
    try (NDManager manager = network.model().getNDManager().newSubManager()) {
      NDArray mask = manager.create(keep);
      weight.muli(mask.reshape(channels, 1, 1, 1));
      Parameter bias = conv.getParameters().get("bias");
      if (bias != null && bias.getArray() != null) {
        bias.getArray().muli(mask);
      }
    }
  }

  /** The last convolution's weights and bias, to put back with {@link #restoreLastConv}. */
  record ConvWeights(float[] weight, float[] bias) {}

  static ConvWeights lastConvWeights(Network network) {
    Conv2d conv = lastConv(network);
    return new ConvWeights(conv.getParameters().get("weight").getArray().toFloatArray(),
        conv.getParameters().get("bias").getArray().toFloatArray());
  }

  /** Puts {@code saved} back into the last convolution, then prunes {@code pruned} again. */
  static void restoreLastConv(Network network, ConvWeights saved, boolean[] pruned) {
    Conv2d conv = lastConv(network);
    NDArray weight = conv.getParameters().get("weight").getArray();
    NDArray bias = conv.getParameters().get("bias").getArray();
    JniUtils.setGradMode(false);
    try (NDManager manager = network.model().getNDManager().newSubManager()) {
      weight.muli(0).addi(manager.create(saved.weight(), weight.getShape()));
      bias.muli(0).addi(manager.create(saved.bias(), bias.getShape()));
    }
    pruneLastConv(network, pruned);
  }

  /** The final layer's weights then bias, flattened. */
  static float[] finalLayerWeights(Network network) {
    Linear linear = finalLinear(network);
    float[] w = linear.getParameters().get("weight").getArray().toFloatArray();
    float[] b = linear.getParameters().get("bias").getArray().toFloatArray();
    float[] out = new float[w.length + b.length];
    System.arraycopy(w, 0, out, 0, w.length);
    System.arraycopy(b, 0, out, w.length, b.length);
    return out;
  }

  /** Overwrites the final layer with {@code theta}, laid out as {@link #finalLayerWeights}. */
  static void setFinalLayerWeights(Network network, float[] theta) {
    Linear linear = finalLinear(network);
    NDArray w = linear.getParameters().get("weight").getArray();
    NDArray b = linear.getParameters().get("bias").getArray();
    long wSize = w.size();
    if (theta.length != wSize + b.size()) {
      throw new IllegalArgumentException("final layer has " + (wSize + b.size()) + " values, got " + theta.length);
    }
    float[] wValues = new float[(int) wSize];
    float[] bValues = new float[(int) b.size()];
    System.arraycopy(theta, 0, wValues, 0, wValues.length);
    System.arraycopy(theta, wValues.length, bValues, 0, bValues.length);
    JniUtils.setGradMode(false);
    try (NDManager manager = network.model().getNDManager().newSubManager()) {
      // In-place, so that the parameter keeps its identity (and any trainer's view of it).
      w.muli(0).addi(manager.create(wValues, w.getShape()));
      b.muli(0).addi(manager.create(bValues, b.getShape()));
    }
  }

  /** Predicted class of each CHW image in {@code images}. */
  static int[] predict(Network network, float[] images, int n) {
    int[] out = new int[n];
    forwardInChunks(network, List.of(network.model().getBlock()), images, n, (from, logits) -> {
      int m = (int) logits.getShape().get(0);
      System.arraycopy(network.argmax(logits.toFloatArray(), m), 0, out, from, m);
    });
    return out;
  }


  /** Share of {@code samples} whose predicted class is their label. */
  static double accuracy(Network network, List<LabeledSample> samples) {
    if (samples.isEmpty()) {
      return Double.NaN;
    }
    int c = network.architecture().numClasses();
    int correct = 0;
    for (int from = 0; from < samples.size(); from += CHUNK) {
      List<LabeledSample> chunk = samples.subList(from, Math.min(samples.size(), from + CHUNK));
      int[] predicted = network.argmax(network.probabilities(chunk), chunk.size());
      for (int i = 0; i < chunk.size(); i++) {
        correct += predicted[i] == chunk.get(i).getLabel() ? 1 : 0;
      }
    }
    return (double) correct / samples.size();
  }
}
