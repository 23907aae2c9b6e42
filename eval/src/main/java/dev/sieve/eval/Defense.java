package dev.sieve.eval;

import dev.sieve.model.defense.detox.DetoxMethod;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The rows of the evaluation matrix: what stands between the poisoned data and the model. A
 * {@code base+method} defense is a detox method applied to the model of its base defense.
 */
public enum Defense {
  /** The undefended model: plain cross-entropy on every sample, poisoned ones included. */
  NONE("none", null, null),
  /** The filter alone: plain cross-entropy on what the filter released as credible on arrival. */
  FILTER("filter", null, null),
  /** Full V&amp;B: the filter, the window re-check, AttentionMix and Victim suppression. */
  VAB("vab", null, null),
  /**
   * V&amp;B plus ABL's isolate-then-unlearn: the lowest-loss credible samples per class after the
   * first epoch are left out and unlearnt, boundedly, at the end ({@code Unlearning}). Experimental:
   * not in the default set of rows ({@link #defaults()}).
   */
  VAB_UNLEARN("vab-unlearn", null, null),
  /**
   * {@link #VAB} with the recipe's occlusion augmentation on ({@code --occlude}), trained on the same
   * filter's output as the {@code vab} row so that one run compares the two recipes. Experimental:
   * not in the default set of rows ({@link #defaults()}).
   */
  VAB_OCCLUDE("vab-occlude", null, null),
  /** DBD: SimCLR backbone, symmetric-CE linear head, MixMatch on the low-loss half; no filter. */
  DBD("dbd", null, null),
  /** Detox of the undefended model with a trusted clean set: a model trained elsewhere. */
  NONE_FINE_PRUNING("none+fine-pruning", NONE, DetoxMethod.FINE_PRUNING),
  NONE_LINF_PRUNING("none+linf-pruning", NONE, DetoxMethod.LINF_PRUNING),
  NONE_D3("none+d3", NONE, DetoxMethod.D3),
  /** Detox of the V&amp;B Beneficiary with a clean set drawn from what the filter released as credible. */
  VAB_FINE_PRUNING("vab+fine-pruning", VAB, DetoxMethod.FINE_PRUNING),
  VAB_LINF_PRUNING("vab+linf-pruning", VAB, DetoxMethod.LINF_PRUNING),
  VAB_D3("vab+d3", VAB, DetoxMethod.D3),
  /** The ceiling: the same training on the clean samples only, as if no attacker existed. */
  CLEAN("clean-reference", null, null);

  private final String id;
  private final Defense base;
  private final DetoxMethod detox;

  Defense(String id, Defense base, DetoxMethod detox) {
    this.id = id;
    this.base = base;
    this.detox = detox;
  }

  public String id() {
    return id;
  }

  /** The defense whose model this one detoxifies, or null when it trains its own. */
  public Defense base() {
    return base;
  }

  /** The detox method applied to {@link #base()}'s model, or null. */
  public DetoxMethod detox() {
    return detox;
  }

  public static Defense byId(String id) {
    for (Defense d : values()) {
      if (d.id.equals(id.toLowerCase(Locale.ROOT))) {
        return d;
      }
    }
    throw new IllegalArgumentException("unknown defense '" + id + "'; known: " + ids());
  }

  /** The rows {@code ./sieve eval} trains unless told: all but the experimental {@link #VAB_UNLEARN} and {@link #VAB_OCCLUDE}. */
  public static Set<Defense> defaults() {
    Set<Defense> out = EnumSet.allOf(Defense.class);
    out.remove(VAB_UNLEARN);
    out.remove(VAB_OCCLUDE);
    return out;
  }

  public static List<String> ids() {
    return Arrays.stream(values()).map(Defense::id).toList();
  }
}
