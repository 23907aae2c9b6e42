package dev.sieve.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import dev.sieve.schemas.LabeledSample;
import java.util.List;

/**
 * A {@link Network} seen as a backbone (everything up to the input of the last layer: for the
 * small CNN the conv features, flatten, the hidden Linear and its ReLU; for a ResNet the residual
 * trunk and the global average pool) and a linear head (the last Linear, which maps the backbone's
 * features to class logits): how DBD trains it in stages, and the layer D3 moves.
 *
 * <p>Both parts are the network's own blocks, not copies, so training either one trains the
 * network in place. The backbone is a new {@link SequentialBlock} that holds the same child blocks;
 * DJL blocks keep no reference to a parent, so a block may sit in both.
 */
public final class DecoupledNetwork {

  private final Network network;
  private final SequentialBlock backbone;
  private final Block linearHead;
  private final int featureWidth;

  private DecoupledNetwork(Network network, SequentialBlock backbone, Block linearHead, int featureWidth) {
    this.network = network;
    this.backbone = backbone;
    this.linearHead = linearHead;
    this.featureWidth = featureWidth;
  }

  /**
   * Splits a network laid out as {@code [features, head]} whose head is a sequence ending in a
   * Linear, as every {@link Architecture} is.
   *
   * @throws IllegalArgumentException for any other layout
   */
  public static DecoupledNetwork of(Network network) {
    Architecture arch = network.architecture();
    if (!(network.model().getBlock() instanceof SequentialBlock root) || root.getChildren().size() != 2
        || !(root.getChildren().get(1).getValue() instanceof SequentialBlock head)
        || head.getChildren().size() < 2
        || !(head.getChildren().get(head.getChildren().size() - 1).getValue() instanceof Linear)) {
      throw new IllegalArgumentException("need a network laid out as [features, head] whose head ends in a"
          + " Linear layer; " + arch.id() + " is not");
    }
    List<Block> headLayers = head.getChildren().values();
    SequentialBlock backbone = new SequentialBlock().add(network.features());
    for (int i = 0; i < headLayers.size() - 1; i++) {
      backbone.add(headLayers.get(i));
    }
    Shape out = backbone.getOutputShapes(new Shape[] {arch.inputShape()})[0];
    if (out.dimension() != 2) {
      throw new IllegalArgumentException("the backbone of " + arch.id() + " outputs shape " + out
          + ", expected [batch, features] in front of the linear head");
    }
    return new DecoupledNetwork(network, backbone, headLayers.get(headLayers.size() - 1), (int) out.get(1));
  }

  public Network network() {
    return network;
  }

  /** Everything up to the linear head; trains the network's own parameters. */
  public SequentialBlock backbone() {
    return backbone;
  }

  /** The last Linear layer. */
  public Block linearHead() {
    return linearHead;
  }

  /** Width of the backbone's output, the linear head's input. */
  public int featureWidth() {
    return featureWidth;
  }

  /**
   * Backbone features of NCHW images, row-major {@code [n * featureWidth]}, without an autograd
   * graph, in chunks so that a large set does not hold every activation at once.
   */
  public float[] featuresNoGrad(float[] images, int n, int chunk) {
    float[] out = new float[n * featureWidth];
    network.forwardInChunks(backbone, images, n, chunk,
        (from, features) -> System.arraycopy(features.toFloatArray(), 0, out, from * featureWidth,
            (int) features.getShape().get(0) * featureWidth));
    return out;
  }

  /** Logits {@code [n * numClasses]} and backbone features {@code [n * featureWidth]} of the same forward pass. */
  public record Outputs(float[] logits, float[] features) {}

  /**
   * One forward pass, without an autograd graph, that yields both the class logits and the
   * penultimate features of the same images, {@link Network#CHUNK} per pass: what an in-class
   * feature test needs beside the entropy, at the cost of the entropy alone.
   */
  public Outputs logitsAndFeatures(List<LabeledSample> samples) {
    int n = samples.size();
    int classes = network.architecture().numClasses();
    float[] logits = new float[n * classes];
    float[] features = new float[n * featureWidth];
    float[] images = ImageTensors.chwBatch(samples, network.architecture());
    network.forwardInChunks(backbone, images, n, Network.CHUNK, (from, out) -> {
      int m = (int) out.getShape().get(0);
      System.arraycopy(out.toFloatArray(), 0, features, from * featureWidth, m * featureWidth);
      NDArray z = linearHead.forward(new ParameterStore(out.getManager(), false),
          new NDList(out), false).singletonOrThrow();
      System.arraycopy(z.toFloatArray(), 0, logits, from * classes, m * classes);
    });
    return new Outputs(logits, features);
  }
}
