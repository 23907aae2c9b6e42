package dev.sieve.stream.victim;

import dev.sieve.model.split.Judgement;
import dev.sieve.model.split.SplitRule;
import dev.sieve.model.Network;
import dev.sieve.schemas.LabeledSample;
import java.util.List;

/** A Victim version backed by a DJL network and the split fitted for its weights. */
public final class DjlVictim implements Victim {

  private final String modelId;
  private final long version;
  private final Network network;
  private final SplitRule split;

  public DjlVictim(String modelId, long version, Network network, SplitRule split) {
    this.modelId = modelId;
    this.version = version;
    this.network = network;
    this.split = split;
  }

  @Override
  public String modelId() {
    return modelId;
  }

  @Override
  public long version() {
    return version;
  }

  /** The weights, e.g. for a Beneficiary's Victim suppression; owned by this Victim, closed with it. */
  public Network network() {
    return network;
  }

  public SplitRule split() {
    return split;
  }

  @Override
  public double[] entropies(List<LabeledSample> batch) {
    return network.entropies(batch);
  }

  @Override
  public Judgement judge(double entropy, int label) {
    return split.judge(entropy, label, version);
  }

  @Override
  public void close() {
    network.close();
  }
}
