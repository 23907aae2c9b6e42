package dev.sieve.cli;

import dev.sieve.data.BuiltInDataset;
import dev.sieve.data.FashionMnist;
import dev.sieve.data.ImageFolder;
import dev.sieve.loadtest.produce.ProduceReport;
import dev.sieve.loadtest.produce.ProducerConfig;
import dev.sieve.loadtest.produce.SampleProducer;
import dev.sieve.wire.DatasetDescriptor;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "produce", mixinStandardHelpOptions = true,
    description = {
        "Stream Fashion-MNIST training samples into the samples topic, poisoning a fraction with --attack:",
        "by default a 3x3 white patch in the bottom-right corner, with the label flipped to the target class;",
        "--attack zoo:SEED:INDEX streams a draw of the attack zoo, at its own rates and targets.",
        "The ground truth travels only in the record header 'sieve.truth', which the filter never reads.",
        "--images DIR streams your own images instead: an ImageFolder tree (DIR/<class name>/<file>.png|.jpg),",
        "labelled by the data set descriptor's class names, as they are (no attack, no ground truth)."})
final class ProduceCommand implements Callable<Integer> {

  @Mixin ClusterOptions cluster;
  @Mixin DataOptions data;
  @Mixin DatasetOptions dataset;
  @Spec CommandSpec spec;

  @Option(names = "--images", paramLabel = "DIR",
      description = {"Send the PNG and JPEG images of an ImageFolder tree instead of Fashion-MNIST: one directory per "
          + "class, named as in the data set's class names (--class-names or --dataset-file), which give the label. "
          + "Each image is converted to the descriptor's channels (grey or RGB). A file that cannot be decoded is "
          + "not sent: it is reported here with its reason and counted. Not with --attack, --poison-rate, "
          + "--target-label, --first-image, --limit, --shuffle or --data."})
  Path images;

  @Option(names = "--resize", defaultValue = "none", paramLabel = "POLICY",
      description = "With --images, an image whose size is not the descriptor's: none sends it as it is and the filter "
          + "dead-letters it (WRONG_IMAGE_SIZE, naming both shapes); bilinear scales it to the descriptor's size "
          + "(default: ${DEFAULT-VALUE}).")
  String resize;

  /** Options that choose or poison Fashion-MNIST samples, which mean nothing for a user's folder. */
  private static final List<String> FASHION_MNIST_ONLY = List.of("--attack", "--poison-rate", "--target-label",
      "--first-image", "--limit", "--shuffle", "--data", "--dataset");

  @Override
  public Integer call() throws Exception {
    String bootstrap = cluster.bootstrap();
    // The options first: a refused one must fail before any connection.
    ProducerConfig config = data.producerConfig(bootstrap, cluster.topics()).withClientOverrides(cluster.clientOverrides());
    if (images != null) {
      return produceImages(bootstrap, config);
    }
    cluster.ensureTopics(bootstrap, cluster.topics());
    requireDescriptorOf(data.builtIn());
    FashionMnist.Split train = data.loadTrain();
    Progress progress = new Progress("produce", config.count(train.size()));
    ProduceReport report = new SampleProducer(config).produce(train, progress::update);
    progress.finish();
    System.out.println(report.summaryLine());
    return 0;
  }

  /**
   * A shape given beside a built-in data set must be that set's: the filter is told the shape
   * separately, and a producer that disagrees with it would only fill the dead-letter topic.
   */
  private void requireDescriptorOf(BuiltInDataset builtIn) {
    DatasetDescriptor given = dataset.descriptor();
    boolean givenAnything = given != DatasetDescriptor.FASHION_MNIST || dataset.file != null;
    if (givenAnything && !given.sameShape(builtIn.descriptor())) {
      throw new IllegalArgumentException("--dataset " + builtIn.id() + " is " + builtIn.descriptor().describeShape()
          + ", but the shape options give " + given.describeShape() + ": leave them out, or give --images DIR");
    }
  }

  private int produceImages(String bootstrap, ProducerConfig config) throws InterruptedException {
    for (String option : FASHION_MNIST_ONLY) {
      if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
        throw new IllegalArgumentException(option + " chooses or poisons Fashion-MNIST samples; it cannot be given with"
            + " --images, which sends your images as they are");
      }
    }
    DatasetDescriptor descriptor = dataset.descriptor();
    ImageFolder folder = ImageFolder.scan(images, descriptor, ImageFolder.Resize.byName(resize));
    cluster.ensureTopics(bootstrap, cluster.topics());
    System.err.printf("sieve produce: %d images in %s, classes %s, as %s (--resize %s)%n", folder.size(), images,
        folder.labels(), descriptor.shape(), resize);
    Progress progress = new Progress("produce", folder.size());
    SampleProducer.ImageFolderReport report = new SampleProducer(config).produceImages(folder, progress::update,
        why -> System.err.println("sieve produce: not sent: " + why));
    progress.finish();
    System.out.println(report.summaryLine());
    return 0;
  }
}
