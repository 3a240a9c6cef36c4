package io.modelreg.jdbc;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.modelreg.IntegrityException;
import org.jspecify.annotations.Nullable;

/**
 * Record trees ({@link io.modelreg.spi.RecordTrees}) to JSON text and back, as plain maps, lists, strings,
 * {@code Long}s and {@code Double}s: never into types (no default typing), duplicate keys refused.
 */
final class Json {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.USE_LONG_FOR_INTS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();

  private Json() {}

  static String write(Object tree) {
    try {
      return MAPPER.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A record tree holds only maps, lists, strings and numbers: " + e, e);
    }
  }

  static @Nullable Object parse(String text, String source) {
    try {
      return MAPPER.readValue(text, Object.class);
    } catch (JsonProcessingException e) {
      throw new IntegrityException("Corrupt record " + source + ": not JSON: " + e.getOriginalMessage(), e);
    }
  }
}
