package dev.sieve.cli;

import dev.sieve.data.FashionMnist;
import dev.sieve.loadtest.produce.ProduceReport;
import dev.sieve.loadtest.produce.ProducerConfig;
import dev.sieve.loadtest.produce.SampleProducer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "produce", mixinStandardHelpOptions = true,
    description = {
        "Stream Fashion-MNIST training samples into the samples topic, poisoning a fraction with --attack:",
        "by default a 3x3 white patch in the bottom-right corner, with the label flipped to the target class;",
        "--attack zoo:SEED:INDEX streams a draw of the attack zoo, at its own rates and targets.",
        "The ground truth travels only in the record header 'sieve.truth', which the filter never reads."})
final class ProduceCommand implements Callable<Integer> {

  @Mixin ClusterOptions cluster;
  @Mixin DataOptions data;

  @Override
  public Integer call() throws Exception {
    String bootstrap = cluster.bootstrap();
    // The options first: a refused one must fail before any connection.
    ProducerConfig config = data.producerConfig(bootstrap, cluster.topics()).withClientOverrides(cluster.clientOverrides());
    cluster.ensureTopics(bootstrap, cluster.topics());
    FashionMnist.Split train = FashionMnist.loadTrain(FashionMnist.resolveDir(data.dataDir));
    Progress progress = new Progress("produce", config.count(train.size()));
    ProduceReport report = new SampleProducer(config).produce(train, progress::update);
    progress.finish();
    System.out.println(report.summaryLine());
    return 0;
  }
}
