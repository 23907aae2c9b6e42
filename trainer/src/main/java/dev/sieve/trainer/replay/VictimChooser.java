package dev.sieve.trainer.replay;

import dev.sieve.model.scoring.VictimModel;
import dev.sieve.model.versions.ModelTrust;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.wire.AvroSerde;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the Victim a replay scores with, among the versions published on victim-models whose
 * signature holds: the one {@code --victim-version} asks for, else the newest. Loads it with
 * {@link ModelTrust#load}, which checks its sha256, architecture and split.
 */
final class VictimChooser {

  private static final Logger LOG = LoggerFactory.getLogger(VictimChooser.class);

  private final ReplayConfig config;

  VictimChooser(ReplayConfig config) {
    this.config = config;
  }

  /** The trusted Victim version to score with, read from victim-models. */
  ModelVersion chooseFrom(TopicReader reader) {
    String topic = config.topics().victimModels();
    return choose(trusted(decode(reader.readToEnd(topic))), config.victimModelId(), config.victimVersion(), topic);
  }

  /**
   * The Victim version to score with: {@code requested} when given, else the newest of {@code modelId}.
   *
   * @throws IllegalStateException when there is none, naming what the topic does hold
   */
  static ModelVersion choose(List<ModelVersion> published, String modelId, Long requested, String topic) {
    List<ModelVersion> ofModel = published.stream().filter(v -> v.getModelId().equals(modelId)).toList();
    String held = ofModel.isEmpty() ? "none" : String.join(", ",
        ofModel.stream().map(v -> "v" + v.getVersion()).distinct().toList());
    if (requested != null) {
      // The newest announcement of a version wins, as it does for the live filter.
      ModelVersion found = null;
      for (ModelVersion v : ofModel) {
        if (v.getVersion() == requested) {
          found = v;
        }
      }
      if (found == null) {
        throw new IllegalStateException("Victim " + modelId + " v" + requested + " is not on " + topic
            + " (versions there: " + held + "; the topic is compacted and keeps only the newest version of each model)");
      }
      return found;
    }
    ModelVersion newest = null;
    for (ModelVersion v : ofModel) {
      if (newest == null || v.getVersion() >= newest.getVersion()) {
        newest = v;
      }
    }
    if (newest == null) {
      throw new IllegalStateException("no Victim '" + modelId + "' on " + topic + ": replay scores with a published"
          + " Victim, and none was published yet (the Victim updater of 'sieve stream' publishes one once it has"
          + " warmed up)" + (published.isEmpty() ? "" : "; the topic holds models " + published.stream()
          .map(ModelVersion::getModelId).distinct().toList()));
    }
    return newest;
  }

  /** The ModelVersions among the records; tombstones are skipped, anything else is left out with a warning. */
  private static List<ModelVersion> decode(List<ConsumerRecord<byte[], byte[]>> records) {
    AvroSerde<ModelVersion> serde = AvroSerde.modelVersion();
    List<ModelVersion> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      if (record.value() == null) {
        continue;
      }
      try {
        out.add(serde.decode(record.value()));
      } catch (RuntimeException e) {
        LOG.warn("ignoring {}-{}@{}: not a ModelVersion: {}", record.topic(), record.partition(), record.offset(),
            e.getMessage());
      }
    }
    return out;
  }

  /**
   * The versions whose signature holds (all of them without a key): a forged version is left out
   * with a warning rather than chosen as the newest.
   */
  private List<ModelVersion> trusted(List<ModelVersion> published) {
    List<ModelVersion> out = new ArrayList<>();
    for (ModelVersion v : published) {
      Optional<String> refusal = config.trust().refusal(v, Optional.empty());
      if (refusal.isPresent()) {
        LOG.warn("ignoring {} v{} from {}: {}", v.getModelId(), v.getVersion(), v.getCheckpointUri(), refusal.get());
      } else {
        out.add(v);
      }
    }
    return out;
  }

  /**
   * The chosen version, loaded and checked.
   *
   * @throws IllegalStateException when it cannot be loaded, naming it and where its checkpoint is
   */
  VictimModel load(ModelVersion version) {
    try {
      return config.trust().load(version);
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot load Victim " + version.getModelId() + " v" + version.getVersion()
          + " from " + version.getCheckpointUri() + ": " + e.getMessage(), e);
    }
  }
}
