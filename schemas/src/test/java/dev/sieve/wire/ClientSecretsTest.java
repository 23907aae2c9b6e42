package dev.sieve.wire;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientSecretsTest {

  @Test
  void passwordsJaasConfigsAndKeysAreHiddenTheRestIsShown() {
    Map<String, String> settings = Map.of(
        "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"s3cret-pw\";",
        "ssl.keystore.password", "s3cret-ks",
        "ssl.key.password", "s3cret-key",
        "ssl.keystore.key", "s3cret-pem",
        "basic.auth.user.info", "u:s3cret-basic",
        "security.protocol", "SASL_SSL",
        "sasl.mechanism", "SCRAM-SHA-512");
    String shown = ClientSecrets.redact(settings);
    assertFalse(shown.contains("s3cret"), shown);
    assertTrue(shown.contains("sasl.jaas.config=" + ClientSecrets.HIDDEN), shown);
    assertTrue(shown.contains("security.protocol=SASL_SSL") && shown.contains("sasl.mechanism=SCRAM-SHA-512"), shown);
  }
}
