package io.modelreg;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A parsed search filter (see {@link ModelRegistry} for the grammar), evaluated in the policy layer.
 * Parsing happens once per search; errors name the position and what was expected.
 */
final class Filter {
  enum Target {
    VERSIONS,
    MODELS
  }

  enum Field {
    NAME,
    VERSION_NUMBER,
    RUN_ID,
    SOURCE_PATH,
    TAG,
    PARAM,
    METRIC,
    ALIAS,
    STAGE,
    SEMVER
  }

  enum Op {
    EQ("="),
    NE("!="),
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">="),
    LIKE("LIKE"),
    ILIKE("ILIKE"),
    IN("IN");

    final String text;

    Op(String text) {
      this.text = text;
    }
  }

  /** One comparison; {@code values} has one element except for IN. */
  record Clause(Field field, @Nullable String key, Op op, List<Object> values, @Nullable Pattern like) {}

  private final List<Clause> clauses;

  private Filter(List<Clause> clauses) {
    this.clauses = List.copyOf(clauses);
  }

  List<Clause> clauses() {
    return clauses;
  }

  static Filter parse(String text, Target target) {
    return new Parser(text, target).parse();
  }

  boolean test(ModelVersion v) {
    for (Clause c : clauses) {
      if (!testVersion(c, v)) {
        return false;
      }
    }
    return true;
  }

  boolean test(RegisteredModel m) {
    for (Clause c : clauses) {
      boolean ok;
      switch (c.field()) {
        case NAME:
          ok = testString(c, m.name());
          break;
        case TAG:
          ok = testString(c, m.tags().get(c.key()));
          break;
        case ALIAS:
          ok = testAny(c, m.aliases().keySet());
          break;
        default:
          throw new AssertionError(c.field());
      }
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean testVersion(Clause c, ModelVersion v) {
    switch (c.field()) {
      case NAME:
        return testString(c, v.name());
      case VERSION_NUMBER:
        return testNumber(c, v.number());
      case RUN_ID:
        return testString(c, v.lineage().runId());
      case SOURCE_PATH:
        return testString(c, v.lineage().sourceUri());
      case TAG:
        return testString(c, v.tags().get(c.key()));
      case PARAM:
        return testString(c, v.params().get(c.key()));
      case METRIC:
        OptionalDouble m = v.latestMetric(java.util.Objects.requireNonNull(c.key()));
        return m.isPresent() && testNumber(c, m.getAsDouble());
      case ALIAS:
        return testAny(c, v.aliases());
      case STAGE:
        return testStage(c, v.stage());
      case SEMVER:
        return v.semver().isPresent() && testSemver(c, v.semver().get());
      default:
        throw new AssertionError(c.field());
    }
  }

  private static boolean testString(Clause c, @Nullable String actual) {
    if (actual == null) {
      return false;
    }
    switch (c.op()) {
      case EQ:
        return actual.equals(c.values().get(0));
      case NE:
        return !actual.equals(c.values().get(0));
      case LIKE:
      case ILIKE:
        return java.util.Objects.requireNonNull(c.like()).matcher(actual).matches();
      case IN:
        return c.values().contains(actual);
      default:
        throw new AssertionError(c.op());
    }
  }

  private static boolean testAny(Clause c, Collection<String> actual) {
    if (c.op() == Op.NE) {
      return !actual.contains((String) c.values().get(0));
    }
    for (String a : actual) {
      if (testString(c, a)) {
        return true;
      }
    }
    return false;
  }

  private static boolean testNumber(Clause c, double actual) {
    if (c.op() == Op.IN) {
      for (Object v : c.values()) {
        if ((Double) v == actual) {
          return true;
        }
      }
      return false;
    }
    return compare(c.op(), Double.compare(actual, (Double) c.values().get(0)));
  }

  private static boolean testStage(Clause c, Stage actual) {
    switch (c.op()) {
      case EQ:
        return actual == c.values().get(0);
      case NE:
        return actual != c.values().get(0);
      case IN:
        return c.values().contains(actual);
      default:
        throw new AssertionError(c.op());
    }
  }

  private static boolean testSemver(Clause c, SemanticVersion actual) {
    if (c.op() == Op.IN) {
      for (Object v : c.values()) {
        if (matchesSemver(v, actual)) {
          return true;
        }
      }
      return false;
    }
    Object expected = c.values().get(0);
    if (expected instanceof VersionRange) {
      boolean in = ((VersionRange) expected).matches(actual);
      return c.op() == Op.EQ ? in : !in;
    }
    return compare(c.op(), actual.compareTo((SemanticVersion) expected));
  }

  private static boolean matchesSemver(Object expected, SemanticVersion actual) {
    return expected instanceof VersionRange
        ? ((VersionRange) expected).matches(actual)
        : actual.compareTo((SemanticVersion) expected) == 0;
  }

  private static boolean compare(Op op, int cmp) {
    switch (op) {
      case EQ:
        return cmp == 0;
      case NE:
        return cmp != 0;
      case LT:
        return cmp < 0;
      case LE:
        return cmp <= 0;
      case GT:
        return cmp > 0;
      case GE:
        return cmp >= 0;
      default:
        throw new AssertionError(op);
    }
  }

  /** Turns a SQL LIKE pattern into a regex: {@code %} is any run, {@code _} one character. */
  static Pattern likePattern(String like, boolean ignoreCase) {
    StringBuilder re = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (int i = 0; i < like.length(); i++) {
      char ch = like.charAt(i);
      if (ch == '%' || ch == '_') {
        if (literal.length() > 0) {
          re.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        re.append(ch == '%' ? ".*" : ".");
      } else {
        literal.append(ch);
      }
    }
    if (literal.length() > 0) {
      re.append(Pattern.quote(literal.toString()));
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL | (ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0));
  }

  /** Recursive-descent parser over the filter text. */
  private static final class Parser {
    private final String text;
    private final Target target;
    private int pos;

    Parser(String text, Target target) {
      this.text = text;
      this.target = target;
    }

    Filter parse() {
      List<Clause> clauses = new ArrayList<>();
      skipSpace();
      if (pos == text.length()) {
        return new Filter(clauses);
      }
      while (true) {
        clauses.add(clause());
        skipSpace();
        if (pos == text.length()) {
          return new Filter(clauses);
        }
        int at = pos;
        String word = word();
        if (!word.equalsIgnoreCase("AND")) {
          pos = at;
          throw error(word.equalsIgnoreCase("OR")
              ? "OR is not supported; clauses can only be joined with AND"
              : "expected AND or the end of the filter" + found());
        }
      }
    }

    private Clause clause() {
      skipSpace();
      int fieldPos = pos;
      String ident = word();
      if (ident.isEmpty()) {
        throw error("expected a field such as name, version_number, tags.<key> or metrics.<name>" + found());
      }
      Field field;
      String key = null;
      String lower = ident.toLowerCase(Locale.ROOT);
      int dot = lower.indexOf('.');
      String head = dot < 0 ? lower : lower.substring(0, dot);
      if (dot >= 0 || (pos < text.length() && text.charAt(pos) == '`')) {
        switch (head) {
          case "tags":
          case "tag":
            field = Field.TAG;
            break;
          case "params":
          case "param":
            field = Field.PARAM;
            break;
          case "metrics":
          case "metric":
            field = Field.METRIC;
            break;
          default:
            pos = fieldPos;
            throw error("unknown field '" + ident + "'; keyed fields are tags.<key>, params.<key> and metrics.<name>");
        }
        key = dot < 0 || dot == ident.length() - 1 ? backquoted() : ident.substring(dot + 1);
        if (key.isEmpty()) {
          pos = fieldPos;
          throw error("empty key after '" + head + ".'");
        }
      } else {
        switch (lower) {
          case "name":
            field = Field.NAME;
            break;
          case "version_number":
          case "version":
            field = Field.VERSION_NUMBER;
            break;
          case "run_id":
            field = Field.RUN_ID;
            break;
          case "source_path":
          case "source":
            field = Field.SOURCE_PATH;
            break;
          case "alias":
            field = Field.ALIAS;
            break;
          case "stage":
          case "current_stage":
            field = Field.STAGE;
            break;
          case "semver":
            field = Field.SEMVER;
            break;
          default:
            pos = fieldPos;
            throw error("unknown field '" + ident + "'; allowed: name, version_number, run_id, source_path,"
                + " tags.<key>, params.<key>, metrics.<name>, alias, stage, semver");
        }
      }
      if (target == Target.MODELS && field != Field.NAME && field != Field.TAG && field != Field.ALIAS) {
        pos = fieldPos;
        throw error("field '" + ident + "' cannot be used when searching models; allowed: name, tags.<key>, alias");
      }
      skipSpace();
      int opPos = pos;
      Op op = op();
      checkOp(field, op, opPos);
      skipSpace();
      List<Object> values = new ArrayList<>();
      if (op == Op.IN) {
        expect('(');
        while (true) {
          skipSpace();
          values.add(value(field));
          skipSpace();
          if (peek() == ',') {
            pos++;
          } else {
            expect(')');
            break;
          }
        }
      } else {
        values.add(value(field));
      }
      Pattern like = null;
      if (op == Op.LIKE || op == Op.ILIKE) {
        like = likePattern((String) values.get(0), op == Op.ILIKE);
      }
      return new Clause(field, key, op, values, like);
    }

    private void checkOp(Field field, Op op, int opPos) {
      boolean ok;
      switch (field) {
        case VERSION_NUMBER:
        case METRIC:
          ok = op != Op.LIKE && op != Op.ILIKE;
          break;
        case SEMVER:
          ok = op != Op.LIKE && op != Op.ILIKE;
          break;
        case STAGE:
          ok = op == Op.EQ || op == Op.NE || op == Op.IN;
          break;
        default:
          ok = op == Op.EQ || op == Op.NE || op == Op.LIKE || op == Op.ILIKE || op == Op.IN;
      }
      if (!ok) {
        pos = opPos;
        throw error("operator " + op.text + " cannot be used with " + field.name().toLowerCase(Locale.ROOT)
            + "; allowed: " + allowed(field));
      }
    }

    private static String allowed(Field field) {
      switch (field) {
        case VERSION_NUMBER:
        case METRIC:
        case SEMVER:
          return "=, !=, <, <=, >, >=, IN";
        case STAGE:
          return "=, !=, IN";
        default:
          return "=, !=, LIKE, ILIKE, IN";
      }
    }

    private Op op() {
      char c = peek();
      if (c == '=') {
        pos++;
        if (peek() == '=') {
          pos++;
        }
        return Op.EQ;
      }
      if (c == '!' && peekAt(1) == '=') {
        pos += 2;
        return Op.NE;
      }
      if (c == '<') {
        pos++;
        if (peek() == '=') {
          pos++;
          return Op.LE;
        }
        if (peek() == '>') {
          pos++;
          return Op.NE;
        }
        return Op.LT;
      }
      if (c == '>') {
        pos++;
        if (peek() == '=') {
          pos++;
          return Op.GE;
        }
        return Op.GT;
      }
      int at = pos;
      String w = word().toUpperCase(Locale.ROOT);
      switch (w) {
        case "LIKE":
          return Op.LIKE;
        case "ILIKE":
          return Op.ILIKE;
        case "IN":
          return Op.IN;
        default:
          pos = at;
          throw error("expected an operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN)" + found());
      }
    }

    private Object value(Field field) {
      int at = pos;
      char c = peek();
      String raw;
      boolean quoted = c == '\'' || c == '"';
      if (quoted) {
        raw = quoted(c);
      } else {
        while (pos < text.length() && !Character.isWhitespace(text.charAt(pos)) && text.charAt(pos) != ','
            && text.charAt(pos) != ')') {
          pos++;
        }
        raw = text.substring(at, pos);
        if (raw.isEmpty()) {
          throw error("expected a value" + found());
        }
      }
      switch (field) {
        case VERSION_NUMBER:
        case METRIC:
          try {
            return Double.parseDouble(raw);
          } catch (NumberFormatException e) {
            pos = at;
            throw error("expected a number for " + field.name().toLowerCase(Locale.ROOT) + ", got '" + raw + "'");
          }
        case STAGE:
          Stage s = Stage.parseOrNull(raw);
          if (s == null) {
            pos = at;
            throw error("unknown stage '" + raw + "'; allowed: development, staging, production, archived");
          }
          return s;
        case SEMVER:
          try {
            return raw.startsWith("^") || raw.startsWith("~") ? VersionRange.parse(raw) : SemanticVersion.parse(raw);
          } catch (IllegalArgumentException e) {
            pos = at;
            throw error(String.valueOf(e.getMessage()));
          }
        default:
          if (!quoted) {
            pos = at;
            throw error("string values must be quoted, like '" + raw + "'");
          }
          return raw;
      }
    }

    private String quoted(char quote) {
      int start = pos;
      pos++;
      StringBuilder sb = new StringBuilder();
      while (pos < text.length()) {
        char c = text.charAt(pos++);
        if (c == quote) {
          if (peek() == quote) {
            sb.append(quote);
            pos++;
          } else {
            return sb.toString();
          }
        } else {
          sb.append(c);
        }
      }
      pos = start;
      throw error("unterminated string; close it with " + quote);
    }

    private String backquoted() {
      if (peek() != '`') {
        throw error("expected a key after the '.'" + found());
      }
      int start = pos;
      int end = text.indexOf('`', pos + 1);
      if (end < 0) {
        throw error("unterminated back-quoted key; close it with `");
      }
      pos = end + 1;
      return text.substring(start + 1, end);
    }

    private String word() {
      int start = pos;
      while (pos < text.length()) {
        char c = text.charAt(pos);
        if (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-' || c == '/' || c == ':') {
          pos++;
        } else {
          break;
        }
      }
      return text.substring(start, pos);
    }

    private void expect(char c) {
      if (peek() != c) {
        throw error("expected '" + c + "'" + found());
      }
      pos++;
    }

    private char peek() {
      return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private char peekAt(int offset) {
      return pos + offset < text.length() ? text.charAt(pos + offset) : '\0';
    }

    private void skipSpace() {
      while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
    }

    private String found() {
      return pos < text.length() ? ", found '" + text.charAt(pos) + "'" : ", found the end";
    }

    private IllegalArgumentException error(String message) {
      return new IllegalArgumentException("Invalid filter at position " + pos + ": " + message + "\n  " + text
          + "\n  " + " ".repeat(pos) + "^");
    }
  }
}
