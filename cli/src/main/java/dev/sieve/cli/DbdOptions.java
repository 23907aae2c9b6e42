package dev.sieve.cli;

import dev.sieve.model.defense.dbd.DbdSettings;
import picocli.CommandLine.Option;

/** DBD's training budget, shared by {@code train --mode dbd} and {@code eval}. */
final class DbdOptions {

  @Option(names = "--dbd-simclr-epochs", defaultValue = "10", paramLabel = "N",
      description = "DBD's self-supervised (SimCLR) epochs (default: ${DEFAULT-VALUE}; the paper's CIFAR run has 100).")
  int simclrEpochs;

  @Option(names = "--dbd-mixmatch-epochs", defaultValue = "5", paramLabel = "N",
      description = "DBD's semi-supervised fine-tuning (MixMatch) epochs, each one pass over the labelled half "
          + "(default: ${DEFAULT-VALUE}).")
  int mixmatchEpochs;

  DbdSettings settings() {
    return DbdSettings.defaults().withSimclrEpochs(simclrEpochs).withMixmatchEpochs(mixmatchEpochs);
  }
}
