package dev.sieve.eval;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The columns of the evaluation matrix: what stands between the poisoned data and the model. */
public enum Defense {
  /** The undefended model: plain cross-entropy on every sample, poisoned ones included. */
  NONE("none"),
  /** The filter alone: plain cross-entropy on what the filter released as credible on arrival. */
  FILTER("filter"),
  /** Full V&amp;B: the filter, the window re-check, AttentionMix and Victim suppression. */
  VAB("vab"),
  /** The ceiling: the same training on the clean samples only, as if no attacker existed. */
  CLEAN("clean-reference");

  private final String id;

  Defense(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public static Defense byId(String id) {
    for (Defense d : values()) {
      if (d.id.equals(id.toLowerCase(Locale.ROOT))) {
        return d;
      }
    }
    throw new IllegalArgumentException("unknown defense '" + id + "'; known: " + ids());
  }

  public static List<String> ids() {
    return Arrays.stream(values()).map(Defense::id).toList();
  }
}
