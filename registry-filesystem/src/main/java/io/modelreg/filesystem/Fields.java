package io.modelreg.filesystem;

import io.modelreg.IntegrityException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Typed access to one parsed JSON object, with errors that name the file and the field, so a truncated
 * or hand-edited file is reported as what it is instead of a NullPointerException.
 */
final class Fields {
  private final Map<?, ?> map;
  private final String source;

  private Fields(Map<?, ?> map, String source) {
    this.map = map;
    this.source = source;
  }

  static Fields of(@Nullable Object parsed, String source) {
    if (!(parsed instanceof Map)) {
      throw new IntegrityException("Corrupt registry file " + source + ": expected a JSON object");
    }
    return new Fields((Map<?, ?>) parsed, source);
  }

  private IntegrityException bad(String field, String expected) {
    return new IntegrityException("Corrupt registry file " + source + ": field '" + field + "' "
        + (map.containsKey(field) ? "must be " + expected : "is missing (" + expected + ")"));
  }

  boolean has(String field) {
    return map.get(field) != null;
  }

  String str(String field) {
    Object v = map.get(field);
    if (!(v instanceof String)) {
      throw bad(field, "a string");
    }
    return (String) v;
  }

  @Nullable String optStr(String field) {
    Object v = map.get(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String)) {
      throw bad(field, "a string or null");
    }
    return (String) v;
  }

  long lng(String field) {
    Object v = map.get(field);
    if (!(v instanceof Long)) {
      throw bad(field, "an integer");
    }
    return (Long) v;
  }

  int integer(String field) {
    long v = lng(field);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw bad(field, "an integer in int range");
    }
    return (int) v;
  }

  @Nullable Integer optInt(String field) {
    return map.get(field) == null ? null : integer(field);
  }

  @Nullable Boolean optBool(String field) {
    Object v = map.get(field);
    if (v != null && !(v instanceof Boolean)) {
      throw bad(field, "true, false or null");
    }
    return (Boolean) v;
  }

  boolean bool(String field) {
    Boolean b = optBool(field);
    if (b == null) {
      throw bad(field, "true or false");
    }
    return b;
  }

  Instant instant(String field) {
    try {
      return Instant.parse(str(field));
    } catch (DateTimeParseException e) {
      throw bad(field, "an ISO-8601 instant such as 2026-01-01T00:00:00Z");
    }
  }

  Fields obj(String field) {
    Object v = map.get(field);
    if (!(v instanceof Map)) {
      throw bad(field, "an object");
    }
    return new Fields((Map<?, ?>) v, source);
  }

  @Nullable Fields optObj(String field) {
    return map.get(field) == null ? null : obj(field);
  }

  List<Fields> objects(String field) {
    List<Fields> out = new ArrayList<>();
    for (Object item : list(field)) {
      out.add(of(item, source + " (" + field + ")"));
    }
    return out;
  }

  List<?> list(String field) {
    Object v = map.get(field);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List)) {
      throw bad(field, "an array");
    }
    return (List<?>) v;
  }

  List<String> strings(String field) {
    List<String> out = new ArrayList<>();
    for (Object item : list(field)) {
      if (!(item instanceof String)) {
        throw bad(field, "an array of strings");
      }
      out.add((String) item);
    }
    return out;
  }

  List<Integer> ints(String field) {
    List<Integer> out = new ArrayList<>();
    for (Object item : list(field)) {
      if (!(item instanceof Long)) {
        throw bad(field, "an array of integers");
      }
      out.add(((Long) item).intValue());
    }
    return out;
  }

  Map<String, String> stringMap(String field) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : rawMap(field).entrySet()) {
      if (!(e.getValue() instanceof String)) {
        throw bad(field + "." + e.getKey(), "a string");
      }
      out.put((String) e.getKey(), (String) e.getValue());
    }
    return out;
  }

  Map<String, Double> doubleMap(String field) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : rawMap(field).entrySet()) {
      if (!(e.getValue() instanceof Number)) {
        throw bad(field + "." + e.getKey(), "a number");
      }
      out.put((String) e.getKey(), ((Number) e.getValue()).doubleValue());
    }
    return out;
  }

  Map<String, Long> longMap(String field) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : rawMap(field).entrySet()) {
      if (!(e.getValue() instanceof Long)) {
        throw bad(field + "." + e.getKey(), "an integer");
      }
      out.put((String) e.getKey(), (Long) e.getValue());
    }
    return out;
  }

  private Map<?, ?> rawMap(String field) {
    Object v = map.get(field);
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof Map)) {
      throw bad(field, "an object");
    }
    return (Map<?, ?>) v;
  }

  /** Runs a conversion, reporting a value rejected by a constructor as a corrupt file. */
  <T> T check(String field, java.util.function.Supplier<T> conversion) {
    try {
      return conversion.get();
    } catch (IllegalArgumentException e) {
      throw new IntegrityException("Corrupt registry file " + source + ": field '" + field + "': " + e.getMessage(), e);
    }
  }
}
