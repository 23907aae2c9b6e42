package dev.sieve.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.sieve.model.training.ClassifierTrainer;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.wire.DatasetDescriptor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The residual families on tiny data: they learn, expose what the defenses read, and round-trip. */
class ResidualNetworkTest {

  /** 8x8, the smallest the family takes: a sixteenth of a 32x32 image's work, on a machine the tests share. */
  private static final Architecture COLOUR_RESNET =
      Architecture.forDataset(Architecture.Family.SMALL_RESNET, DatasetDescriptor.of(3, 8, 8, 4));

  @Test
  void theIdSpellsOutTheFamilyAndShape() {
    assertEquals("small-resnet-3x8x8-4", COLOUR_RESNET.id());
    assertEquals(COLOUR_RESNET, Architecture.byId(COLOUR_RESNET.id()), "the id spells out everything to rebuild it");
  }

  @Test
  void featuresAreTheLastConvMapsAndThePooledWidthInFrontOfTheHead() {
    List<LabeledSample> samples = SyntheticSamples.colourQuadrants(5, 3, 3, 8);
    try (Network net = Network.create(COLOUR_RESNET, 5)) {
      DecoupledNetwork parts = DecoupledNetwork.of(net);
      assertEquals(64, parts.featureWidth(), "the last stage's 64 channels, globally pooled");
      DecoupledNetwork.Outputs out = parts.logitsAndFeatures(samples);
      assertEquals(5 * 64, out.features().length);
      assertArrayEquals(net.logits(samples), out.logits(), 1e-5f, "the split network computes the whole one");
      // AttentionMix reads the trunk's output as conv feature maps: 64 channels at a quarter of the side.
      try (NDManager manager = net.model().getNDManager().newSubManager()) {
        NDArray x = manager.create(ImageTensors.chwBatch(samples, COLOUR_RESNET), new Shape(5, 3, 8, 8));
        NDArray maps = net.features().forward(new ParameterStore(manager, false), new NDList(x), false)
            .singletonOrThrow();
        assertEquals(new Shape(5, 64, 2, 2), maps.getShape());
      }
    }
    Architecture resnet18 = Architecture.forDataset(Architecture.Family.PREACT_RESNET18, DatasetDescriptor.of(3, 32, 32, 10));
    assertEquals("preact-resnet18-3x32x32-10", resnet18.id());
    assertEquals(resnet18, Architecture.byId(resnet18.id()));
    try (Network net = Network.create(resnet18, 5)) {
      assertEquals(512, DecoupledNetwork.of(net).featureWidth());
      // Stem 1,728; blocks with BN 2 per channel, 3x3 convs and 1x1 projections; final BN 1,024;
      // the 512x10 head and its bias: BackdoorBench's PreActResNet18 for CIFAR-10, 11.17 M.
      assertEquals(11_172_170, net.parameterCount());
    }
  }

  @Test
  void parametersRoundTripBitIdenticallyWithBatchNormStatistics() {
    List<LabeledSample> test = SyntheticSamples.colourQuadrants(32, 3, 3, 8);
    try (Network net = Network.create(COLOUR_RESNET, 11); ClassifierTrainer trainer = new ClassifierTrainer(net, 1e-3f)) {
      for (int i = 0; i < 3; i++) {
        trainer.step(SyntheticSamples.colourQuadrants(64, 4 + i, 3, 8));
      }
      byte[] saved = net.parameters();
      try (Network copy = Network.fromParameters(COLOUR_RESNET, saved);
          Network fresh = Network.create(COLOUR_RESNET, 11)) {
        assertArrayEquals(saved, copy.parameters(), "saved again, the same bytes");
        assertArrayEquals(net.probabilities(test), copy.probabilities(test), 0f);
        // The running statistics are part of the weights: a network with the same trained weights
        // but fresh statistics would score differently, and the copy does not.
        assertFalse(Arrays.equals(saved, fresh.parameters()));
      }
    }
  }

  @Test
  void parametersOfOneArchitectureAreRefusedByAnother() {
    Architecture colourCnn = Architecture.forDataset(Architecture.Family.SMALL_CNN, DatasetDescriptor.of(3, 8, 8, 4));
    try (Network resnet = Network.create(COLOUR_RESNET, 1); Network cnn = Network.create(colourCnn, 1)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Network.fromParameters(colourCnn, resnet.parameters()));
      assertTrue(e.getMessage().contains("do not fit architecture small-cnn-3x8x8-4"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> Network.fromParameters(COLOUR_RESNET, cnn.parameters()));
      assertTrue(e.getMessage().contains("do not fit architecture small-resnet-3x8x8-4"), e.getMessage());
    }
  }

  @Test
  void worksOnFashionMnistsShapeAndRefusesImagesTooSmallToDownsample() {
    Architecture grey = Architecture.forDataset(Architecture.Family.SMALL_RESNET, DatasetDescriptor.FASHION_MNIST);
    assertEquals("small-resnet-1x28x28-10", grey.id());
    try (Network net = Network.create(grey, 2)) {
      assertEquals(10 * 4, net.probabilities(SyntheticSamples.quadrants(4, 1)).length);
      assertEquals(64, DecoupledNetwork.of(net).featureWidth());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Architecture.forDataset(Architecture.Family.SMALL_RESNET, DatasetDescriptor.of(3, 6, 6, 2)));
    assertTrue(e.getMessage().contains("at least 8x8"), e.getMessage());
  }
}
