package dev.sieve.cli;

import dev.sieve.loadtest.produce.ProducerConfig;
import dev.sieve.wire.TopicNames;
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
      description = "Fraction of streamed samples poisoned with BadNets, in [0,1] (default: ${DEFAULT-VALUE}).")
  double poisonRate;

  @Option(names = "--target-label", defaultValue = "0", paramLabel = "L",
      description = "All-to-one target class of the attack (default: ${DEFAULT-VALUE}).")
  int targetLabel;

  @Option(names = "--trigger-size", defaultValue = "3", paramLabel = "PX",
      description = "Side of the white square trigger in pixels (default: ${DEFAULT-VALUE}).")
  int triggerSize;

  @Option(names = "--rate", defaultValue = "0", paramLabel = "RECORDS_PER_S",
      description = "Producer pacing in records/s; 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--seed", defaultValue = "42", description = "Seeds which samples are poisoned (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--shuffle", description = "Send in a seeded random order instead of data-set order.")
  boolean shuffle;

  ProducerConfig producerConfig(String bootstrap, TopicNames topics) {
    return new ProducerConfig(bootstrap, topics, limit, poisonRate, targetLabel, triggerSize, seed, rate, shuffle,
        ProducerConfig.DEFAULT_COMPRESSION);
  }
}
