package dev.sieve.cli;

import dev.sieve.model.versions.ModelTrust;
import dev.sieve.wire.ModelSigningKey;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Which published model versions a command accepts and how it signs its own: the
 * model-signing key, and the limits on checkpoints named by a message (see docs/faults.md,
 * "Threat model").
 */
final class ModelTrustOptions {

  @Option(names = "--model-signing-key-file", paramLabel = "FILE",
      description = "HMAC-SHA256 key that signs the model versions this command publishes and that every version it "
          + "reads must be signed with (default: $" + ModelSigningKey.ENV_VAR + ", else none: versions are not "
          + "authenticated). Make one with: head -c 32 /dev/urandom | base64 > FILE")
  Path signingKeyFile;

  @Option(names = "--max-checkpoint-bytes", paramLabel = "BYTES", defaultValue = "" + ModelTrust.DEFAULT_MAX_CHECKPOINT_BYTES,
      description = "Largest checkpoint file a published version may name (default: ${DEFAULT-VALUE}).")
  long maxCheckpointBytes;

  @Option(names = "--max-version-step", paramLabel = "N", defaultValue = "" + ModelTrust.DEFAULT_MAX_VERSION_STEP,
      description = "How far a new model version may jump past the installed one (default: ${DEFAULT-VALUE}).")
  long maxVersionStep;

  private Optional<ModelSigningKey> key;

  /** The key from the file, else the environment, else none; read once. */
  Optional<ModelSigningKey> signingKey() {
    if (key == null) {
      key = ModelSigningKey.resolve(signingKeyFile);
      if (key.isEmpty()) {
        System.err.println("sieve: no model-signing key (--model-signing-key-file or $" + ModelSigningKey.ENV_VAR
            + "): model versions are neither signed nor checked, so any client that can write the model topics"
            + " can publish a Victim (see docs/faults.md, Threat model)");
      }
    }
    return key;
  }

  /** What versions whose checkpoints lie under {@code checkpointRoot} must show to be accepted. */
  ModelTrust trust(Path checkpointRoot) {
    return ModelTrust.within(checkpointRoot).withLimits(maxCheckpointBytes, maxVersionStep).withSigningKey(signingKey());
  }
}
