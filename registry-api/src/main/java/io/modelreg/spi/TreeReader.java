package io.modelreg.spi;

import io.modelreg.IntegrityException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Typed access to one parsed JSON object (a tree of {@code Map}, {@code List}, {@code String}, {@code Long},
 * {@code Double}, {@code Boolean} and null), with errors that name the source and the field, so a truncated
 * or hand-edited record is reported as an {@link IntegrityException} saying what is wrong instead of a
 * NullPointerException. Stores use it through {@link RecordTrees}, and for their own small files.
 */
public final class TreeReader {
  private final Map<?, ?> map;
  private final String source;

  private TreeReader(Map<?, ?> map, String source) {
    this.map = map;
    this.source = source;
  }

  public static TreeReader of(@Nullable Object parsed, String source) {
    if (!(parsed instanceof Map)) {
      throw new IntegrityException("Corrupt record " + source + ": expected a JSON object");
    }
    return new TreeReader((Map<?, ?>) parsed, source);
  }

  private IntegrityException bad(String field, String expected) {
    return map.containsKey(field) ? wrong(field, expected)
        : new IntegrityException("Corrupt record " + source + ": field '" + field + "' is missing (" + expected + ")");
  }

  /** A value present with the wrong type; also for map entries, named {@code field.key}, which {@link #bad} would call missing. */
  private IntegrityException wrong(String field, String expected) {
    return new IntegrityException("Corrupt record " + source + ": field '" + field + "' must be " + expected);
  }

  public boolean has(String field) {
    return map.get(field) != null;
  }

  public String str(String field) {
    Object v = map.get(field);
    if (!(v instanceof String)) {
      throw bad(field, "a string");
    }
    return (String) v;
  }

  public @Nullable String optStr(String field) {
    Object v = map.get(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String)) {
      throw bad(field, "a string or null");
    }
    return (String) v;
  }

  public long lng(String field) {
    Object v = map.get(field);
    if (!(v instanceof Long)) {
      throw bad(field, "an integer");
    }
    return (Long) v;
  }

  public int integer(String field) {
    long v = lng(field);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw bad(field, "an integer in int range");
    }
    return (int) v;
  }

  public @Nullable Integer optInt(String field) {
    return map.get(field) == null ? null : integer(field);
  }

  public @Nullable Boolean optBool(String field) {
    Object v = map.get(field);
    if (v != null && !(v instanceof Boolean)) {
      throw bad(field, "true, false or null");
    }
    return (Boolean) v;
  }

  public boolean bool(String field) {
    Boolean b = optBool(field);
    if (b == null) {
      throw bad(field, "true or false");
    }
    return b;
  }

  public Instant instant(String field) {
    try {
      return Instant.parse(str(field));
    } catch (DateTimeParseException e) {
      throw bad(field, "an ISO-8601 instant such as 2026-01-01T00:00:00Z");
    }
  }

  public TreeReader obj(String field) {
    Object v = map.get(field);
    if (!(v instanceof Map)) {
      throw bad(field, "an object");
    }
    return new TreeReader((Map<?, ?>) v, source);
  }

  public @Nullable TreeReader optObj(String field) {
    return map.get(field) == null ? null : obj(field);
  }

  public List<TreeReader> objects(String field) {
    List<TreeReader> out = new ArrayList<>();
    for (Object item : list(field)) {
      out.add(of(item, source + " (" + field + ")"));
    }
    return out;
  }

  public List<?> list(String field) {
    Object v = map.get(field);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List)) {
      throw bad(field, "an array");
    }
    return (List<?>) v;
  }

  public List<String> strings(String field) {
    List<String> out = new ArrayList<>();
    for (Object item : list(field)) {
      if (!(item instanceof String)) {
        throw bad(field, "an array of strings");
      }
      out.add((String) item);
    }
    return out;
  }

  public List<Integer> ints(String field) {
    List<Integer> out = new ArrayList<>();
    for (Object item : list(field)) {
      if (!(item instanceof Long)) {
        throw bad(field, "an array of integers");
      }
      out.add(((Long) item).intValue());
    }
    return out;
  }

  public Map<String, String> stringMap(String field) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : rawMap(field).entrySet()) {
      if (!(e.getValue() instanceof String)) {
        throw wrong(field + "." + e.getKey(), "a string");
      }
      out.put((String) e.getKey(), (String) e.getValue());
    }
    return out;
  }

  public Map<String, Double> doubleMap(String field) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : rawMap(field).entrySet()) {
      if (!(e.getValue() instanceof Number)) {
        throw wrong(field + "." + e.getKey(), "a number");
      }
      out.put((String) e.getKey(), ((Number) e.getValue()).doubleValue());
    }
    return out;
  }

  public Map<String, Long> longMap(String field) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : rawMap(field).entrySet()) {
      if (!(e.getValue() instanceof Long)) {
        throw wrong(field + "." + e.getKey(), "an integer");
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
  public <T> T check(String field, java.util.function.Supplier<T> conversion) {
    try {
      return conversion.get();
    } catch (IllegalArgumentException e) {
      throw new IntegrityException("Corrupt record " + source + ": field '" + field + "': " + e.getMessage(), e);
    }
  }
}
