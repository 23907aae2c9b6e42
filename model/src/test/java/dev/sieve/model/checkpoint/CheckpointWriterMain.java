package dev.sieve.model.checkpoint;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * The victim of {@link CheckpointCrashIT}: a separate JVM that writes checkpoints of a real
 * network back to back, as fast as it can, until it is killed. Like the Beneficiary after a
 * restart, it continues from the newest complete checkpoint in the directory.
 *
 * <p>It prints {@code ready <sha256 of the parameters> v<first version>} once the network exists,
 * then {@code complete v<N>} after each {@link CheckpointStore#write} has returned, so the test
 * knows which versions were reported durable before the kill.
 *
 * <p>Arguments: checkpoint directory, model id.
 */
public final class CheckpointWriterMain {

  private CheckpointWriterMain() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: CheckpointWriterMain <checkpoint-dir> <model-id>");
      System.exit(2);
    }
    CheckpointStore store = new CheckpointStore(Path.of(args[0]));
    String modelId = args[1];
    Architecture architecture = Architecture.FMNIST_CNN_V1;
    long first = store.latest(modelId).map(c -> c.meta().version() + 1).orElse(1L);
    try (Network network = Network.create(architecture, first)) {
      byte[] parameters = network.parameters();
      System.out.println("ready " + CheckpointStore.sha256(parameters) + " v" + first);
      System.out.flush();
      for (long version = first; ; version++) {
        CheckpointMeta meta = new CheckpointMeta(modelId, version, architecture.id(), Instant.now(),
            Map.of("steps", (double) version), Map.of(CheckpointMeta.offsetKey("t", 0), version));
        store.write(meta, parameters);
        System.out.println("complete v" + version);
        System.out.flush();
      }
    }
  }
}
