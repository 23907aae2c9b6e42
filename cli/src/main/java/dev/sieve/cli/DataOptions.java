package dev.sieve.cli;

import dev.sieve.attack.Attacks;
import dev.sieve.loadtest.produce.ProducerConfig;
import dev.sieve.wire.TopicNames;
import java.util.Iterator;
import java.util.Map;
import picocli.CommandLine.Option;

/** What the load producer sends: which data, how much, how fast, how poisoned. */
final class DataOptions {

  @Option(names = "--data", paramLabel = "DIR",
      description = "Directory with the Fashion-MNIST IDX files (default: $$SIEVE_FASHION_MNIST or "
          + "/usr/share/datasets/fashion-mnist from 'apt-get install dataset-fashion-mnist').")
  String dataDir;

  @Option(names = "--limit", defaultValue = "60000", paramLabel = "N",
      description = "How many training samples to stream (default: ${DEFAULT-VALUE}; 0 = all).")
  int limit;

  @Option(names = "--poison-rate", defaultValue = "0.1", paramLabel = "R",
      description = "Share poisoned, in [0,1]: of the streamed samples for dirty-label attacks (badnets, blend, wanet), "
          + "of the target class's samples for clean-label ones (sig, label-consistent) (default: ${DEFAULT-VALUE}).")
  double poisonRate;

  @Option(names = "--target-label", defaultValue = "0", paramLabel = "L",
      description = "All-to-one target class of the attack (default: ${DEFAULT-VALUE}).")
  int targetLabel;

  @Option(names = "--attack", defaultValue = ProducerConfig.DEFAULT_ATTACK, paramLabel = "SPEC",
      completionCandidates = AttackNames.class,
      description = "Backdoor attack on the poisoned samples: ${COMPLETION-CANDIDATES}; also badnets-NxN and "
          + "blend-ALPHA (default: ${DEFAULT-VALUE}).")
  String attack;

  @Option(names = "--rate", defaultValue = "0", paramLabel = "RECORDS_PER_S",
      description = "Producer pacing in records/s; 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--seed", defaultValue = "42", description = "Seeds which samples are poisoned (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--shuffle", description = "Send in a seeded random order instead of data-set order.")
  boolean shuffle;

  ProducerConfig producerConfig(String bootstrap, TopicNames topics) {
    return new ProducerConfig(bootstrap, topics, limit, poisonRate, targetLabel, attack, seed, rate, shuffle,
        ProducerConfig.DEFAULT_COMPRESSION, Map.of());
  }

  /** The attack specs for --help, from the attack library itself so the list cannot go stale. */
  static final class AttackNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Attacks.names().iterator();
    }
  }
}
