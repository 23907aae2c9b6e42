package dev.sieve.cli;

import dev.sieve.model.Architecture;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.wire.DatasetDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * Which network family a command builds its models from, named as in architecture ids
 * ({@code small-resnet-3x32x32-10}); the shape comes from the data set. The small CNN unless told,
 * so nothing changes for a user who sets nothing and Fashion-MNIST's {@code fmnist-cnn-v1} stays.
 */
final class ArchitectureOptions {

  static final String FAMILIES = Arrays.stream(Architecture.Family.values()).map(Architecture.Family::id)
      .collect(Collectors.joining("|"));

  @Option(names = "--architecture", defaultValue = "small-cnn", paramLabel = "FAMILY", converter = FamilyConverter.class,
      description = {"Network family of the models this command builds (default: ${DEFAULT-VALUE}): small-cnn,",
          "small-resnet (a pre-activation ResNet-14, ~0.17 M parameters: colour images), or preact-resnet18",
          "(the literature's benchmark, ~11 M: slow on a CPU). A checkpoint directory holding another",
          "architecture's checkpoints is refused: give each architecture its own."})
  Architecture.Family family;

  /** Reads a family id in any case. */
  static final class FamilyConverter implements ITypeConverter<Architecture.Family> {
    @Override
    public Architecture.Family convert(String value) {
      try {
        return Architecture.Family.byId(value.strip().toLowerCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("expected " + FAMILIES + ", got '" + value + "'");
      }
    }
  }

  /** The family, built for the data set's shape and classes; a shape the family cannot take is refused. */
  Architecture forDataset(DatasetDescriptor dataset) {
    return Architecture.forDataset(family == null ? Architecture.Family.SMALL_CNN : family, dataset);
  }

  /**
   * The architecture for the data set, once it is known to be the one of the newest checkpoint of
   * {@code modelId} in {@code dir} (a directory without one fits): resuming another architecture's
   * weights cannot work, and training a fresh one there would mix two models' versions under one
   * name. Writes nothing, so a command refuses before it connects anywhere.
   */
  Architecture checkAgainst(Path dir, String modelId, DatasetDescriptor dataset) {
    Architecture wanted = forDataset(dataset);
    if (!Files.isDirectory(dir)) {
      return wanted;
    }
    new CheckpointStore(dir).latest(modelId).ifPresent(latest -> {
      if (!latest.meta().architecture().equals(wanted.id())) {
        throw new IllegalArgumentException(dir + " holds " + modelId + " v" + latest.meta().version()
            + " of architecture " + latest.meta().architecture() + ", not " + wanted.id() + " (--architecture "
            + wanted.family().id() + "): give this architecture its own checkpoint directory, or pass the"
            + " architecture those checkpoints were trained with");
      }
    });
    return wanted;
  }
}
