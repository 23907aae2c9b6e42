package dev.sieve.attack.zoo;

import dev.sieve.attack.Attack;
import dev.sieve.attack.PoisonComponent;
import java.util.Locale;

/**
 * One attack of a zoo draw: its family, the attack itself (whose {@code trigger()} measures the
 * attack success rate), its poison rate, and what the trigger is, in words.
 */
public record ZooComponent(Family family, Attack attack, double rate, String trigger) {

  /** E.g. {@code patch 4x4 checkerboard at random corner, intensity 200 -> class 7, 5.0%}. */
  public String description() {
    return trigger + " -> class " + attack.targetLabel() + ", " + String.format(Locale.ROOT, "%.1f%%", 100 * rate)
        + (attack.cleanLabel() ? " of the class" : "");
  }

  /** This component as a stream's poison. */
  public PoisonComponent poison() {
    return new PoisonComponent(attack, rate);
  }
}
