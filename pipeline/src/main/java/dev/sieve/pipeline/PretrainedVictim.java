package dev.sieve.pipeline;

import dev.sieve.model.Architecture;
import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.defense.split.SplitPolicies;
import dev.sieve.model.training.VictimSchedule;
import dev.sieve.model.training.VictimTraining;
import dev.sieve.model.versions.ModelPublisher;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.stream.updater.VictimUpdaterConfig;
import dev.sieve.wire.TopicNames;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Victim trained once up front (warm-up plus one round) and published as version 1, for the
 * measuring commands: they time the filter, not the Victim's learning, so the filter must have a
 * Victim from its first record.
 */
public final class PretrainedVictim implements AutoCloseable {

  private final VictimTraining training;
  private final List<LabeledSample> head;

  private PretrainedVictim(VictimTraining training, List<LabeledSample> head) {
    this.training = training;
    this.head = head;
  }

  public static PretrainedVictim train(List<LabeledSample> head, Path work, PrintStream out) {
    VictimSchedule.Plan config = VictimSchedule.Plan.defaults();
    LabeledSample first = head.get(0);
    // The small CNN for the head's shape: fmnist-cnn-v1 on Fashion-MNIST, as the Victim updater builds it.
    Architecture architecture = new Architecture(Architecture.Family.SMALL_CNN, first.getChannels(), first.getHeight(),
        first.getWidth(), Architecture.FMNIST_CNN_V1.numClasses());
    VictimTraining training = new VictimTraining(architecture, SplitPolicies.defaultPolicy(),
        config.batchSize(), config.learningRate(), config.seed());
    out.println("training a Victim on " + head.size() + " samples (warm-up + 1 round) ...");
    training.warmUp(head, done -> { });
    training.retrainOnSuspicious(head);
    return new PretrainedVictim(training, head);
  }

  public VictimTraining training() {
    return training;
  }

  /**
   * Writes the Victim to {@code checkpointDir} and publishes it, unsigned, as version 1 on the
   * victim-models topic of the measuring command's own embedded broker.
   */
  public void publish(String bootstrapServers, TopicNames topics, Path checkpointDir, String clientId,
      Map<String, String> clientOverrides) {
    VictimTraining.Split split = training.split(head);
    try (ModelPublisher publisher = new ModelPublisher(bootstrapServers, topics.victimModels(), clientId,
        Map.copyOf(clientOverrides), Optional.empty())) {
      publisher.publish(new CheckpointStore(checkpointDir), new CheckpointMeta(VictimUpdaterConfig.DEFAULT_MODEL_ID,
          1, training.network().architecture().id(), Instant.now(), split.rule().toMetrics(), Map.of()),
          training.network().parameters());
    }
  }

  @Override
  public void close() {
    training.close();
  }
}
