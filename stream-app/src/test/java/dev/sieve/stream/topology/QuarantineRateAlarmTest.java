package dev.sieve.stream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuarantineRateAlarmTest {

  private static final QuarantineRateAlarm.Rule RULE = new QuarantineRateAlarm.Rule(100, 1000, 0.2, 0.15, 3.0);

  /** Feeds {@code n} verdicts of one class, quarantined with probability {@code rate}; returns the alarms. */
  private static List<QuarantineRateAlarm.Raised> feed(QuarantineRateAlarm alarm, int label, int n, double rate,
      Random random) {
    List<QuarantineRateAlarm.Raised> raised = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      alarm.record(label, random.nextDouble() < rate).ifPresent(raised::add);
    }
    return raised;
  }

  @Test
  void aJumpFromALowBaselineRaisesOneAlarmForTheClassOnly() {
    QuarantineRateAlarm alarm = new QuarantineRateAlarm(RULE, 10);
    Random random = new Random(1);
    assertEquals(List.of(), feed(alarm, 3, 3000, 0.02, random), "a steady 2 % never alarms");
    assertEquals(List.of(), feed(alarm, 4, 3000, 0.02, random));
    List<QuarantineRateAlarm.Raised> raised = feed(alarm, 3, 2000, 0.5, random);
    assertEquals(1, raised.size(), "one attack, one alert: " + raised);
    QuarantineRateAlarm.Raised r = raised.get(0);
    assertEquals(3, r.classLabel());
    assertTrue(r.rate() >= 0.2 && r.rate() <= 0.6, "rate " + r.rate());
    assertTrue(r.baselineRate() < 0.1, "baseline " + r.baselineRate());
    assertEquals(100, r.window());
    assertEquals(1000, r.baselineSamples());
    assertEquals(List.of(), feed(alarm, 4, 500, 0.02, random), "the other class stays quiet");
  }

  @Test
  void aPoisonedStreamFromTheStartAlarmsAsSoonAsTheRecentWindowIsFull() {
    QuarantineRateAlarm alarm = new QuarantineRateAlarm(RULE, 10);
    for (int i = 0; i < 99; i++) {
      assertEquals(Optional.empty(), alarm.record(0, true), "not before " + RULE.recent() + " verdicts");
    }
    QuarantineRateAlarm.Raised r = alarm.record(0, true).orElseThrow();
    assertEquals(1.0, r.rate());
    assertEquals(0.0, r.baselineRate());
    assertEquals(0, r.baselineSamples());
  }

  @Test
  void reArmsOnceTheAttackStopsAndAlarmsAgainForASecondOne() {
    QuarantineRateAlarm alarm = new QuarantineRateAlarm(RULE, 10);
    Random random = new Random(2);
    feed(alarm, 5, 2000, 0.01, random);
    assertEquals(1, feed(alarm, 5, 300, 0.6, random).size());
    assertEquals(List.of(), feed(alarm, 5, 2000, 0.01, random), "the end of an attack is not an alarm");
    assertEquals(1, feed(alarm, 5, 300, 0.6, random).size(), "a second attack is");
  }

  @Test
  void aRateThatStaysHighIsAbsorbedIntoTheBaselineWithoutNewAlarms() {
    QuarantineRateAlarm alarm = new QuarantineRateAlarm(RULE, 10);
    Random random = new Random(3);
    assertEquals(1, feed(alarm, 0, 5000, 0.45, random).size(), "the standing rate alarms once");
  }

  @Test
  void refusesNonsenseRules() {
    assertThrows(IllegalArgumentException.class, () -> new QuarantineRateAlarm.Rule(0, 10, 0.2, 0.1, 3));
    assertThrows(IllegalArgumentException.class, () -> new QuarantineRateAlarm.Rule(10, 10, 0, 0.1, 3));
    assertThrows(IllegalArgumentException.class, () -> new QuarantineRateAlarm.Rule(10, 10, 0.2, 0.1, 0.5));
  }
}
