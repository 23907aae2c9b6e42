package dev.sieve.model.defense.detox;

import dev.sieve.model.Network;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The post-training detox methods: each turns a checkpoint plus a small clean set into a new checkpoint. */
public enum DetoxMethod {
  /** Liu et al. 2018: prune the channels clean data leaves dormant, then fine-tune. */
  FINE_PRUNING("fine-pruning"),
  /** Cheng et al. 2020: prune the channels whose ℓ∞ activation a reverse-engineered trigger inflates. */
  LINF_PRUNING("linf-pruning"),
  /** Distance-driven detoxification: move the final layer as far as the clean loss allows. */
  D3("d3");

  private final String id;

  DetoxMethod(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  /**
   * A detoxified copy of {@code network}; the input is left as it was. The caller owns (and
   * closes) the returned network.
   */
  public DetoxResult apply(Network network, CleanSet clean, DetoxSettings settings, long seed, DetoxListener listener) {
    long started = System.nanoTime();
    Network copy = Network.fromParameters(network.architecture(), network.parameters());
    try {
      var report = switch (this) {
        case FINE_PRUNING -> FinePruning.run(copy, clean, settings, seed, listener);
        case LINF_PRUNING -> LinfPruning.run(copy, clean, settings, seed, listener);
        case D3 -> DistanceDrivenDetox.run(copy, clean, settings, seed, listener);
      };
      return new DetoxResult(this, copy, report, (System.nanoTime() - started) / 1e9);
    } catch (RuntimeException e) {
      copy.close();
      throw e;
    }
  }

  public static DetoxMethod byId(String id) {
    for (DetoxMethod m : values()) {
      if (m.id.equals(id.toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown detox method '" + id + "'; known: " + ids());
  }

  public static List<String> ids() {
    return Arrays.stream(values()).map(DetoxMethod::id).toList();
  }
}
