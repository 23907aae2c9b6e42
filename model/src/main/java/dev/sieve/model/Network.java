package dev.sieve.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.sieve.schemas.LabeledSample;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One classifier of a known {@link Architecture}: its DJL model and the forward passes Sieve
 * needs. Inference is safe to call from several threads at once: each call works in its own
 * NDManager and never touches a Predictor (DJL predictors are not thread-safe).
 */
public final class Network implements AutoCloseable {

  /** Samples per forward pass when many are scored at once: large enough to batch well, small enough for memory. */
  public static final int CHUNK = 1024;

  private final Architecture architecture;
  private final Model model;

  private Network(Architecture architecture, Model model) {
    this.architecture = architecture;
    this.model = model;
  }

  /**
   * A freshly initialised network on {@link ComputeDevice#current()}. The seed makes the initial
   * weights reproducible.
   */
  public static Network create(Architecture architecture, long seed) {
    return create(architecture, seed, ComputeDevice.current());
  }

  /** As {@link #create(Architecture, long)}, on the given device. */
  public static Network create(Architecture architecture, long seed, Device device) {
    Engine.getInstance().setRandomSeed((int) seed);
    Model model = Model.newInstance(architecture.id(), device);
    Block block = architecture.newBlock();
    block.initialize(model.getNDManager(), DataType.FLOAT32, architecture.inputShape());
    model.setBlock(block);
    return new Network(architecture, model);
  }

  /** A network whose weights come from {@link #parameters()} of another one. */
  public static Network fromParameters(Architecture architecture, byte[] parameters) {
    return fromParameters(architecture, parameters, ComputeDevice.current());
  }

