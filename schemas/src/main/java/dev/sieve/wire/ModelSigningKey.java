package dev.sieve.wire;

import dev.sieve.schemas.ModelVersion;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The operator's key for signing and verifying {@link ModelVersion}s: HMAC-SHA256 over a canonical
 * form of every field but the signature.
 *
 * <p>Why a signature: the sha256 in a ModelVersion travels in the same message, so it proves that
 * the checkpoint is the one the message names, not who sent the message. Anyone who can write the
 * model topic could otherwise point every filter instance at a model of their choosing.
 *
 * <p>Why HMAC and not a public-key signature: every process that verifies a version (the stream
 * instances, the trainer, replay) is run by the same operator as the ones that sign (the Victim
 * updater, the trainer, detox), from the same secret store; one shared secret is one file to
 * provision and rotate, and it already separates Sieve's processes from every other client of the
 * cluster, which is the boundary the topic ACLs draw too. The residual risk, that a compromised
 * Sieve process holding the key can sign, is written down in docs/faults.md ("Threat model").
 *
 * <p>The signature field reads {@code hmac-sha256:<key id>:<hex MAC>}; the key id (the first 8 hex
 * digits of the key's SHA-256) tells an operator which key signed, without revealing it.
 * {@link #toString()} never prints the key.
 */
public final class ModelSigningKey {

  /** Where a key may come from when no file is named: the key itself, as text. */
  public static final String ENV_VAR = "SIEVE_MODEL_SIGNING_KEY";
  /** Shorter keys are refused: HMAC-SHA256's strength needs 32 bytes of entropy, 16 is the floor. */
  public static final int MIN_KEY_BYTES = 16;

  private static final String ALGORITHM = "HmacSHA256";
  private static final String SCHEME = "hmac-sha256";
  private static final byte[] DOMAIN = "sieve.ModelVersion.v1".getBytes(StandardCharsets.US_ASCII);

  private final byte[] key;
  private final String keyId;

  private ModelSigningKey(byte[] key) {
    if (key.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException("a model-signing key needs at least " + MIN_KEY_BYTES
          + " bytes, got " + key.length + " (make one with: head -c 32 /dev/urandom | base64)");
    }
    this.key = key.clone();
    this.keyId = HexFormat.of().formatHex(sha256(key), 0, 4);
  }

  /** A key from its text (surrounding white space, such as a file's last newline, is not part of it). */
  public static ModelSigningKey of(String text) {
    return new ModelSigningKey(text.strip().getBytes(StandardCharsets.UTF_8));
  }

  /** A fresh random key (256 bits, as base64 text), for a run that signs and checks its own versions. */
  public static ModelSigningKey generate() {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    return of(Base64.getEncoder().encodeToString(random));
  }

  /** The key in {@code file}: its text, stripped of surrounding white space. */
  public static ModelSigningKey fromFile(Path file) {
    try {
      if (Files.size(file) > 4096) {
        throw new IllegalArgumentException("model-signing key file " + file + " is larger than 4 KiB; expected one key as text");
      }
      return of(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the model-signing key file " + file + ": " + e.getMessage(), e);
    }
  }

  /** The key in {@code file} when one is named, else in {@code $SIEVE_MODEL_SIGNING_KEY}, else none. */
  public static Optional<ModelSigningKey> resolve(Path file) {
    if (file != null) {
      return Optional.of(fromFile(file));
    }
    String env = System.getenv(ENV_VAR);
    return env == null || env.isBlank() ? Optional.empty() : Optional.of(of(env));
  }

  /** A short public name of this key: the first 8 hex digits of its SHA-256. */
  public String id() {
    return keyId;
  }

  /** {@code version} with its signature set (any earlier signature is replaced). */
  public ModelVersion sign(ModelVersion version) {
    ModelVersion signed = ModelVersion.newBuilder(version).build();
    signed.setSignature(SCHEME + ":" + keyId + ":" + HexFormat.of().formatHex(mac(version)));
    return signed;
  }

  /**
   * Why {@code version} does not carry a valid signature by this key, or empty when it does. The
   * comparison is constant-time.
   */
  public Optional<String> refusal(ModelVersion version) {
    String signature = version.getSignature();
    if (signature == null || signature.isEmpty()) {
      return Optional.of("it is unsigned, and this process holds a model-signing key (key id " + keyId + ")");
    }
    String[] parts = signature.split(":", -1);
    if (parts.length != 3 || !parts[0].equals(SCHEME)) {
      return Optional.of("its signature is not of the form " + SCHEME + ":<key id>:<hex>");
    }
    byte[] claimed;
    try {
      claimed = HexFormat.of().parseHex(parts[2]);
    } catch (IllegalArgumentException e) {
      return Optional.of("its signature is not hexadecimal");
    }
    if (!MessageDigest.isEqual(claimed, mac(version))) {
      return Optional.of(parts[1].equals(keyId)
          ? "its signature does not match its content (key id " + keyId + "): it was altered or forged"
          : "it is signed with key id " + parts[1] + ", not with this process's key " + keyId
              + " (forged, or signed before a key rotation)");
    }
    return Optional.empty();
  }

  /**
   * The canonical form: a domain tag, then every field but the signature in schema order, each
   * length-prefixed, metrics sorted by name with their exact bits. Nothing here depends on how Avro
   * happens to order a map.
   */
  static byte[] canonical(ModelVersion v) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(DOMAIN);
      text(out, v.getModelId());
      out.writeLong(v.getVersion());
      text(out, v.getArchitecture());
      text(out, v.getCheckpointUri());
      text(out, v.getSha256());
      Map<String, Double> metrics = new TreeMap<>(v.getMetrics() == null ? Map.of() : v.getMetrics());
      out.writeInt(metrics.size());
      for (Map.Entry<String, Double> metric : metrics.entrySet()) {
        text(out, metric.getKey());
        out.writeLong(Double.doubleToLongBits(metric.getValue()));
      }
      out.writeLong(v.getCreatedAt() == null ? Long.MIN_VALUE : v.getCreatedAt().toEpochMilli());
      // Appended only when present, so a version signed before the field existed still verifies;
      // the tag keeps a shape from reading as anything else.
      if (v.getDataset() != null) {
        out.writeUTF("dataset");
        out.writeInt(v.getDataset().getChannels());
        out.writeInt(v.getDataset().getHeight());
        out.writeInt(v.getDataset().getWidth());
        out.writeInt(v.getDataset().getNumClasses());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void text(DataOutputStream out, String s) throws IOException {
    byte[] utf8 = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
  }

  private byte[] mac(ModelVersion version) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      return mac.doFinal(canonical(version));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(ALGORITHM + " is not usable in this JVM", e);
    }
  }

  private static byte[] sha256(byte[] content) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JVM", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelSigningKey other && MessageDigest.isEqual(key, other.key);
  }

  @Override
  public int hashCode() {
    return keyId.hashCode();
  }

  /** Names the key by its id only. */
  @Override
  public String toString() {
    return "ModelSigningKey[" + SCHEME + ", id " + keyId + "]";
  }
}
