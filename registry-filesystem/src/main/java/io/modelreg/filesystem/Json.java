package io.modelreg.filesystem;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import io.modelreg.IntegrityException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * JSON in and out with jackson-core's streaming API only: plain maps, lists, strings, numbers and
 * booleans, never objects chosen by the data (no data binding, no polymorphic typing). Streaming keeps
 * start-up light, which matters for the time from {@code open()} to the first resolve.
 */
final class Json {
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(1 << 24).build())
      .build();

  private Json() {}

  /**
   * Parses one JSON document into maps, lists, strings, longs, doubles, booleans and nulls.
   *
   * @throws IntegrityException naming {@code source} when the text is not one well-formed document
   */
  static @Nullable Object parse(byte[] bytes, String source) {
    try (JsonParser p = FACTORY.createParser(bytes)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new IntegrityException("Corrupt registry file " + source + ": it is empty");
      }
      Object value = value(p);
      if (p.nextToken() != null) {
        throw new IntegrityException("Corrupt registry file " + source + ": unexpected content after the JSON value at "
            + p.currentLocation().getLineNr() + ":" + p.currentLocation().getColumnNr());
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new IntegrityException("Corrupt registry file " + source + ": " + e.getOriginalMessage() + " at line "
          + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static @Nullable Object value(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT:
        Map<String, @Nullable Object> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          map.put(name, value(p));
        }
        return map;
      case START_ARRAY:
        List<@Nullable Object> list = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          list.add(value(p));
        }
        return list;
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new IOException("unexpected token " + t);
    }
  }

  /** Writes maps, lists, strings, numbers, booleans and nulls; pretty-printed or one line. */
  static byte[] write(Object value, boolean pretty) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      if (pretty) {
        g.setPrettyPrinter(new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n")));
      }
      write(g, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (pretty) {
      out.write('\n');
    }
    return out.toByteArray();
  }

  private static void write(JsonGenerator g, @Nullable Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof Map) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        write(g, e.getValue());
      }
      g.writeEndObject();
    } else if (v instanceof List) {
      g.writeStartArray();
      for (Object item : (List<?>) v) {
        write(g, item);
      }
      g.writeEndArray();
    } else if (v instanceof String) {
      g.writeString((String) v);
    } else if (v instanceof Integer || v instanceof Long) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof Double) {
      g.writeNumber((Double) v);
    } else if (v instanceof Boolean) {
      g.writeBoolean((Boolean) v);
    } else {
      throw new IllegalArgumentException("Cannot write " + v.getClass().getName() + " as JSON");
    }
  }
}
