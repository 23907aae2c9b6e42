package dev.sieve.model.defense.detox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.wire.DatasetDescriptor;
import org.junit.jupiter.api.Test;

class LayersTest {

  @Test
  void channelPruningTakesTheSmallCnnsLastConvAndRefusesAResidualTrunk() {
    try (Network cnn = Network.create(Architecture.FMNIST_CNN_V1, 1)) {
      assertEquals(64, Layers.lastConvChannels(cnn));
    }
    Architecture resnet = Architecture.forDataset(Architecture.Family.SMALL_RESNET, DatasetDescriptor.of(3, 8, 8, 4));
    try (Network net = Network.create(resnet, 1)) {
      // Its only top-level convolution is the stem: pruning that would not be Fine-Pruning.
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Layers.lastConvChannels(net));
      assertTrue(e.getMessage().contains("small-resnet-3x8x8-4 ends in BatchNorm layers"), e.getMessage());
      assertEquals(4 * 65, Layers.finalLayerWeights(net).length, "d3 moves the 64x4 head and its bias");
    }
  }
}
