package dev.sieve.pipeline;

import dev.sieve.data.BuiltInDataset;
import dev.sieve.eval.EvalMatrix;
import dev.sieve.eval.ReportWriter;
import dev.sieve.eval.StreamingCell;
import dev.sieve.eval.metrics.DetectionReport;
import dev.sieve.loadtest.produce.ProducerConfig;
import dev.sieve.model.Architecture;
import dev.sieve.model.defense.split.SplitPolicy;
import dev.sieve.model.training.VictimSchedule;
import dev.sieve.model.training.beneficiary.RecipeSettings;
import dev.sieve.stream.topology.FilterConfig;
import dev.sieve.stream.updater.VictimUpdaterConfig;
import dev.sieve.trainer.BeneficiaryConfig;
import dev.sieve.wire.ModelSigningKey;
import dev.sieve.wire.TopicNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One evaluation cell through the real streaming path: a fresh embedded broker and work
 * directory, then exactly what {@code ./sieve demo} runs, with the cell's attack, rate and seed.
 */
public final class StreamingEval {

  private StreamingEval() {}

  /**
   * Streams the cell's training images {@code firstImage .. firstImage+samples-1} through an
   * embedded broker, the filter ({@code filter}'s batching, a Victim trained by {@code plan} and
   * split by {@code policy}) and a Beneficiary with {@code recipe}.
   */
  public static ReportWriter.StreamingRun run(EvalMatrix.Cell cell, int firstImage, int samples, FilterConfig filter,
      VictimSchedule.Plan plan, SplitPolicy policy, Path dataDir, Path workRoot, RecipeSettings recipe)
      throws Exception {
    return run(cell, firstImage, samples, filter, plan, policy, dataDir, workRoot, recipe, BuiltInDataset.FMNIST);
  }

  /** As above, on the built-in data set {@code dataset}: the filter, Victim and Beneficiary take its shape. */
  public static ReportWriter.StreamingRun run(EvalMatrix.Cell cell, int firstImage, int samples, FilterConfig filter,
      VictimSchedule.Plan plan, SplitPolicy policy, Path dataDir, Path workRoot, RecipeSettings recipe,
      BuiltInDataset dataset) throws Exception {
    String name = (cell.attack() + "-" + cell.rate() + "-" + cell.seed()).replaceAll("[^A-Za-z0-9.-]", "_");
    Path dir = workRoot.resolve(name);
    Files.createDirectories(dir);
    TopicNames topics = TopicNames.defaults();
    System.out.println("eval: streaming cell " + cell.label() + " on an embedded broker, work dir " + dir);
    DemoRun.Outcome outcome = DemoRun.withEmbeddedBrokerIfNeeded(null,
        bootstrap -> new DemoRun.Config(bootstrap, topics, 2, dir, dataDir,
            ProducerConfig.defaults(bootstrap, topics).withFirstImage(firstImage).withLimit(samples)
                .withPoisonRate(cell.rate())
                .withAttack(cell.attack()).withSeed(cell.seed()),
            filter.withApplicationId("sieve-eval-" + name).withDataset(dataset.descriptor()),
            VictimUpdaterConfig.defaults(topics, dir.resolve("checkpoints").resolve("victim")).withPlan(plan),
            policy,
            BeneficiaryConfig.defaults(bootstrap, dir.resolve("checkpoints").resolve("beneficiary")).withTopics(topics)
                .withRecipe(recipe)
                .withArchitecture(Architecture.forDataset(Architecture.Family.SMALL_CNN, dataset.descriptor())),
            Duration.ofSeconds(8), 2, Duration.ofMinutes(30), Map.of(), Optional.of(ModelSigningKey.generate()), dataset),
        System.out);
    DemoSummary s = outcome.summary();
    DetectionReport d = outcome.detection();
    List<double[]> rate = d.quarantineRateOverTime().stream()
        .map(p -> new double[] {p.seconds(), p.quarantinedShare()}).toList();
    StreamingCell result = new StreamingCell(cell.attack(), cell.rate(), cell.seed(), (int) s.in(), (int) s.poisoned(),
        d.detection(), s.beneficiary(), (int) s.victimVersions(), s.wallSeconds(), s.filterSamplesPerSecond(),
        s.latencyP50Ms(), s.latencyP99Ms(), rate, s.retractions(), s.recallAfterRetractions());
    return new ReportWriter.StreamingRun(result, d.entropies(), d.poisonedFlags());
  }
}
