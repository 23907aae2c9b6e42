package dev.sieve.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.avro.SystemLimitException;
import org.junit.jupiter.api.Test;

class DecodeLimitsTest {

  @Test
  void avrosLimitsFollowTheRecordLimitInCode() {
    String before = System.getProperty(SystemLimitException.MAX_STRING_LENGTH_PROPERTY);
    try {
      AvroSerde.labeledSample(); // its class initialiser applies the default
      DecodeLimits.configure(100_000);
      for (String property : new String[] {SystemLimitException.MAX_BYTES_LENGTH_PROPERTY,
          SystemLimitException.MAX_STRING_LENGTH_PROPERTY, SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY}) {
        assertEquals(Integer.toString(16 * 100_000), System.getProperty(property), property);
      }
      assertThrows(IllegalArgumentException.class, () -> DecodeLimits.configure(0));
    } finally {
      DecodeLimits.configure(DecodeLimits.DEFAULT_MAX_RECORD_BYTES);
      assertEquals(Integer.toString(16 * DecodeLimits.DEFAULT_MAX_RECORD_BYTES),
          System.getProperty(SystemLimitException.MAX_STRING_LENGTH_PROPERTY), "was " + before);
    }
  }
}
