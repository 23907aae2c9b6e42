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
        "Start with:  ./sieve demo        (everything on an embedded broker with Fashion-MNIST)",
        "             ./sieve demo --ui   (the same, with the quarantine web view to watch)",
        "Then:        ./sieve broker      (a local broker for running stream, train, produce and ui separately)"},
    subcommands = {
        DemoCommand.class,
        StreamCommand.class,
        TrainCommand.class,
        ProduceCommand.class,
        LoadTestCommand.class,
        BenchCommand.class,
        ModelBenchCommand.class,
        EvalCommand.class,
        ZooCommand.class,
        ProbeCommand.class,
        ReplayCommand.class,
        DetoxCommand.class,
        UiCommand.class,
        BrokerCommand.class,
        CommandLine.HelpCommand.class})
public final class Sieve implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    // Not System.exit directly: after SIGTERM or SIGINT, OrderlyShutdown's hook halts with this status.
    OrderlyShutdown.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Sieve())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(Sieve::reportFailure);
  }

  /**
   * A failed command prints one line that says what went wrong (a missing data set, an
   * unreachable broker, a refused option), not a stack trace; SIEVE_DEBUG=1 adds the trace.
   * Invalid input (picocli's usage errors, and IllegalArgumentException from a command's own
   * checks of its options) exits with 2, everything else with 1.
   */
  private static int reportFailure(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    cli.getErr().println("sieve " + cli.getCommandName() + ": " + e.getMessage());
    if (System.getenv("SIEVE_DEBUG") != null) {
      e.printStackTrace(cli.getErr());
    }
    cli.getErr().flush();
    return e instanceof CommandLine.ParameterException || e instanceof IllegalArgumentException
        ? cli.getCommandSpec().exitCodeOnInvalidInput()
        : cli.getCommandSpec().exitCodeOnExecutionException();
  }
}
