package dev.sieve.cli;

import dev.sieve.model.Architecture;
import dev.sieve.model.DecoupledNetwork;
import dev.sieve.model.Network;
import dev.sieve.model.training.ClassifierTrainer;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench-model", mixinStandardHelpOptions = true,
    description = {
        "Measure one network architecture on its own, without Kafka or data: its parameter count, the",
        "bare forward pass (entropy of a batch, as the filter scores) and training (Adam steps of",
        "cross-entropy, as the Victim and a plain Beneficiary train) in samples/s, on random images of",
        "the data set's shape. Prints the machine's load average beside each number: on a shared",
        "machine it says what the number is worth."})
final class ModelBenchCommand implements Callable<Integer> {

  @Mixin DatasetOptions dataset;
  @Mixin ArchitectureOptions architecture;
  @Mixin DeviceOptions device;

  @Option(names = "--batch-size", defaultValue = "256", description = "Samples per forward pass and per training step"
      + " (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--forward-batches", defaultValue = "20", paramLabel = "N",
      description = "Forward passes measured, after 2 untimed ones (default: ${DEFAULT-VALUE}).")
  int forwardBatches;

  @Option(names = "--train-batches", defaultValue = "10", paramLabel = "N",
      description = "Training steps measured, after 2 untimed ones (default: ${DEFAULT-VALUE}).")
  int trainBatches;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (batchSize < 1 || forwardBatches < 1 || trainBatches < 1) {
      throw new IllegalArgumentException("--batch-size, --forward-batches and --train-batches must be at least 1");
    }
    device.use("bench-model", System.err);
    Architecture arch = architecture.forDataset(dataset.descriptor());
    List<LabeledSample> batch = randomBatch(arch, batchSize, new Random(1));
    PrintWriter out = spec.commandLine().getOut();
    try (Network network = Network.create(arch, 1); ClassifierTrainer trainer = new ClassifierTrainer(network, 1e-3f)) {
      out.printf(Locale.ROOT, "architecture %s: %,d parameters, %d features in front of the last layer%n",
          arch.id(), network.parameterCount(), DecoupledNetwork.of(network).featureWidth());
      double forward = rate(forwardBatches, () -> network.entropies(batch));
      out.printf(Locale.ROOT, "forward + entropy, batch %d: %.0f samples/s (load average %s)%n", batchSize,
          forward, load());
      double training = rate(trainBatches, () -> trainer.step(batch));
      out.printf(Locale.ROOT, "training step, batch %d: %.0f samples/s (load average %s)%n", batchSize,
          training, load());
      out.flush();
    }
    return 0;
  }

  /** Samples per second over {@code batches} calls, after two untimed calls that warm the engine up. */
  private double rate(int batches, Runnable pass) {
    pass.run();
    pass.run();
    long started = System.nanoTime();
    for (int i = 0; i < batches; i++) {
      pass.run();
    }
    return (double) batches * batchSize / ((System.nanoTime() - started) / 1e9);
  }

  private static String load() {
    return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  /** Uniform random pixels and labels: a forward pass costs the same whatever the pixels are. */
  private static List<LabeledSample> randomBatch(Architecture arch, int n, Random random) {
    List<LabeledSample> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] pixels = new byte[arch.pixelsPerImage()];
      random.nextBytes(pixels);
      out.add(LabeledSample.newBuilder().setId("bench-" + i).setLabel(random.nextInt(arch.numClasses()))
          .setHeight(arch.height()).setWidth(arch.width()).setChannels(arch.channels())
          .setEncoding(PixelEncoding.UINT8).setPixels(ByteBuffer.wrap(pixels))
          .setSource("bench-model").setEventTime(Instant.now()).setMetadata(Map.of()).build());
    }
    return out;
  }
}
