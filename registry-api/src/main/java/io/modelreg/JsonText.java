package io.modelreg;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * JSON text for the plain trees of {@link io.modelreg.spi.RecordTrees} ({@code Map}, {@code List}, {@code String},
 * {@code Long}/{@code Integer}, {@code Double}, {@code Boolean}, null), so that {@code registry-api} can read and
 * write its one file format ({@link ModelArchive}) without a JSON library (the module depends on none).
 *
 * <p>Reading is strict RFC 8259: no comments, no trailing commas, no duplicate keys, nothing after the value,
 * nesting at most {@value #MAX_DEPTH} deep. Integers without fraction or exponent become {@code Long} (one outside
 * the long range is refused), every other number {@code Double}, as {@link io.modelreg.spi.TreeReader} expects.
 * Objects keep their key order. A syntax error is an {@link IntegrityException} naming the source, the line and
 * the column.
 */
final class JsonText {
  static final int MAX_DEPTH = 64;

  private final String text;
  private final String source;
  private int pos;

  private JsonText(String text, String source) {
    this.text = text;
    this.source = source;
  }

  // ------------------------------------------------------------------ writing

  /** The tree as indented JSON text (two spaces), keys in the maps' order. */
  static String write(@Nullable Object tree) {
    StringBuilder out = new StringBuilder();
    write(tree, out, 0);
    return out.append('\n').toString();
  }

  private static void write(@Nullable Object v, StringBuilder out, int indent) {
    if (v == null || v instanceof Boolean || v instanceof Long || v instanceof Integer) {
      out.append(v);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException("JSON has no representation for " + d);
      }
      out.append(d);
    } else if (v instanceof String) {
      string((String) v, out);
    } else if (v instanceof Map) {
      Map<?, ?> map = (Map<?, ?>) v;
      if (map.isEmpty()) {
        out.append("{}");
        return;
      }
      out.append('{');
      String sep = "\n";
      for (Map.Entry<?, ?> e : map.entrySet()) {
        out.append(sep).append("  ".repeat(indent + 1));
        string(String.valueOf(e.getKey()), out);
        out.append(": ");
        write(e.getValue(), out, indent + 1);
        sep = ",\n";
      }
      out.append('\n').append("  ".repeat(indent)).append('}');
    } else if (v instanceof List) {
      List<?> list = (List<?>) v;
      if (list.isEmpty()) {
        out.append("[]");
        return;
      }
      out.append('[');
      String sep = "\n";
      for (Object item : list) {
        out.append(sep).append("  ".repeat(indent + 1));
        write(item, out, indent + 1);
        sep = ",\n";
      }
      out.append('\n').append("  ".repeat(indent)).append(']');
    } else {
      throw new IllegalArgumentException("Not a JSON tree value: " + v.getClass().getName());
    }
  }

  private static void string(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  // ------------------------------------------------------------------ reading

  /** Parses {@code text}; {@code source} names it in errors. */
  static @Nullable Object read(String text, String source) {
    JsonText p = new JsonText(text, source);
    p.space();
    Object value = p.value(0);
    p.space();
    if (p.pos < text.length()) {
      throw p.error("unexpected " + p.describe() + " after the JSON value");
    }
    return value;
  }

  private @Nullable Object value(int depth) {
    if (depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH + " levels");
    }
    if (pos >= text.length()) {
      throw error("the text ends where a value was expected");
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected " + describe() + " where a value was expected");
    }
  }

  private Map<String, Object> object(int depth) {
    Map<String, Object> map = new LinkedHashMap<>();
    pos++;
    space();
    if (peek() == '}') {
      pos++;
      return map;
    }
    while (true) {
      if (peek() != '"') {
        throw error("expected a quoted key, found " + describe());
      }
      int keyAt = pos;
      String key = string();
      space();
      expect(':');
      space();
      Object value = value(depth + 1);
      if (map.containsKey(key)) {
        pos = keyAt;
        throw error("the key \"" + key + "\" appears twice in one object");
      }
      map.put(key, value);
      space();
      if (peek() == ',') {
        pos++;
        space();
      } else {
        expect('}');
        return map;
      }
    }
  }

  private List<@Nullable Object> array(int depth) {
    List<@Nullable Object> list = new ArrayList<>();
    pos++;
    space();
    if (peek() == ']') {
      pos++;
      return list;
    }
    while (true) {
      list.add(value(depth + 1));
      space();
      if (peek() == ',') {
        pos++;
        space();
      } else {
        expect(']');
        return list;
      }
    }
  }

  private String string() {
    pos++;
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        throw error("the text ends inside a string");
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return sb.toString();
      }
      if (c < 0x20) {
        pos--;
        throw error("a control character (U+" + String.format(java.util.Locale.ROOT, "%04X", (int) c) + ") must be escaped in a string");
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      if (pos >= text.length()) {
        throw error("the text ends inside a string");
      }
      char e = text.charAt(pos++);
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          if (pos + 4 > text.length()) {
            throw error("\\u needs four hex digits");
          }
          try {
            sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
          } catch (NumberFormatException x) {
            throw error("\\u needs four hex digits, found \"" + text.substring(pos, pos + 4) + "\"");
          }
          pos += 4;
        }
        default -> {
          pos -= 2;
          throw error("unknown escape \\" + e + " (allowed: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        }
      }
    }
  }

  private Object number() {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (!digits()) {
      throw error("a number needs digits after '-'");
    }
    boolean integral = true;
    if (peek() == '.') {
      pos++;
      integral = false;
      if (!digits()) {
        throw error("a number needs digits after '.'");
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      integral = false;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!digits()) {
        throw error("a number needs digits in its exponent");
      }
    }
    String n = text.substring(start, pos);
    if (integral) {
      try {
        return Long.parseLong(n);
      } catch (NumberFormatException e) {
        pos = start;
        throw error("the integer " + n + " is outside the 64-bit range");
      }
    }
    double d = Double.parseDouble(n);
    if (Double.isInfinite(d)) {
      pos = start;
      throw error("the number " + n + " is outside the double range");
    }
    return d;
  }

  private boolean digits() {
    int start = pos;
    while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
      pos++;
    }
    return pos > start;
  }

  private @Nullable Object literal(String word, @Nullable Object value) {
    if (!text.startsWith(word, pos)) {
      throw error("unexpected " + describe() + " where a value was expected");
    }
    pos += word.length();
    return value;
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "', found " + describe());
    }
    pos++;
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private void space() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private String describe() {
    return pos >= text.length() ? "the end of the text" : "'" + text.charAt(pos) + "'";
  }

  private IntegrityException error(String what) {
    int line = 1;
    int column = 1;
    for (int i = 0; i < pos && i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new IntegrityException(source + " is not valid JSON: " + what + " (line " + line + ", column " + column + ")");
  }
}
