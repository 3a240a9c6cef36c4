package io.modelreg.prompts;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Python's format-spec mini-language, {@code [[fill]align][sign][z][#][0][width][grouping][.precision][type]},
 * applied the way CPython 3.11's {@code __format__} of {@code str}, {@code int}, {@code bool}, {@code float},
 * {@code Decimal} and {@code datetime} apply it. Errors are {@link FormatException}s carrying the
 * Python exception name.
 */
final class PyFormat {
  private PyFormat() {}

  /** A Python {@code ValueError}, {@code TypeError} or {@code OverflowError} raised while formatting. */
  static final class FormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    final String pythonType;

    FormatException(String pythonType, String message) {
      super(message);
      this.pythonType = pythonType;
    }
  }

  static FormatException valueError(String message) {
    return new FormatException("ValueError", message);
  }

  /** A parsed spec. {@code fill}/{@code align} are 0 when not given. */
  record Spec(int fill, char align, char sign, boolean z, boolean alt, boolean zero, int width, char grouping,
      int precision, char type, String text) {

    int fillOr(int dflt) {
      return fill != 0 ? fill : dflt;
    }
  }

  static boolean isAlign(int c) {
    return c == '<' || c == '>' || c == '=' || c == '^';
  }

  /** Parsed specs by text; templates reuse a handful of specs, so parsing happens once per spec. */
  private static final java.util.concurrent.ConcurrentHashMap<String, Spec> SPECS = new java.util.concurrent.ConcurrentHashMap<>();

  static Spec parse(String spec, String typeName) {
    Spec cached = SPECS.get(spec);
    if (cached != null) {
      return cached;
    }
    Spec parsed = parseUncached(spec, typeName);
    if (SPECS.size() < 10_000) {
      SPECS.put(spec, parsed);
    }
    return parsed;
  }

  private static Spec parseUncached(String spec, String typeName) {
    int[] cps = spec.codePoints().toArray();
    int pos = 0;
    int fill = 0;
    char align = 0;
    if (cps.length >= 2 && isAlign(cps[1])) {
      fill = cps[0];
      align = (char) cps[1];
      pos = 2;
    } else if (cps.length >= 1 && isAlign(cps[0])) {
      align = (char) cps[0];
      pos = 1;
    }
    char sign = 0;
    if (pos < cps.length && (cps[pos] == '+' || cps[pos] == '-' || cps[pos] == ' ')) {
      sign = (char) cps[pos++];
    }
    boolean z = false;
    if (pos < cps.length && cps[pos] == 'z') {
      z = true;
      pos++;
    }
    boolean alt = false;
    if (pos < cps.length && cps[pos] == '#') {
      alt = true;
      pos++;
    }
    boolean zero = false;
    if (fill == 0 && pos < cps.length && cps[pos] == '0') {
      zero = true;
      pos++;
    }
    int width = -1;
    int start = pos;
    while (pos < cps.length && cps[pos] >= '0' && cps[pos] <= '9') {
      pos++;
    }
    if (pos > start) {
      width = parseInt(cps, start, pos);
    }
    char grouping = 0;
    if (pos < cps.length && (cps[pos] == ',' || cps[pos] == '_')) {
      grouping = (char) cps[pos++];
      if (pos < cps.length && (cps[pos] == ',' || cps[pos] == '_')) {
        throw valueError(cps[pos] == grouping ? "Cannot specify '" + grouping + "' with '" + grouping + "'."
            : "Cannot specify both ',' and '_'.");
      }
    }
    int precision = -1;
    if (pos < cps.length && cps[pos] == '.') {
      pos++;
      start = pos;
      while (pos < cps.length && cps[pos] >= '0' && cps[pos] <= '9') {
        pos++;
      }
      if (pos == start) {
        throw valueError("Format specifier missing precision");
      }
      precision = parseInt(cps, start, pos);
    }
    if (cps.length - pos > 1) {
      throw valueError("Invalid format specifier '" + spec + "' for object of type '" + typeName + "'");
    }
    char type = pos < cps.length ? (char) cps[pos] : 0;
    if (grouping != 0 && type != 0 && "deEfFgG%bxXo".indexOf(type) < 0 && type != 'n') {
      throw valueError("Cannot specify '" + grouping + "' with '" + type + "'.");
    }
    return new Spec(fill, align, sign, z, alt, zero, width, grouping, precision, type, spec);
  }

  private static int parseInt(int[] cps, int from, int to) {
    long v = 0;
    for (int i = from; i < to; i++) {
      v = v * 10 + (cps[i] - '0');
      if (v > Integer.MAX_VALUE) {
        throw valueError("Too many decimal digits in format string");
      }
    }
    return (int) v;
  }

  // ------------------------------------------------------------------ dispatch

  /** Python's {@code format(value, spec)}. */
  static String format(@Nullable Object value, String spec) {
    if (value instanceof Boolean) {
      return spec.isEmpty() ? Py.str(value) : formatInt((Boolean) value ? BigInteger.ONE : BigInteger.ZERO, spec, "bool");
    }
    if ((value instanceof Integer || value instanceof Long) && (spec.isEmpty() || spec.equals("d"))) {
      return value.toString();
    }
    if (value != null && Py.isInt(value)) {
      return formatInt(Py.toBigInteger(value), spec, "int");
    }
    if (value instanceof Double || value instanceof Float) {
      return formatFloat(((Number) value).doubleValue(), parse(spec, "float"), "float");
    }
    if (value instanceof BigDecimal) {
      return formatDecimal((BigDecimal) value, spec);
    }
    if (value != null && Py.isStr(value)) {
      return formatStr(Py.asString(value), spec);
    }
    if (value instanceof LocalDate || value != null && Py.isDateTime(value)) {
      return spec.isEmpty() ? Py.str(value) : Strftime.format(value, spec);
    }
    if (spec.isEmpty()) {
      return Py.str(value);
    }
    throw new FormatException("TypeError", "unsupported format string passed to " + Py.typeName(value) + ".__format__");
  }

  // ------------------------------------------------------------------ strings

  static String formatStr(String s, String specText) {
    Spec spec = parse(specText, "str");
    if (spec.type() != 0 && spec.type() != 's') {
      throw valueError("Unknown format code '" + spec.type() + "' for object of type 'str'");
    }
    if (spec.sign() != 0) {
      throw valueError("Sign not allowed in string format specifier");
    }
    if (spec.alt()) {
      throw valueError("Alternate form (#) not allowed in string format specifier");
    }
    if (spec.z()) {
      throw valueError("Negative zero coercion (z) not allowed in format specifier");
    }
    if (spec.align() == '=') {
      throw valueError("'=' alignment not allowed in string format specifier");
    }
    if (spec.grouping() != 0) {
      throw valueError("Cannot specify '" + spec.grouping() + "' with 's'.");
    }
    String body = s;
    if (spec.precision() >= 0 && s.codePointCount(0, s.length()) > spec.precision()) {
      body = s.substring(0, s.offsetByCodePoints(0, spec.precision()));
    }
    char align = spec.align() != 0 ? spec.align() : '<';
    return pad("", body, spec.width(), spec.fillOr(spec.zero() ? '0' : ' '), align);
  }

  /** Pads {@code prefix + body} to {@code width}; for '=' the padding goes between them. */
  private static String pad(String prefix, String body, int width, int fill, char align) {
    int len = prefix.codePointCount(0, prefix.length()) + body.codePointCount(0, body.length());
    int missing = width - len;
    if (missing <= 0) {
      return prefix + body;
    }
    String f = new String(Character.toChars(fill));
    switch (align) {
      case '<':
        return prefix + body + f.repeat(missing);
      case '^':
        return f.repeat(missing / 2) + prefix + body + f.repeat(missing - missing / 2);
      case '=':
        return prefix + f.repeat(missing) + body;
      default:
        return f.repeat(missing) + prefix + body;
    }
  }

  // ------------------------------------------------------------------ integers

  static String formatInt(BigInteger v, String specText, String typeName) {
    if (specText.isEmpty()) {
      return v.toString();
    }
    Spec spec = parse(specText, typeName);
    char type = spec.type();
    if (type != 0 && "eEfFgG%".indexOf(type) >= 0) {
      double d = v.doubleValue();
      if (Double.isInfinite(d)) {
        throw new FormatException("OverflowError", "int too large to convert to float");
      }
      return formatFloat(d, spec, typeName);
    }
    if (type != 0 && "bcdoxXn".indexOf(type) < 0) {
      throw valueError("Unknown format code '" + type + "' for object of type '" + typeName + "'");
    }
    if (spec.precision() >= 0) {
      throw valueError("Precision not allowed in integer format specifier");
    }
    if (spec.z()) {
      throw valueError("Negative zero coercion (z) not allowed in integer format specifier");
    }
    if (spec.grouping() == ',' && type != 0 && type != 'd') {
      throw valueError("Cannot specify ',' with '" + type + "'.");
    }
    if (spec.grouping() != 0 && type == 'n') {
      throw valueError("Cannot specify '" + spec.grouping() + "' with 'n'.");
    }
    if (type == 'c') {
      if (spec.sign() != 0) {
        throw valueError("Sign not allowed with integer format specifier 'c'");
      }
      if (spec.alt()) {
        throw valueError("Alternate form (#) not allowed with integer format specifier 'c'");
      }
      if (v.signum() < 0 || v.compareTo(BigInteger.valueOf(0x10FFFF)) > 0) {
        throw new FormatException("OverflowError", "%c arg not in range(0x110000)");
      }
      char align = spec.align() != 0 ? spec.align() : '<';
      return pad("", new String(Character.toChars(v.intValue())), spec.width(), spec.fillOr(spec.zero() ? '0' : ' '),
          align == '=' ? '>' : align);
    }
    int radix = type == 'b' ? 2 : type == 'o' ? 8 : type == 'x' || type == 'X' ? 16 : 10;
    String digits = v.abs().toString(radix);
    if (type == 'X') {
      digits = digits.toUpperCase(Locale.ROOT);
    }
    String prefix = !spec.alt() || radix == 10 ? "" : radix == 2 ? "0b" : radix == 8 ? "0o" : type == 'X' ? "0X" : "0x";
    String sign = sign(v.signum() < 0, spec.sign());
    return assemble(sign + prefix, digits, "", spec, radix == 10 ? 3 : 4);
  }

  private static String sign(boolean negative, char signOption) {
    if (negative) {
      return "-";
    }
    return signOption == '+' ? "+" : signOption == ' ' ? " " : "";
  }

  /**
   * Lays out {@code head} (sign, prefix), the integer digits and {@code tail} (fraction, exponent, %),
   * applying grouping (also into zero padding) and alignment; numbers align right by default.
   */
  private static String assemble(String head, String intDigits, String tail, Spec spec, int group) {
    char align = spec.align() != 0 ? spec.align() : spec.zero() ? '=' : '>';
    int fill = spec.fillOr(spec.zero() ? '0' : ' ');
    String digits = intDigits;
    boolean zeroPad = fill == '0' && align == '=' && spec.width() > 0;
    if (spec.grouping() != 0) {
      int minWidth = zeroPad ? spec.width() - head.length() - tail.length() : 0;
      digits = group(intDigits, spec.grouping(), group, minWidth);
    }
    return pad(head, digits + tail, spec.width(), fill, align);
  }

  /** Python's {@code _insert_thousands_sep}: groups digits, padding with zeros (and separators) to minWidth. */
  static String group(String digits, char sep, int size, int minWidth) {
    if (minWidth <= digits.length()) {
      int first = digits.length() % size == 0 ? size : digits.length() % size;
      StringBuilder sb = new StringBuilder(digits.length() + digits.length() / size).append(digits, 0, first);
      for (int i = first; i < digits.length(); i += size) {
        sb.append(sep).append(digits, i, i + size);
      }
      return sb.toString();
    }
    List<String> groups = new ArrayList<>();
    String rest = digits;
    int min = minWidth;
    while (true) {
      int l = Math.min(Math.max(Math.max(rest.length(), min), 1), size);
      groups.add("0".repeat(Math.max(0, l - rest.length())) + rest.substring(Math.max(0, rest.length() - l)));
      rest = rest.substring(0, Math.max(0, rest.length() - l));
      min -= l;
      if (rest.isEmpty() && min <= 0) {
        break;
      }
      min -= 1;
    }
    Collections.reverse(groups);
    return String.join(String.valueOf(sep), groups);
  }

  // ------------------------------------------------------------------ floats

  /** Python's {@code repr(float)}: the shortest digits that read back as the same double. */
  static String floatRepr(double v) {
    if (Double.isNaN(v)) {
      return "nan";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    boolean negative = v < 0 || v == 0 && 1 / v < 0;
    return (negative ? "-" : "") + reprDigits(Math.abs(v), true);
  }

  /** The repr of a non-negative finite double: fixed for exponents -4..15, else d.ddde±XX. */
  private static String reprDigits(double v, boolean addDot0) {
    if (v == 0) {
      return addDot0 ? "0.0" : "0";
    }
    Sci s = shortest(v);
    if (s.exp >= -4 && s.exp < 16) {
      String fixed = fixed(s.digits, s.exp);
      return addDot0 && fixed.indexOf('.') < 0 ? fixed + ".0" : fixed;
    }
    String mant = s.digits.length() == 1 ? s.digits : s.digits.charAt(0) + "." + s.digits.substring(1);
    return mant + expText('e', s.exp);
  }

  /** Digits (no leading zeros) and the decimal exponent of the first digit. */
  private record Sci(String digits, int exp) {}

  private static Sci shortest(double v) {
    BigDecimal exact = new BigDecimal(v);
    for (int p = 1; p <= 17; p++) {
      BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (Double.parseDouble(r.toString()) == v) {
        return sci(r.stripTrailingZeros());
      }
    }
    return sci(exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros());
  }

  private static Sci sci(BigDecimal d) {
    String digits = d.unscaledValue().abs().toString();
    return new Sci(digits, digits.length() - 1 - d.scale());
  }

  /** Rounds to exactly {@code p} significant digits (p >= 1). */
  private static Sci significant(double v, int p) {
    BigDecimal r = new BigDecimal(v).round(new MathContext(p, RoundingMode.HALF_EVEN));
    Sci s = sci(r);
    String digits = s.digits;
    if (digits.length() < p) {
      digits = digits + "0".repeat(p - digits.length());
    } else if (digits.length() > p) {
      digits = digits.substring(0, p);
    }
    return new Sci(digits, s.exp);
  }

  /** Digits with the point after position exp + 1 (leading or trailing zeros as needed). */
  private static String fixed(String digits, int exp) {
    if (exp < 0) {
      return "0." + "0".repeat(-exp - 1) + digits;
    }
    if (exp + 1 >= digits.length()) {
      return digits + "0".repeat(exp + 1 - digits.length());
    }
    return digits.substring(0, exp + 1) + "." + digits.substring(exp + 1);
  }

  private static String expText(char e, int exp) {
    return e + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
  }

  static String formatFloat(double value, Spec spec, String typeName) {
    char type = spec.type();
    if (type != 0 && "eEfFgGn%".indexOf(type) < 0) {
      throw valueError("Unknown format code '" + type + "' for object of type '" + typeName + "'");
    }
    if (spec.grouping() != 0 && type == 'n') {
      throw valueError("Cannot specify '" + spec.grouping() + "' with 'n'.");
    }
    boolean addDot0 = false;
    int precision = spec.precision();
    int defaultPrecision = 6;
    if (type == 0) {
      addDot0 = true;
      type = 'r';
      defaultPrecision = 0;
    }
    if (type == 'n') {
      type = 'g';
    }
    double v = value;
    boolean pct = false;
    if (type == '%') {
      type = 'f';
      v *= 100;
      pct = true;
    }
    if (precision < 0) {
      precision = defaultPrecision;
    } else if (type == 'r') {
      type = 'g';
    }
    boolean upper = type == 'E' || type == 'F' || type == 'G';
    boolean negative = v < 0 || v == 0 && 1 / v < 0;
    String body;
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      body = Double.isNaN(v) ? "nan" : "inf";
      negative = v < 0;
      if (upper) {
        body = body.toUpperCase(Locale.ROOT);
      }
      String sign = sign(negative, spec.sign());
      String tail = pct ? "%" : "";
      char align = spec.align() != 0 ? spec.align() : spec.zero() ? '=' : '>';
      return pad(sign, body + tail, spec.width(), spec.fillOr(spec.zero() ? '0' : ' '), align);
    }
    double a = Math.abs(v);
    String text;
    switch (Character.toLowerCase(type)) {
      case 'r':
        text = reprDigits(a, true);
        break;
      case 'f':
        text = fixedPoint(a, precision);
        if (spec.alt() && precision == 0) {
          text += ".";
        }
        break;
      case 'e':
        text = exponential(a, precision, spec.alt(), upper ? 'E' : 'e');
        break;
      default:
        text = general(a, precision == 0 ? 1 : precision, spec.alt(), upper ? 'E' : 'e');
        if (addDot0 && text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0) {
          text += ".0";
        }
    }
    if (spec.z() && negative && isZero(text)) {
      negative = false;
    }
    int cut = indexOfAny(text, ".eE");
    String intDigits = cut < 0 ? text : text.substring(0, cut);
    String tail = (cut < 0 ? "" : text.substring(cut)) + (pct ? "%" : "");
    return assemble(sign(negative, spec.sign()), intDigits, tail, spec, 3);
  }

  private static final double[] POW10 = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

  /**
   * {@code a} (non-negative, finite) rounded half-even to {@code precision} decimals, from its exact binary
   * value. Fast path: scale by an exact power of ten and round in double arithmetic when the rounding
   * decision is clear of the error of that scaling; otherwise, and for large values, exact BigDecimal.
   */
  static String fixedPoint(double a, int precision) {
    if (precision < POW10.length) {
      double y = a * POW10[precision];
      if (y < 1e15) {
        double floor = Math.floor(y);
        double frac = y - floor;
        if (Math.abs(frac - 0.5) > 4 * Math.ulp(y) || y == 0) {
          long r = (long) floor + (frac > 0.5 ? 1 : 0);
          if (precision == 0) {
            return Long.toString(r);
          }
          long scale = (long) POW10[precision];
          String fraction = Long.toString(r % scale);
          StringBuilder sb = new StringBuilder(24).append(r / scale).append('.');
          for (int i = fraction.length(); i < precision; i++) {
            sb.append('0');
          }
          return sb.append(fraction).toString();
        }
      }
    }
    return new BigDecimal(a).setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
  }

  private static boolean isZero(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 'e' || c == 'E') {
        break;
      }
      if (c >= '1' && c <= '9') {
        return false;
      }
    }
    return true;
  }

  private static int indexOfAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  private static String exponential(double a, int precision, boolean alt, char e) {
    Sci s = a == 0 ? new Sci("0".repeat(precision + 1), 0) : significant(a, precision + 1);
    String mant = s.digits.substring(0, 1);
    if (precision > 0) {
      mant += "." + s.digits.substring(1);
    } else if (alt) {
      mant += ".";
    }
    return mant + expText(e, s.exp);
  }

  private static String general(double a, int p, boolean alt, char e) {
    Sci s = a == 0 ? new Sci("0".repeat(p), 0) : significant(a, p);
    String text;
    if (s.exp >= -4 && s.exp < p) {
      text = fixed(s.digits, s.exp);
      if (alt && text.indexOf('.') < 0) {
        text += ".";
      }
      if (!alt) {
        text = stripZeros(text);
      }
      return text;
    }
    String mant = s.digits.charAt(0) + (s.digits.length() > 1 || alt ? "." + s.digits.substring(1) : "");
    if (!alt) {
      mant = stripZeros(mant);
    }
    return mant + expText(e, s.exp);
  }

  private static String stripZeros(String text) {
    if (text.indexOf('.') < 0) {
      return text;
    }
    int end = text.length();
    while (text.charAt(end - 1) == '0') {
      end--;
    }
    if (text.charAt(end - 1) == '.') {
      end--;
    }
    return text.substring(0, end);
  }

  // ------------------------------------------------------------------ Decimal

  /** {@code decimal.Decimal.__format__}, with the default context (28 digits, ROUND_HALF_EVEN, capitals). */
  static String formatDecimal(BigDecimal value, String specText) {
    Spec spec = parse(specText, "decimal.Decimal");
    char type = spec.type();
    if (type != 0 && "eEfFgGn%".indexOf(type) < 0) {
      throw valueError("Invalid format string '" + specText + "' for decimal.Decimal");
    }
    if (type == 0) {
      type = 'G';
    }
    if (type == 'n') {
      type = 'g';
    }
    boolean negative = value.signum() < 0;
    BigDecimal d = value.abs();
    if (type == '%') {
      d = d.movePointRight(2);
    }
    int precision = spec.precision();
    if (precision >= 0) {
      if (type == 'e' || type == 'E') {
        if (d.signum() != 0) { // libmpdec keeps a zero's exponent here (0.00e+2 for Decimal('0'):.2e)
          d = roundSignificant(d, precision + 1);
        }
      } else if (type == 'f' || type == 'F' || type == '%') {
        d = d.setScale(precision, RoundingMode.HALF_EVEN);
      } else if (digits(d).length() > precision) {
        d = roundSignificant(d, Math.max(precision, 1));
      }
    }
    if (d.signum() == 0 && -d.scale() > 0 && (type == 'f' || type == 'F' || type == '%')) {
      d = d.setScale(0);
    }
    if (spec.z() && d.signum() == 0) {
      negative = false;
    }
    String intDigits = digits(d);
    int exp = -d.scale();
    int leftDigits = exp + intDigits.length();
    int dotplace;
    if (type == 'e' || type == 'E') {
      dotplace = d.signum() == 0 && precision >= 0 ? 1 - precision : 1;
    } else if (type == 'f' || type == 'F' || type == '%') {
      dotplace = leftDigits;
    } else {
      dotplace = exp <= 0 && leftDigits > -6 ? leftDigits : 1;
    }
    String intPart;
    String fracPart;
    if (dotplace < 0) {
      intPart = "0";
      fracPart = "0".repeat(-dotplace) + intDigits;
    } else if (dotplace > intDigits.length()) {
      intPart = intDigits + "0".repeat(dotplace - intDigits.length());
      fracPart = "";
    } else {
      intPart = dotplace == 0 ? "0" : intDigits.substring(0, dotplace);
      fracPart = intDigits.substring(dotplace);
    }
    int e = leftDigits - dotplace;
    String tail = fracPart.isEmpty() && !spec.alt() ? "" : "." + fracPart;
    if (e != 0 || type == 'e' || type == 'E') {
      char echar = type == 'E' || type == 'G' ? 'E' : 'e';
      tail += echar + (e < 0 ? "-" : "+") + Math.abs(e);
    }
    if (type == '%') {
      tail += "%";
    }
    return assemble(sign(negative, spec.sign()), intPart, tail, spec, 3);
  }

  private static String digits(BigDecimal d) {
    return d.unscaledValue().abs().toString();
  }

  /** Python's {@code Decimal._round(places)}: exactly {@code places} significant digits (padding with zeros). */
  private static BigDecimal roundSignificant(BigDecimal d, int places) {
    int adjusted = digits(d).length() - 1 - d.scale();
    BigDecimal r = d.setScale(-(adjusted + 1 - places), RoundingMode.HALF_EVEN);
    int adjustedAfter = digits(r).length() - 1 - r.scale();
    if (r.signum() != 0 && adjustedAfter != adjusted) {
      r = r.setScale(-(adjustedAfter + 1 - places), RoundingMode.HALF_EVEN);
    }
    return r;
  }
}
