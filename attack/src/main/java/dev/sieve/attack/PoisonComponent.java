package dev.sieve.attack;

/**
 * One attack at one poison rate: what a poisoned stream is made of. A built-in {@code --attack}
 * spec is one component; a zoo draw brings one or two, which poison disjoint samples. The rate
 * is a share of the stream for a dirty-label attack and of the target class for a clean-label one
 * (see {@link PoisonPlan}).
 */
public record PoisonComponent(Attack attack, double rate) {

  public PoisonComponent {
    if (attack == null) {
      throw new IllegalArgumentException("a poison component needs an attack");
    }
    if (!(rate >= 0.0 && rate <= 1.0)) {
      throw new IllegalArgumentException("poison rate must be in [0, 1], got " + rate);
    }
  }
}
