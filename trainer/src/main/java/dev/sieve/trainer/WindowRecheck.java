package dev.sieve.trainer;

import dev.sieve.model.scoring.Judgement;
import dev.sieve.model.scoring.VictimModel;
import dev.sieve.schemas.LabeledSample;
import java.util.ArrayList;
import java.util.List;

/**
 * The Beneficiary's replay window judged again by a newer Victim version.
 *
 * <p>Why: a sample the filter released as credible was judged by whatever Victim was current
 * then. Early Victims are weak (the first is a warm-up on the head of the stream), so poisoned
 * samples slip through early; without a second look they would stay in the replay window and
 * be replayed into the Beneficiary for as long as the window holds them. Each new Victim version
 * is stronger on the trigger, so each one re-judges the whole window with its own split, and
 * what it now calls suspect leaves the labelled data (it stays useful as unlabelled data).
 *
 * @param victimModelId the Victim that judged
 * @param victimVersion its version
 * @param kept window samples still credible, in window order (oldest first)
 * @param suspect window samples now suspect, in window order
 */
public record WindowRecheck(String victimModelId, long victimVersion, List<LabeledSample> kept,
    List<LabeledSample> suspect) {

  public WindowRecheck {
    kept = List.copyOf(kept);
    suspect = List.copyOf(suspect);
  }

  /**
   * Scores {@code window} with {@code victim} (the network bounds each forward pass itself) and
   * splits it by the victim's own split rule.
   */
  public static WindowRecheck judge(List<LabeledSample> window, VictimModel victim) {
    List<LabeledSample> kept = new ArrayList<>(window.size());
    List<LabeledSample> suspect = new ArrayList<>();
    double[] entropies = victim.entropies(window);
    for (int i = 0; i < window.size(); i++) {
      LabeledSample sample = window.get(i);
      Judgement judgement = victim.judge(entropies[i], sample.getLabel());
      (judgement.suspect() ? suspect : kept).add(sample);
    }
    return new WindowRecheck(victim.modelId(), victim.version(), kept, suspect);
  }

  /** How many window samples were judged. */
  public int checked() {
    return kept.size() + suspect.size();
  }
}
