package io.modelreg.prompts;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Java values seen as Python values: which Python type each is, and Python's {@code str}, {@code repr}
 * and {@code ascii} of them. See the module README for the mapping.
 */
final class Py {
  private Py() {}

  /** Python type names, for messages. */
  static String typeName(@Nullable Object v) {
    if (v == null) {
      return "NoneType";
    }
    if (v instanceof Boolean) {
      return "bool";
    }
    if (isInt(v)) {
      return "int";
    }
    if (v instanceof Double || v instanceof Float) {
      return "float";
    }
    if (v instanceof BigDecimal) {
      return "decimal.Decimal";
    }
    if (isStr(v)) {
      return "str";
    }
    if (v instanceof Map) {
      return "dict";
    }
    if (isList(v)) {
      return "list";
    }
    if (v instanceof LocalDate) {
      return "datetime.date";
    }
    if (isDateTime(v)) {
      return "datetime.datetime";
    }
    return v.getClass().getSimpleName();
  }

  static boolean isInt(Object v) {
    return v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte || v instanceof BigInteger;
  }

  static boolean isStr(Object v) {
    return v instanceof CharSequence || v instanceof Character || v instanceof Enum;
  }

  static boolean isList(Object v) {
    return v instanceof Collection || v instanceof Object[];
  }

  static boolean isDateTime(Object v) {
    return v instanceof LocalDateTime || v instanceof OffsetDateTime || v instanceof ZonedDateTime || v instanceof Instant;
  }

  static BigInteger toBigInteger(Object v) {
    return v instanceof BigInteger ? (BigInteger) v : BigInteger.valueOf(((Number) v).longValue());
  }

  static String asString(Object v) {
    return v instanceof Enum ? ((Enum<?>) v).name() : v.toString();
  }

  /** Python's {@code str(v)}. */
  static String str(@Nullable Object v) {
    if (v == null) {
      return "None";
    }
    if (v instanceof Boolean) {
      return (Boolean) v ? "True" : "False";
    }
    if (isInt(v)) {
      return v.toString();
    }
    if (v instanceof Double || v instanceof Float) {
      return PyFormat.floatRepr(((Number) v).doubleValue());
    }
    if (v instanceof BigDecimal) {
      return v.toString(); // the General Decimal Arithmetic to-scientific-string, as Python's Decimal.__str__
    }
    if (isStr(v)) {
      return asString(v);
    }
    if (v instanceof LocalDate) {
      return v.toString();
    }
    if (isDateTime(v)) {
      return dateTimeStr(v);
    }
    return repr(v);
  }

