package dev.sieve.stream.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import dev.sieve.stream.fuzz.HostileAvro.Recipe;
import dev.sieve.wire.AvroSerde;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fuzz inputs are what their recipes say: checked here so that the fuzz tests aim where they claim. */
class HostileAvroTest {

  private final AvroSerde<LabeledSample> serde = AvroSerde.labeledSample();
  private final byte[] encoding = serde.encode(LabeledSample.newBuilder()
      .setId("ab").setSource("s").setLabel(3).setHeight(2).setWidth(1).setChannels(1)
      .setEncoding(PixelEncoding.UINT8).setPixels(ByteBuffer.wrap(new byte[] {7, 9}))
      .setEventTime(Instant.ofEpochMilli(5)).setMetadata(Map.of("k", "v")).build());

  @Test
  void zigZagVarintsAreAvrosLongs() {
    HexFormat hex = HexFormat.of();
    assertEquals("00", hex.formatHex(HostileAvro.zigZagVarint(0)));
    assertEquals("01", hex.formatHex(HostileAvro.zigZagVarint(-1)));
    assertEquals("a00c", hex.formatHex(HostileAvro.zigZagVarint(784)));
    assertEquals("e0ffffff0f", hex.formatHex(HostileAvro.zigZagVarint(0x7FFF_FFF0L)));
    assertEquals("feffffff0f", hex.formatHex(HostileAvro.zigZagVarint(Integer.MAX_VALUE)));
    assertEquals("ffffffffffffffffff01", hex.formatHex(HostileAvro.zigZagVarint(Long.MIN_VALUE)));
  }

  @Test
  void headerIsTheEncodersHeader() {
    assertArrayEquals(Arrays.copyOf(encoding, HostileAvro.HEADER_LENGTH), HostileAvro.header(serde.schema()));
  }

  @Test
  void splicePointsAreTheVarintsOfTheBody() {
    // id "ab": len@10, source "s": len@13, label@15, height@16, width@17, channels@18, encoding@19,
    // pixels: len@20 (2 bytes follow), eventTime@23, metadata: count@24, key len@25, value len@27, end@29.
    assertEquals(List.of(10, 13, 15, 16, 17, 18, 19, 20, 23, 24, 25, 27, 29),
        HostileAvro.varintStarts(serde.schema(), encoding));
  }

  @Test
  void forgingAVarintReplacesExactlyThatVarint() {
    byte[] forged = HostileAvro.build(Recipe.FORGE_VARINT, serde.schema(), encoding, 7, 0x7FFF_FFF0L, new byte[0]);
    byte[] expected = HostileAvro.concat(Arrays.copyOf(encoding, 20), HexFormat.of().parseHex("e0ffffff0f"),
        Arrays.copyOfRange(encoding, 21, encoding.length));
    assertArrayEquals(expected, forged);
    assertArrayEquals(HostileAvro.concat(HostileAvro.header(serde.schema()), new byte[] {1, 2}),
        HostileAvro.build(Recipe.HEADER_THEN_BYTES, serde.schema(), encoding, 0, 0, new byte[] {1, 2}));
    assertArrayEquals(Arrays.copyOf(encoding, 12),
        HostileAvro.build(Recipe.TRUNCATE_THEN_BYTES, serde.schema(), encoding, 2, 0, new byte[0]));
  }
}
