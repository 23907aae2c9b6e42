package dev.sieve.cli;

import dev.sieve.attack.zoo.Zoo;
import dev.sieve.attack.zoo.ZooDraw;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "zoo", mixinStandardHelpOptions = true,
    description = {
        "List draws of the attack zoo without running them: a spec per line, then",
        "its family, trigger, target class and poison rate ('+' joins two attacks).",
        "Stream one:     ./sieve produce|demo --attack zoo:SEED:INDEX",
        "Evaluate N:     ./sieve eval --zoo N --zoo-seed SEED"})
final class ZooCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--zoo-seed", required = true, paramLabel = "S", description = "The zoo to draw from.")
  long zooSeed;

  @Option(names = "--count", defaultValue = "10", paramLabel = "N",
      description = "How many draws to list, from index 0 (default: ${DEFAULT-VALUE}).")
  int count;

  @Override
  public Integer call() {
    if (count < 0) {
      throw new IllegalArgumentException("--count must be >= 0, got " + count);
    }
    PrintWriter out = spec.commandLine().getOut();
    for (ZooDraw draw : new Zoo(zooSeed).draws(count)) {
      out.println(draw.spec() + "  " + draw.description());
    }
    out.flush();
    return 0;
  }
}
