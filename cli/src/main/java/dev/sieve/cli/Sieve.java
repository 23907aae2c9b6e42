package dev.sieve.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./sieve} launcher. */
@Command(
    name = "sieve",
    mixinStandardHelpOptions = true,
    version = "sieve 0.1.0",
    description = {
        "Sieve filters backdoor-poisoned samples out of a live Kafka stream of labeled images.",
        "A V&B Victim model inside Kafka Streams scores each sample's prediction entropy:",
        "suspect samples go to quarantine, credible ones to a Beneficiary trainer.",
        "",
        "Start with:  ./sieve demo        (everything on an embedded broker with Fashion-MNIST)"},
    subcommands = {
        DemoCommand.class,
        StreamCommand.class,
        TrainCommand.class,
        ProduceCommand.class,
        BenchCommand.class,
        CommandLine.HelpCommand.class})
public final class Sieve implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Sieve()).setCaseInsensitiveEnumValuesAllowed(true);
  }
}
