package dev.sieve.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.attack.zoo.Family;
import dev.sieve.attack.zoo.Zoo;
import dev.sieve.attack.zoo.ZooDraw;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvalMatrixTest {

  @Test
  void zooCellsAreOnePerDrawNamedByItsDescriptionAfterTheChosenCells() {
    EvalMatrix matrix = EvalMatrix.parse(List.of("Blend-0.250:0.1")).plus(EvalMatrix.zoo(6, 3));
    assertEquals(4, matrix.cells().size());
    EvalMatrix.Cell blend = matrix.cells().get(0);
    assertEquals("blend-0.25", blend.name());
    assertEquals(0, blend.poisoning().get(0).attack().targetLabel(), "built-in attacks of the matrix target class 0");
    for (int i = 0; i < 3; i++) {
      EvalMatrix.Cell cell = matrix.cells().get(1 + i);
      ZooDraw draw = new Zoo(6).draw(i);
      assertEquals("zoo:6:" + i, cell.attack());
      assertEquals(draw.description(), cell.name());
      assertEquals(draw.totalRate(), cell.rate());
      assertEquals(1, cell.seed());
      assertEquals(draw.components().size(), cell.poisoning().size());
      for (int k = 0; k < draw.components().size(); k++) {
        assertEquals(draw.components().get(k).rate(), cell.poisoning().get(k).rate());
        assertEquals(draw.components().get(k).attack().targetLabel(), cell.poisoning().get(k).attack().targetLabel());
      }
    }
  }

  @Test
  void zooAllCellsAreTheZooAllDrawsCleanLabelFamiliesIncluded() {
    int count = 40;
    EvalMatrix all = EvalMatrix.zoo(7, count, true);
    assertEquals(EvalMatrix.zoo(7, count), EvalMatrix.zoo(7, count, false), "without the flag: zoo: draws as before");
    boolean cleanLabel = false;
    for (int i = 0; i < count; i++) {
      EvalMatrix.Cell cell = all.cells().get(i);
      ZooDraw draw = Zoo.all(7).draw(i);
      assertEquals("zoo-all:7:" + i, cell.attack());
      assertEquals(draw.description(), cell.name());
      assertEquals(draw.totalRate(), cell.rate());
      assertEquals(draw.components().size(), cell.poisoning().size());
      cleanLabel |= draw.components().stream().anyMatch(c -> !Family.DIRTY_LABEL.contains(c.family()));
    }
    assertTrue(cleanLabel, "40 draws over six families include a clean-label one");
  }

  @Test
  void firstImageIsASettingOfItsOwn() {
    EvalSettings settings = EvalSettings.defaults().withSamples(30_000).withFirstImage(30_000).withBaselineEpochs(2);
    assertEquals(30_000, settings.firstImage(), "later withers keep it");
    assertEquals(0, EvalSettings.defaults().firstImage());
    assertThrows(IllegalArgumentException.class, () -> EvalSettings.defaults().withFirstImage(-1));
  }
}