  /** Python's {@code repr(v)}. */
  static String repr(@Nullable Object v) {
    if (v == null || v instanceof Boolean || isInt(v) || v instanceof Double || v instanceof Float) {
      return str(v);
    }
    if (v instanceof BigDecimal) {
      return "Decimal('" + v + "')";
    }
    if (isStr(v)) {
      return stringRepr(asString(v));
    }
    if (v instanceof Map) {
      StringBuilder sb = new StringBuilder("{");
      Iterator<? extends Map.Entry<?, ?>> it = ((Map<?, ?>) v).entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<?, ?> e = it.next();
        sb.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
        if (it.hasNext()) {
          sb.append(", ");
        }
      }
      return sb.append('}').toString();
    }
    if (isList(v)) {
      StringBuilder sb = new StringBuilder("[");
      boolean first = true;
      for (Object item : iterable(v)) {
        if (!first) {
          sb.append(", ");
        }
        first = false;
        sb.append(repr(item));
      }
      return sb.append(']').toString();
    }
    if (v instanceof LocalDate) {
      LocalDate d = (LocalDate) v;
      return "datetime.date(" + d.getYear() + ", " + d.getMonthValue() + ", " + d.getDayOfMonth() + ")";
    }
    if (isDateTime(v)) {
      return "datetime.datetime.fromisoformat('" + dateTimeStr(v).replace(' ', 'T') + "')";
    }
    if (v instanceof Record) {
      StringBuilder sb = new StringBuilder(v.getClass().getSimpleName()).append('(');
      RecordComponent[] components = v.getClass().getRecordComponents();
      for (int i = 0; i < components.length; i++) {
        if (i > 0) {
          sb.append(", ");
        }
        sb.append(components[i].getName()).append('=').append(repr(Access.component(v, components[i])));
      }
      return sb.append(')').toString();
    }
    return v.toString();
  }

  static Iterable<?> iterable(Object v) {
    return v instanceof Object[] ? List.of((Object[]) v) : (Collection<?>) v;
  }

  /** Python's {@code ascii(v)}: the repr with every non-ASCII character escaped. */
  static String ascii(@Nullable Object v) {
    String r = repr(v);
    StringBuilder sb = new StringBuilder();
    r.codePoints().forEach(cp -> {
      if (cp < 0x80) {
        sb.appendCodePoint(cp);
      } else {
        sb.append(escape(cp));
      }
    });
    return sb.toString();
  }

  private static String escape(int cp) {
    if (cp < 0x100) {
      return String.format(Locale.ROOT, "\\x%02x", cp);
    }
    if (cp < 0x10000) {
      return String.format(Locale.ROOT, "\\u%04x", cp);
    }
    return String.format(Locale.ROOT, "\\U%08x", cp);
  }

  /** CPython's unicode repr: single quotes unless the text has ' and no ", escapes for the unprintable. */
  static String stringRepr(String s) {
    char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder sb = new StringBuilder().append(quote);
    s.codePoints().forEach(cp -> {
      if (cp == quote || cp == '\\') {
        sb.append('\\').appendCodePoint(cp);
      } else if (cp == '\t') {
        sb.append("\\t");
      } else if (cp == '\n') {
        sb.append("\\n");
      } else if (cp == '\r') {
        sb.append("\\r");
      } else if (cp < 0x20 || cp == 0x7f) {
        sb.append(String.format(Locale.ROOT, "\\x%02x", cp));
      } else if (cp < 0x7f || printable(cp)) {
        sb.appendCodePoint(cp);
      } else {
        sb.append(escape(cp));
      }
    });
    return sb.append(quote).toString();
  }

  /** Python's {@code str.isprintable} for one character: not a control, format, separator or unassigned one. */
  private static boolean printable(int cp) {
    switch (Character.getType(cp)) {
      case Character.CONTROL:
      case Character.FORMAT:
      case Character.SURROGATE:
      case Character.PRIVATE_USE:
      case Character.UNASSIGNED:
      case Character.LINE_SEPARATOR:
      case Character.PARAGRAPH_SEPARATOR:
      case Character.SPACE_SEPARATOR:
        return false;
      default:
        return true;
    }
  }

  private static String dateTimeStr(Object v) {
    LocalDateTime local;
    String zone = "";
    if (v instanceof LocalDateTime) {
      local = (LocalDateTime) v;
    } else {
      OffsetDateTime odt = v instanceof Instant ? ((Instant) v).atOffset(ZoneOffset.UTC)
          : v instanceof ZonedDateTime ? ((ZonedDateTime) v).toOffsetDateTime() : (OffsetDateTime) v;
      local = odt.toLocalDateTime();
      zone = Strftime.offset(odt.getOffset(), true);
    }
    String s = String.format(Locale.ROOT, "%04d-%02d-%02d %02d:%02d:%02d", local.getYear(), local.getMonthValue(),
        local.getDayOfMonth(), local.getHour(), local.getMinute(), local.getSecond());
    int micros = local.getNano() / 1000;
    if (micros != 0) {
      s += String.format(Locale.ROOT, ".%06d", micros);
    }
    return s + zone;
  }

  /**
   * Reading a field's parts. Attribute access reaches map entries, record components and public no-argument
   * getters of public classes only ({@code name()}, {@code getName()}, {@code isName()}); nothing else is
   * called.
   */
  static final class Access {
    private Access() {}

    static @Nullable Object component(Object record, RecordComponent c) {
      try {
        Method m = c.getAccessor();
        return m.invoke(record);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalArgumentException("Cannot read " + c.getName() + " of " + record.getClass().getName() + ": " + e, e);
      }
    }

    /** {@code value.name}: a map entry, a record component or a public getter. */
    static Lookup attribute(@Nullable Object value, String name) {
      if (value instanceof Map) {
        Map<?, ?> m = (Map<?, ?>) value;
        return m.containsKey(name) ? Lookup.of(m.get(name)) : Lookup.missing("no key '" + name + "' in the dict");
      }
      if (value instanceof Record) {
        for (RecordComponent c : value.getClass().getRecordComponents()) {
          if (c.getName().equals(name) && Modifier.isPublic(value.getClass().getModifiers())) {
            return Lookup.of(component(value, c));
          }
        }
      }
      if (value != null && Modifier.isPublic(value.getClass().getModifiers()) && !Py.isStr(value) && !Py.isInt(value)) {
        String cap = name.isEmpty() ? name : Character.toUpperCase(name.charAt(0)) + name.substring(1);
        for (String candidate : List.of("get" + cap, "is" + cap)) {
          try {
            Method m = value.getClass().getMethod(candidate);
            if (Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()) && m.getReturnType() != void.class
                && m.getDeclaringClass() != Object.class) {
              return Lookup.of(m.invoke(value));
            }
          } catch (NoSuchMethodException e) {
            // try the next spelling
          } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalArgumentException("Cannot read '" + name + "' of " + value.getClass().getName() + ": " + e, e);
          }
        }
      }
      return Lookup.missing("'" + typeName(value) + "' object has no attribute '" + name + "'");
    }

    /** {@code value[key]}: a list index (digits) or a map key. */
    static Lookup index(@Nullable Object value, String key) {
      boolean digits = !key.isEmpty() && key.chars().allMatch(c -> c >= '0' && c <= '9');
      if (value instanceof Map) {
        Map<?, ?> m = (Map<?, ?>) value;
        if (digits) {
          int i = Integer.parseInt(key);
          for (Map.Entry<?, ?> e : m.entrySet()) {
            if (e.getKey() instanceof Number && ((Number) e.getKey()).longValue() == i) {
              return Lookup.of(e.getValue());
            }
          }
        }
        return m.containsKey(key) ? Lookup.of(m.get(key)) : Lookup.missing("no key '" + key + "' in the dict");
      }
      if (value != null && isList(value)) {
        if (!digits) {
          return Lookup.error("list indices must be integers, not '" + key + "'");
        }
        List<?> list = value instanceof List ? (List<?>) value : List.copyOf(((Collection<?>) iterable(value)));
        int i = Integer.parseInt(key);
        return i < list.size() ? Lookup.of(list.get(i)) : Lookup.missing("list index " + i + " out of range");
      }
      return Lookup.error("'" + typeName(value) + "' object is not subscriptable");
    }
  }

  /** The outcome of reading one part of a field. */
  static final class Lookup {
    final @Nullable Object value;
    final @Nullable String missing;
    final boolean error;

    private Lookup(@Nullable Object value, @Nullable String missing, boolean error) {
      this.value = value;
      this.missing = missing;
      this.error = error;
    }

    static Lookup of(@Nullable Object v) {
      return new Lookup(v, null, false);
    }

    static Lookup missing(String why) {
      return new Lookup(null, why, false);
    }

    static Lookup error(String why) {
      return new Lookup(null, why, true);
    }

    boolean found() {
      return missing == null;
    }
  }
}
