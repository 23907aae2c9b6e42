package dev.sieve.cli;

import dev.sieve.data.FashionMnist;
import dev.sieve.pipeline.DemoRun;
import dev.sieve.pipeline.DemoSummary;
import dev.sieve.trainer.BeneficiaryConfig;
import dev.sieve.wire.ModelSigningKey;
import dev.sieve.wire.TopicNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {
        "Run the whole system once, end to end, with real data:",
        "an embedded Kafka broker (unless --bootstrap-servers is given), the filter with its Victim updater,",
        "the Beneficiary trainer, a backdoor-poisoned Fashion-MNIST producer (--attack) and the evaluator.",
        "Prints progress while it runs and ends with a summary (also as JSON with --summary)."})
final class DemoCommand implements Callable<Integer> {

  @Mixin ClusterOptions cluster;
  @Mixin ModelTrustOptions trust;
  @Mixin DataOptions data;
  @Mixin FilterOptions filter;

  @Option(names = "--summary", paramLabel = "FILE", description = "Also write the summary as JSON to FILE.")
  Path summaryFile;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Where checkpoints and stream state go (default: .sieve/demo/<timestamp>).")
  Path workDir;

  @Option(names = "--final-epochs", defaultValue = "2", paramLabel = "N",
      description = "Extra Beneficiary epochs over its window once the stream is drained (default: ${DEFAULT-VALUE}).")
  int finalEpochs;

  @Option(names = "--timeout-s", defaultValue = "1800", paramLabel = "S",
      description = "Give up waiting for verdicts after this many seconds (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    boolean external = cluster.bootstrapServers != null && !cluster.bootstrapServers.isBlank();
    if (!external && cluster.clientConfig != null) {
      throw new IllegalArgumentException("--client-config needs --bootstrap-servers: without it the demo starts its own"
          + " embedded broker, which is open (PLAINTEXT) and takes no client security settings");
    }
    // Checks --attack with --poison-rate and --target-label before a broker starts.
    data.poisoning();
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path dir = workDir != null ? workDir : Path.of(".sieve", "demo", stamp);
    Files.createDirectories(dir);
    Path dataDir = FashionMnist.resolveDir(data.dataDir);
    // On a shared cluster each demo run gets its own topics, so earlier runs cannot leak into its numbers.
    TopicNames topics = external && TopicNames.DEFAULT_PREFIX.equals(cluster.topicPrefix)
        ? new TopicNames("sieve.demo-" + stamp + ".") : cluster.topics();
    // The demo signs and checks every model version, as a deployment with a key does; without a
    // key of the user's it makes one for this run.
    ModelSigningKey key = ModelSigningKey.resolve(trust.signingKeyFile).orElseGet(ModelSigningKey::generate);
    System.out.println("model versions are signed with key " + key.id()
        + (trust.signingKeyFile == null && System.getenv(ModelSigningKey.ENV_VAR) == null ? " (made for this run)" : ""));
    DemoRun.Outcome outcome = DemoRun.withEmbeddedBrokerIfNeeded(external ? cluster.bootstrap() : null,
        bootstrap -> new DemoRun.Config(bootstrap, topics, cluster.partitions == null ? 2 : cluster.partitions, dir,
            dataDir, data.producerConfig(bootstrap, topics),
            filter.filterConfig(topics, "sieve-demo-" + stamp).withMaxRecordBytes(cluster.maxRecordBytes),
            filter.updaterConfig(topics, dir.resolve("checkpoints").resolve("victim"), data.limit, System.out),
            filter.splitPolicy(),
            BeneficiaryConfig.defaults(bootstrap, dir.resolve("checkpoints").resolve("beneficiary")).withTopics(topics)
                .withGroupId("sieve-demo-beneficiary-" + stamp),
            Duration.ofSeconds(8), finalEpochs, Duration.ofSeconds(timeoutSeconds), cluster.clientOverrides(),
            Optional.of(key)),
        System.out);
    DemoSummary summary = outcome.summary();
    System.out.println();
    System.out.print(summary.table());
    if (summaryFile != null) {
      summary.writeJson(summaryFile);
      System.out.println("summary written to " + summaryFile.toAbsolutePath());
    }
    return summary.duplicates() == 0 && summary.in() == summary.credible() + summary.quarantine() + summary.deadLetter() ? 0 : 1;
  }
}
