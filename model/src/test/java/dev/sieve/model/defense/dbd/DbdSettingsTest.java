package dev.sieve.model.defense.dbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DbdSettingsTest {

  @Test
  void defaultsAreValidAndWithersChangeOneField() {
    DbdSettings d = DbdSettings.defaults();
    assertEquals(0.5, d.labelledRatio());
    assertEquals(15, d.lambdaU());
    DbdSettings changed = d.withSimclrEpochs(3).withLinearEpochs(4).withMixmatchEpochs(2).withLabelledRatio(0.3);
    assertEquals(3, changed.simclrEpochs());
    assertEquals(4, changed.linearEpochs());
    assertEquals(2, changed.mixmatchEpochs());
    assertEquals(0.3, changed.labelledRatio());
    assertEquals(d.temperature(), changed.temperature());
    assertEquals(d.batchSize(), changed.batchSize());
  }

  @Test
  void refusesBadValuesNamingTheField() {
    assertMessage(() -> DbdSettings.defaults().withLabelledRatio(0), "labelledRatio is 0.0");
    assertMessage(() -> DbdSettings.defaults().withLabelledRatio(1.2), "labelledRatio is 1.2");
    assertMessage(() -> DbdSettings.defaults().withSimclrEpochs(-1), "simclrEpochs is -1");
    assertMessage(() -> DbdSettings.defaults().withLinearEpochs(0), "linearEpochs is 0");
    assertMessage(() -> new DbdSettings(1, 1, 0.5, 1e-3, 64, 1, 1e-2, 0.1, 1, 0.5, 1, 15, 0.5, 0.75, 2, 2e-3, 128),
        "simclrBatch is 1");
    assertMessage(() -> new DbdSettings(1, 8, 0, 1e-3, 64, 1, 1e-2, 0.1, 1, 0.5, 1, 15, 0.5, 0.75, 2, 2e-3, 128),
        "temperature is 0.0");
    assertMessage(() -> new DbdSettings(1, 8, 0.5, 1e-3, 64, 1, 1e-2, 0, 0, 0.5, 1, 15, 0.5, 0.75, 2, 2e-3, 128),
        "sceAlpha + sceBeta");
    assertMessage(() -> new DbdSettings(1, 8, 0.5, 1e-3, 64, 1, 1e-2, 0.1, 1, 0.5, 1, -1, 0.5, 0.75, 2, 2e-3, 128),
        "lambdaU is -1.0");
    assertMessage(() -> new DbdSettings(1, 8, 0.5, 1e-3, 64, 1, 1e-2, 0.1, 1, 0.5, 1, 15, 0.5, 0.75, 0, 2e-3, 128),
        "augmentations is 0");
    assertMessage(() -> new DbdSettings(1, 8, 0.5, 1e-3, 64, 1, 1e-2, 0.1, 1, 0.5, 1, 15, 0.5, Double.NaN, 2, 2e-3,
        128), "mixupAlpha is NaN");
  }

  private static void assertMessage(org.junit.jupiter.api.function.Executable build, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    assertTrue(e.getMessage().contains("DbdSettings." + expected) || e.getMessage().contains(expected), e.getMessage());
  }
}
