package dev.sieve.stream.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.wire.Headers;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class BufferedSampleCodecTest {

  private final BufferedSampleCodec codec = new BufferedSampleCodec();

  private BufferedSample sample() {
    RecordHeaders headers = new RecordHeaders();
    headers.add(Headers.GROUND_TRUTH, Headers.TRUTH_POISONED.getBytes(StandardCharsets.UTF_8));
    headers.add("no-value", null);
    headers.add("ünïcode", new byte[] {0, 1, 2});
    headers.add(Headers.GROUND_TRUTH, "second".getBytes(StandardCharsets.UTF_8)); // repeated names are kept
    return new BufferedSample(TestSamples.key("id-1"), headers, 123L, 456L, TestSamples.float32("id-1", 4, 0.5f).build());
  }

  @Test
  void roundTripsKeyHeadersTimestampsAndSample() {
    BufferedSample original = sample();
    byte[] bytes = codec.encode(original);
    BufferedSample back = codec.decode(bytes);

    assertArrayEquals(original.key(), back.key());
    assertEquals(123L, back.timestamp());
    assertEquals(456L, back.bufferedAtMs());
    assertEquals(456L, BufferedSampleCodec.bufferedAtMs(bytes));
    assertEquals(original.sample(), back.sample());
    Iterator<Header> expected = original.headers().iterator();
    Iterator<Header> actual = back.headers().iterator();
    while (expected.hasNext()) {
      Header e = expected.next();
      Header a = actual.next();
      assertEquals(e.key(), a.key());
      assertArrayEquals(e.value(), a.value());
    }
    assertTrue(!actual.hasNext(), "no extra headers");
    assertNull(back.headers().lastHeader("no-value").value());
  }

  @Test
  void refusesCorruptEnvelopes() {
    byte[] bytes = codec.encode(sample());
    IllegalStateException truncated = assertThrows(IllegalStateException.class,
        () -> codec.decode(Arrays.copyOf(bytes, bytes.length - 5)));
    assertTrue(truncated.getMessage().contains("corrupt buffered-sample envelope"), truncated.getMessage());

    byte[] trailing = Arrays.copyOf(bytes, bytes.length + 3);
    assertThrows(IllegalStateException.class, () -> codec.decode(trailing));

    byte[] wrongVersion = bytes.clone();
    wrongVersion[0] = 9;
    IllegalStateException version = assertThrows(IllegalStateException.class, () -> codec.decode(wrongVersion));
    assertTrue(version.getMessage().contains("format version 9"), version.getMessage());
    assertThrows(IllegalStateException.class, () -> BufferedSampleCodec.bufferedAtMs(wrongVersion));
    assertThrows(IllegalStateException.class, () -> BufferedSampleCodec.bufferedAtMs(new byte[3]));
  }
}
