package dev.sieve.eval.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The machine-readable side of the report: any value (records, lists, maps, {@link
 * java.time.Instant}s as ISO-8601 text) as pretty-printed JSON, written whole.
 *
 * <p>NaN and the infinities, which the metrics use for "undefined" (recall without poison, AUROC
 * with one class), are written as {@code null}: JSON has no such numbers, and Jackson's default
 * would write the string "NaN", which a reader takes for text, or a bare NaN, which most parsers
 * reject.
 */
public final class JsonReport {

  private static final ObjectMapper JSON = mapper();

  private JsonReport() {}

  /** Serialises {@code value} to {@code file}, creating its directory; replaces the file whole. */
  public static void write(Path file, Object value) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("could not write " + (value == null ? "null" : value.getClass().getName())
          + " as JSON for " + file + ": " + e.getOriginalMessage(), e);
    }
    AtomicFile.write(file, bytes);
  }

  /** The mapper {@link #write} uses, for a reader that wants the same conventions. */
  static ObjectMapper mapper() {
    SimpleModule nonFinite = new SimpleModule("non-finite-as-null")
        .addSerializer(Double.class, new DoubleSerializer())
        .addSerializer(double.class, new DoubleSerializer())
        .addSerializer(Float.class, new FloatSerializer())
        .addSerializer(float.class, new FloatSerializer())
        .addSerializer(double[].class, new DoubleArraySerializer())
        .addSerializer(float[].class, new FloatArraySerializer());
    return new ObjectMapper()
        .registerModule(new JavaTimeModule())
        .registerModule(nonFinite)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(SerializationFeature.INDENT_OUTPUT);
  }

  private static void writeDouble(double v, JsonGenerator gen) throws IOException {
    if (Double.isFinite(v)) {
      gen.writeNumber(v);
    } else {
      gen.writeNull();
    }
  }

  // A float is written as a float, not widened: 0.1f stays 0.1 rather than 0.10000000149011612.
  private static void writeFloat(float v, JsonGenerator gen) throws IOException {
    if (Float.isFinite(v)) {
      gen.writeNumber(v);
    } else {
      gen.writeNull();
    }
  }

  private static final class DoubleSerializer extends JsonSerializer<Double> {
    @Override
    public void serialize(Double value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
      writeDouble(value, gen);
    }
  }

  private static final class FloatSerializer extends JsonSerializer<Float> {
    @Override
    public void serialize(Float value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
      writeFloat(value, gen);
    }
  }

  private static final class DoubleArraySerializer extends JsonSerializer<double[]> {
    @Override
    public void serialize(double[] value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
      gen.writeStartArray(value, value.length);
      for (double v : value) {
        writeDouble(v, gen);
      }
      gen.writeEndArray();
    }
  }

  private static final class FloatArraySerializer extends JsonSerializer<float[]> {
    @Override
    public void serialize(float[] value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
      gen.writeStartArray(value, value.length);
      for (float v : value) {
        writeFloat(v, gen);
      }
      gen.writeEndArray();
    }
  }
}
