package io.modelreg.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * JSON in and out. Output is built as plain maps and lists; input is read as a tree and each field checked
 * by hand, so nothing is ever deserialised into a type chosen by the request (no default typing).
 */
final class Json {
  static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(JsonParser.Feature.ALLOW_COMMENTS)
      .build();

  private Json() {}

  static byte[] write(Object tree) {
    try {
      return MAPPER.writeValueAsBytes(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Could not write JSON", e);
    }
  }

  /** Parses a request body that must be a JSON object. */
  static JsonNode object(byte[] body) {
    if (body.length == 0) {
      throw ApiException.badRequest("The request needs a JSON object body");
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("The body is not valid JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw ApiException.badRequest("The body could not be read: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw ApiException.badRequest("The body must be a JSON object");
    }
    return node;
  }

  static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || !v.isTextual()) {
      throw ApiException.badRequest("Field '" + field + "' is required and must be a string");
    }
    return v.asText();
  }

  static @Nullable String optionalText(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw ApiException.badRequest("Field '" + field + "' must be a string");
    }
    return v.asText();
  }

  static int positiveInt(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || !v.canConvertToExactIntegral() || !v.canConvertToInt() || v.asInt() < 1) {
      throw ApiException.badRequest("Field '" + field + "' is required and must be an integer >= 1");
    }
    return v.asInt();
  }

  static Map<String, Double> numbers(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || !v.isObject() || v.isEmpty()) {
      throw ApiException.badRequest("Field '" + field + "' is required and must be an object of metric name to number");
    }
    Map<String, Double> out = new LinkedHashMap<>();
    var it = v.fields();
    while (it.hasNext()) {
      var e = it.next();
      if (!e.getValue().isNumber()) {
        throw ApiException.badRequest("Metric '" + e.getKey() + "' must be a number, got " + e.getValue().getNodeType());
      }
      out.put(e.getKey(), e.getValue().asDouble());
    }
    return out;
  }
}