  /** As {@link #fromParameters(Architecture, byte[])}, on the given device. */
  public static Network fromParameters(Architecture architecture, byte[] parameters, Device device) {
    Network network = create(architecture, 0, device);
    List<String> expected = parameterShapes(network.model.getBlock());
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(parameters))) {
      network.model.getBlock().loadParameters(network.model.getNDManager(), in);
    } catch (IOException | MalformedModelException e) {
      network.close();
      throw new IllegalArgumentException("parameters do not fit architecture " + architecture.id() + ": " + e.getMessage(), e);
    }
    // DJL takes a stored array of any shape into a parameter: weights for another image size or
    // class count would load here and fail (or, worse, not) at the first forward pass.
    List<String> loaded = parameterShapes(network.model.getBlock());
    if (!loaded.equals(expected)) {
      network.close();
      throw new IllegalArgumentException("parameters do not fit architecture " + architecture.id() + ": their shapes are "
          + loaded + ", the architecture's " + expected);
    }
    return network;
  }

  private static List<String> parameterShapes(Block block) {
    List<String> out = new ArrayList<>();
    block.getParameters().forEach(p -> out.add(p.getKey() + p.getValue().getArray().getShape()));
    return out;
  }

  /** The weights as bytes, in DJL's parameter format. */
  public byte[] parameters() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      model.getBlock().saveParameters(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public Architecture architecture() {
    return architecture;
  }

  /** Trainable values (weights and biases; not batch norm's running statistics), for sizing a model. */
  public long parameterCount() {
    long count = 0;
    for (var p : model.getBlock().getParameters().values()) {
      if (p.requiresGradient()) {
        count += p.getArray().size();
      }
    }
    return count;
  }

  public Model model() {
    return model;
  }

  /**
   * The convolutional trunk, the first of the {@code [features, head]} every {@link Architecture}
   * is laid out as: its output is the last conv feature map, {@code [n, C, h, w]}.
   */
  public Block features() {
    return ((SequentialBlock) model.getBlock()).getChildren().get(0).getValue();
  }

  /** Softmax probabilities, row-major {@code [n * numClasses]}, from one forward pass. */
  public float[] probabilities(List<LabeledSample> samples) {
    return forward(manager -> ImageTensors.batch(manager, architecture, samples), true);
  }

  /** Softmax probabilities of raw single-channel uint8 images. */
  public float[] probabilitiesOfGray(List<byte[]> images) {
    return forward(manager -> ImageTensors.batchFromGray(manager, architecture, images), true);
  }

  /** Raw logits, row-major {@code [n * numClasses]}, from one forward pass. */
  public float[] logits(List<LabeledSample> samples) {
    return forward(manager -> ImageTensors.batch(manager, architecture, samples), false);
  }

  /**
   * V&B's mean-over-classes entropy of each sample's prediction, computed in double precision from
   * the logits (see {@link Entropy#meanEntropyFromLogits}). Up to {@link #CHUNK} samples (every
   * batch the filter scores) take one forward pass; more take one per {@link #CHUNK}, so that a
   * whole window never becomes one huge tensor.
   */
  public double[] entropies(List<LabeledSample> samples) {
    int c = architecture.numClasses();
    double[] out = new double[samples.size()];
    for (int from = 0; from < samples.size(); from += CHUNK) {
      List<LabeledSample> chunk = samples.subList(from, Math.min(samples.size(), from + CHUNK));
      float[] logits = logits(chunk);
      for (int i = 0; i < chunk.size(); i++) {
        out[from + i] = Entropy.meanEntropyFromLogits(logits, i * c, c);
      }
    }
    return out;
  }

  /** The most probable class of each sample, {@link #CHUNK} samples per forward pass. */
  public int[] predict(List<LabeledSample> samples) {
    int[] out = new int[samples.size()];
    for (int from = 0; from < samples.size(); from += CHUNK) {
      List<LabeledSample> chunk = samples.subList(from, Math.min(samples.size(), from + CHUNK));
      System.arraycopy(argmax(probabilities(chunk), chunk.size()), 0, out, from, chunk.size());
    }
    return out;
  }

  /** As {@link #predict} for grey images given as bytes (a test set, triggered or not). */
  public int[] predictGray(List<byte[]> images) {
    int[] out = new int[images.size()];
    for (int from = 0; from < images.size(); from += CHUNK) {
      List<byte[]> chunk = images.subList(from, Math.min(images.size(), from + CHUNK));
      System.arraycopy(argmax(probabilitiesOfGray(chunk), chunk.size()), 0, out, from, chunk.size());
    }
    return out;
  }

  /** Index of the most probable class of each row. */
  public int[] argmax(float[] probabilities, int n) {
    int c = architecture.numClasses();
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int k = 1; k < c; k++) {
        if (probabilities[i * c + k] > probabilities[i * c + best]) {
          best = k;
        }
      }
      out[i] = best;
    }
    return out;
  }

  /** Hears one chunk's output and the index of its first image. */
  public interface ChunkOutput {
    void accept(int from, NDArray output);
  }

  /**
   * Runs {@code block} (this network's, or a part of it) without gradients over {@code n} CHW
   * images in chunks of {@code chunk}, so that a large set never becomes one huge tensor. Each
   * chunk's output lives only for the call to {@code sink}.
   */
  public void forwardInChunks(Block block, float[] images, int n, int chunk, ChunkOutput sink) {
    int per = architecture.pixelsPerImage();
    JniUtils.setGradMode(false);
    for (int from = 0; from < n; from += chunk) {
      int m = Math.min(chunk, n - from);
      try (NDManager manager = model.getNDManager().newSubManager()) {
        float[] slice = new float[m * per];
        System.arraycopy(images, from * per, slice, 0, m * per);
        NDArray x = manager.create(slice, new Shape(m, architecture.channels(), architecture.height(),
            architecture.width()));
        sink.accept(from, block.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow());
      }
    }
  }

  private float[] forward(Function<NDManager, NDArray> input, boolean softmax) {
    // Grad mode is thread-local in libtorch: switch it off on the calling thread so that a
    // forward pass over trainable parameters does not build an autograd graph.
    JniUtils.setGradMode(false);
    try (NDManager manager = model.getNDManager().newSubManager()) {
      NDArray x = input.apply(manager);
      NDArray logits = model.getBlock()
          .forward(new ParameterStore(manager, false), new NDList(x), false)
          .singletonOrThrow();
      return (softmax ? logits.softmax(1) : logits).toFloatArray();
    }
  }

  @Override
  public void close() {
    model.close();
  }
}
