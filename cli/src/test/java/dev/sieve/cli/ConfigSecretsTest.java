package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.data.BuiltInDataset;
import dev.sieve.loadtest.produce.ProducerConfig;
import dev.sieve.model.Architecture;
import dev.sieve.model.defense.dbd.DbdSettings;
import dev.sieve.model.defense.split.SplitPolicies;
import dev.sieve.model.versions.ModelTrust;
import dev.sieve.pipeline.DemoRun;
import dev.sieve.stream.topology.FilterConfig;
import dev.sieve.stream.updater.VictimUpdaterConfig;
import dev.sieve.trainer.BeneficiaryConfig;
import dev.sieve.trainer.DbdBeneficiary;
import dev.sieve.trainer.replay.ReplayConfig;
import dev.sieve.trainer.replay.ReplayRange;
import dev.sieve.ui.AccessTokens;
import dev.sieve.ui.UiConfig;
import dev.sieve.wire.ModelSigningKey;
import dev.sieve.wire.TopicNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Every config record that holds Kafka client settings or a model-signing key is logged somewhere;
 * none may print the password in a {@code sasl.jaas.config}, an SSL password or the key.
 */
class ConfigSecretsTest {

  private static final String PASSWORD = "pw-that-must-not-print";
  private static final String KEY_TEXT = "signing-key-that-must-not-print-0123";
  private static final Map<String, String> LOGIN = Map.of(
      "security.protocol", "SASL_SSL",
      "sasl.mechanism", "SCRAM-SHA-512",
      "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\""
          + PASSWORD + "\";",
      "ssl.truststore.password", PASSWORD);

  @Test
  void noConfigRecordPrintsAPasswordOrTheSigningKey() {
    TopicNames topics = TopicNames.defaults();
    Path dir = Path.of("checkpoints");
    Optional<ModelSigningKey> key = Optional.of(ModelSigningKey.of(KEY_TEXT));
    ModelTrust trust = ModelTrust.within(dir).withSigningKey(key);
    BeneficiaryConfig beneficiary = BeneficiaryConfig.defaults("localhost:9092", dir).withClientOverrides(LOGIN)
        .withModelTrust(trust);
    List<Object> records = List.of(
        beneficiary,
        new DbdBeneficiary.Config("localhost:9092", topics, LOGIN, dir, "dbd", Architecture.FMNIST_CNN_V1, 10, 10,
            DbdSettings.defaults(), 1, key),
        new ReplayConfig("localhost:9092", topics, LOGIN, ReplayRange.parse(null, null, "0:0", "0:1"), "x", "victim",
            null, FilterConfig.defaults(topics), false, null, null, null, null, 1, false, trust),
        ProducerConfig.defaults("localhost:9092").withClientOverrides(LOGIN),
        new UiConfig("localhost:9092", topics, LOGIN, "127.0.0.1", 8080, AccessTokens.single("me", "t".repeat(32)),
            100, UiConfig.FASHION_MNIST_CLASSES, UiConfig.LOOPBACK_HOSTS),
        new DemoRun.Config("localhost:9092", topics, 2, dir, dir, ProducerConfig.defaults("localhost:9092"),
            FilterConfig.defaults(topics), VictimUpdaterConfig.defaults(topics, dir), SplitPolicies.defaultPolicy(),
            beneficiary, Duration.ofSeconds(1), 0, Duration.ofSeconds(1), LOGIN, key, BuiltInDataset.FMNIST),
        trust);
    for (Object record : records) {
      String printed = record.toString();
      assertFalse(printed.contains(PASSWORD), record.getClass().getSimpleName() + " prints a password: " + printed);
      assertFalse(printed.contains(KEY_TEXT), record.getClass().getSimpleName() + " prints the signing key: " + printed);
    }
    assertTrue(beneficiary.toString().contains("sasl.mechanism=SCRAM-SHA-512"), "what is not secret still shows");
  }
}
