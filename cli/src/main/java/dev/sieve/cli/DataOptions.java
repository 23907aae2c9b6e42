package dev.sieve.cli;

import dev.sieve.attack.Attacks;
import dev.sieve.attack.BadNetsTrigger;
import dev.sieve.attack.PoisonComponent;
import dev.sieve.attack.PoisonedTrainingSet;
import dev.sieve.attack.zoo.Zoo;
import dev.sieve.data.BuiltInDataset;
import dev.sieve.data.FashionMnist;
import dev.sieve.data.FashionMnistColour;
import dev.sieve.loadtest.produce.ProducerConfig;
import dev.sieve.wire.TopicNames;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.Option;

/** What the load producer sends: which data, how much, how fast, how poisoned. */
final class DataOptions {

  @Option(names = "--data", paramLabel = "DIR",
      description = "Directory with the Fashion-MNIST IDX files (default: $$SIEVE_FASHION_MNIST or "
          + "/usr/share/datasets/fashion-mnist from 'apt-get install dataset-fashion-mnist').")
  String dataDir;

  @Option(names = "--dataset", defaultValue = "fmnist", paramLabel = "NAME",
      description = "The built-in data set to stream: fmnist (Fashion-MNIST, 1x28x28) or " + FashionMnistColour.NAME
          + " (3x32x32 colour, made from Fashion-MNIST at start-up: docs/evaluation.md) (default: ${DEFAULT-VALUE}).")
  String dataset;

  @Option(names = "--first-image", defaultValue = "0", paramLabel = "N",
      description = "First training image to stream; with --limit a range, e.g. --first-image 30000 --limit 30000 "
          + "streams images 30,000-59,999. Sample ids stay fmnist-train-<image index> (default: ${DEFAULT-VALUE}).")
  int firstImage;

  @Option(names = "--limit", defaultValue = "60000", paramLabel = "N",
      description = "How many training samples to stream, from --first-image on (default: ${DEFAULT-VALUE}; 0 = all).")
  int limit;

  // No picocli defaults for these two: a zoo draw decides its own rates and targets, and a value
  // given beside one must be refused, not silently dropped, so "not given" must be visible.
  @Option(names = "--poison-rate", paramLabel = "R",
      description = "Share poisoned, in [0,1]: of the streamed samples for dirty-label attacks (badnets, blend, wanet), "
          + "of the target class's samples for clean-label ones (sig, label-consistent) (default: "
          + ProducerConfig.DEFAULT_POISON_RATE + "). Not with a zoo draw, which decides its own.")
  Double poisonRate;

  @Option(names = "--target-label", paramLabel = "L",
      description = "All-to-one target class of the attack (default: 0). Not with a zoo draw, which decides its own.")
  Integer targetLabel;

  @Option(names = "--attack", defaultValue = ProducerConfig.DEFAULT_ATTACK, paramLabel = "SPEC",
      completionCandidates = AttackNames.class,
      description = "Backdoor attack on the poisoned samples: ${COMPLETION-CANDIDATES}; also badnets-NxN and "
          + "blend-ALPHA, and zoo:SEED:INDEX for draw INDEX of the attack zoo (list draws with ./sieve zoo) "
          + "(default: ${DEFAULT-VALUE}).")
  String attack;

  @Option(names = "--rate", defaultValue = "0", paramLabel = "RECORDS_PER_S",
      description = "Producer pacing in records/s; 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--seed", defaultValue = "42", description = "Seeds which samples are poisoned (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--shuffle", description = "Send in a seeded random order instead of data-set order.")
  boolean shuffle;

  ProducerConfig producerConfig(String bootstrap, TopicNames topics) {
    poisoning();
    return new ProducerConfig(bootstrap, topics, firstImage, limit, poisonRate(), targetLabel(), attack, seed, rate,
        shuffle, ProducerConfig.DEFAULT_COMPRESSION, Map.of());
  }

  /**
   * What poisons the stream: the --attack at --poison-rate towards --target-label, or a zoo draw's
   * own attacks. Refuses a rate or target given beside a zoo draw; commands that start a broker
   * call it first, so a wrong option fails before anything starts.
   */
  List<PoisonComponent> poisoning() {
    if (Zoo.isSpec(attack) && (poisonRate != null || targetLabel != null)) {
      throw new IllegalArgumentException("--poison-rate and --target-label cannot be given with --attack " + attack
          + ": a zoo draw decides its own rates and targets (./sieve zoo lists them)");
    }
    return Zoo.poisoning(attack, poisonRate(), targetLabel());
  }

  /**
   * The samples these options stream from {@code train}, poisoned as they say, but at most
   * {@code limit} of them (0 = all from --first-image on): for the commands that hold the stream
   * in memory.
   */
  PoisonedTrainingSet trainingSet(FashionMnist.Split train, int limit) {
    return new PoisonedTrainingSet(train, firstImage, ProducerConfig.count(firstImage, limit, train.size()), poisoning(),
        seed);
  }

  /** The --dataset. */
  BuiltInDataset builtIn() {
    return BuiltInDataset.byId(dataset);
  }

  /** The --dataset's training split, from --data. */
  FashionMnist.Split loadTrain() throws IOException {
    return builtIn().loadTrain(FashionMnist.resolveDir(dataDir));
  }

  private double poisonRate() {
    return poisonRate == null ? ProducerConfig.DEFAULT_POISON_RATE : poisonRate;
  }

  private int targetLabel() {
    return targetLabel == null ? BadNetsTrigger.DEFAULT_TARGET_LABEL : targetLabel;
  }

  /** The attack specs for --help, from the attack library itself so the list cannot go stale. */
  static final class AttackNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Stream.concat(Attacks.names().stream(), Stream.of("zoo:SEED:INDEX")).iterator();
    }
  }
}
