package dev.sieve.model.defense.detox;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.training.ClassifierTrainer;
import dev.sieve.model.training.beneficiary.FashionMnistSamples;
import dev.sieve.schemas.LabeledSample;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small real models for the detox tests: a few epochs on a slice of the Fashion-MNIST test split. */
final class TinyModels {

  static final int TARGET = 3;

  private TinyModels() {}

  static Network trained(List<LabeledSample> data, int epochs, long seed) {
    Network network = Network.create(Architecture.FMNIST_CNN_V1, seed);
    try (ClassifierTrainer trainer = new ClassifierTrainer(network, 1e-3f)) {
      Random order = new Random(seed);
      for (int e = 0; e < epochs; e++) {
        trainer.epoch(data, 64, order, done -> { });
      }
    }
    return network;
  }

  /** Images {@code from..to} with every {@code every}-th non-target one stamped and relabelled to {@link #TARGET}. */
  static List<LabeledSample> poisoned(int from, int to, int every) {
    List<LabeledSample> out = new ArrayList<>();
    int k = 0;
    for (LabeledSample s : FashionMnistSamples.range(from, to)) {
      if (s.getLabel() != TARGET && k++ % every == 0) {
        out.add(LabeledSample.newBuilder(s).setLabel(TARGET).setPixels(ByteBuffer.wrap(stamp(bytes(s)))).build());
      } else {
        out.add(s);
      }
    }
    return out;
  }

  /** A 4x4 white square in the bottom-right corner. */
  static byte[] stamp(byte[] image) {
    byte[] out = image.clone();
    for (int y = 23; y < 27; y++) {
      for (int x = 23; x < 27; x++) {
        out[y * 28 + x] = (byte) 255;
      }
    }
    return out;
  }

  static byte[] bytes(LabeledSample s) {
    ByteBuffer b = s.getPixels().duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /** Share of the non-target images {@code from..to}, stamped, that {@code network} calls {@link #TARGET}. */
  static double attackSuccess(Network network, int from, int to) {
    List<byte[]> images = new ArrayList<>();
    for (LabeledSample s : FashionMnistSamples.range(from, to)) {
      if (s.getLabel() != TARGET) {
        images.add(stamp(bytes(s)));
      }
    }
    int[] predicted = network.argmax(network.probabilitiesOfGray(images), images.size());
    int hits = 0;
    for (int p : predicted) {
      hits += p == TARGET ? 1 : 0;
    }
    return (double) hits / images.size();
  }
}
