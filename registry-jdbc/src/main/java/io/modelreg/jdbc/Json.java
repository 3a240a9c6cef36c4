package io.modelreg.jdbc;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.modelreg.IntegrityException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Record trees ({@link io.modelreg.spi.RecordTrees}) to JSON text and back, as plain maps, lists, strings,
 * {@code Long}s and {@code Double}s: never into types (no default typing), duplicate keys refused.
 *
 * <p>PostgreSQL's {@code jsonb} keeps numbers as {@code numeric} and writes them without an exponent, so a
 * metric of {@code 1e20} comes back as {@code 100000000000000000000}: a whole number beyond {@code long} is read
 * as the {@code Double} it was written from, not refused. ({@code numeric} has no negative zero either: a
 * {@code -0.0} comes back as {@code 0.0}.)
 */
final class Json {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
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
      return plain(MAPPER.readTree(text));
    } catch (JsonProcessingException e) {
      throw new IntegrityException("Corrupt record " + source + ": not JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static @Nullable Object plain(JsonNode node) {
    if (node.isObject()) {
      Map<String, @Nullable Object> out = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        out.put(e.getKey(), plain(e.getValue()));
      }
      return out;
    }
    if (node.isArray()) {
      List<@Nullable Object> out = new ArrayList<>(node.size());
      for (JsonNode e : node) {
        out.add(plain(e));
      }
      return out;
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToLong() ? (Object) node.longValue() : (Object) node.doubleValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    return null;
  }
}
