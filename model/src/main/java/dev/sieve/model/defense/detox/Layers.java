package dev.sieve.model.defense.detox;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.pytorch.jni.JniUtils;
import dev.sieve.model.Architecture;
import dev.sieve.model.DecoupledNetwork;
import dev.sieve.model.ImageTensors;
import dev.sieve.model.Network;
import dev.sieve.schemas.LabeledSample;
import java.util.ArrayList;
import java.util.Arrays;
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

  /**
   * Index in the features of the last {@link Conv2d}, which must be the trunk's last layer with
   * weights: pruning its channels then removes them from everything the head sees. A residual
   * network's last convolutions sit inside its blocks and their channels are summed into the
   * shortcut, so it is refused rather than pruned at its stem.
   */
  static int lastConvIndex(Network network) {
    List<Block> blocks = featureBlocks(network);
    for (int i = blocks.size() - 1; i >= 0; i--) {
      if (blocks.get(i) instanceof Conv2d) {
        return i;
      }
      if (!(blocks.get(i).getParameters().isEmpty())) {
        throw new IllegalArgumentException("channel pruning needs a trunk that ends in a convolution and its"
            + " activation; " + network.architecture().id() + " ends in " + blocks.get(i).getClass().getSimpleName()
            + " layers (a residual network: prune it with another tool, or use d3, which moves the final layer)");
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

  /** The final linear layer, through {@link DecoupledNetwork}, which refuses other layouts. */
  static Block finalLinear(Network network) {
    return DecoupledNetwork.of(network).linearHead();
  }

  /**
   * The activation after the last convolution (post-ReLU, before pooling): what Fine-Pruning
   * ranks and what ℓ∞ pruning measures.
   */
  static Maps lastConvActivations(Network network, float[] images, int n) {
    int stop = lastConvIndex(network) + 1; // the convolution's activation
    SequentialBlock upToActivation = new SequentialBlock().addAll(featureBlocks(network).subList(0, stop + 1));
    Maps[] out = new Maps[1];
    network.forwardInChunks(upToActivation, images, n, CHUNK, (from, maps) -> {
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

  /** The input of the final linear layer, row-major {@code [n][width]}. */
  static float[][] penultimate(Network network, List<LabeledSample> samples) {
    DecoupledNetwork parts = DecoupledNetwork.of(network);
    int width = parts.featureWidth();
    float[] flat = parts.featuresNoGrad(ImageTensors.chwBatch(samples, network.architecture()), samples.size(), CHUNK);
    float[][] out = new float[samples.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = Arrays.copyOfRange(flat, i * width, (i + 1) * width);
    }
    return out;
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
    Block linear = finalLinear(network);
    float[] w = linear.getParameters().get("weight").getArray().toFloatArray();
    float[] b = linear.getParameters().get("bias").getArray().toFloatArray();
    float[] out = new float[w.length + b.length];
    System.arraycopy(w, 0, out, 0, w.length);
    System.arraycopy(b, 0, out, w.length, b.length);
    return out;
  }

  /** Overwrites the final layer with {@code theta}, laid out as {@link #finalLayerWeights}. */
  static void setFinalLayerWeights(Network network, float[] theta) {
    Block linear = finalLinear(network);
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
    network.forwardInChunks(network.model().getBlock(), images, n, CHUNK, (from, logits) -> {
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
    int[] predicted = network.predict(samples);
    int correct = 0;
    for (int i = 0; i < predicted.length; i++) {
      correct += predicted[i] == samples.get(i).getLabel() ? 1 : 0;
    }
    return (double) correct / samples.size();
  }
}
