package io.modelreg.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The stand-in server's reading of MLflow's search filter grammar: clauses joined by {@code AND}, each an
 * attribute or {@code tags.<key>} (backticks allowed), a comparator and a quoted string, a number or a
 * parenthesised list for {@code IN}. What MLflow rejects is rejected with its message shape, so a client that
 * pushes down something MLflow cannot take fails here too instead of being silently widened.
 */
final class FakeSearchFilter {
  private static final Set<String> STRING_OPS = Set.of("=", "!=", "LIKE", "ILIKE", "IN");
  private static final Set<String> NUMBER_OPS = Set.of("=", "!=", "<", "<=", ">", ">=");

  /** What {@code model-versions/search} takes, in the order MLflow's message names them. */
  static final Set<String> VERSION_ATTRIBUTES = new java.util.LinkedHashSet<>(List.of("name", "version_number", "source_path", "run_id"));

  /** {@code quoted}: the value was a quoted string (MLflow then compares a number attribute as SQLite does). */
  private record Clause(String kind, String key, String op, List<String> values, boolean quoted) {}

  private final List<Clause> clauses = new ArrayList<>();

  private FakeSearchFilter(List<Clause> clauses) {
    this.clauses.addAll(clauses);
  }

  /**
   * @param attributes the attributes this search accepts (MLflow: versions take name, version_number,
   *     run_id, source_path; models take name)
   */
  FakeSearchFilter(String text, Set<String> attributes) {
    Lexer lx = new Lexer(text);
    while (!lx.atEnd()) {
      String ident = lx.identifier();
      String kind;
      String key;
      if (ident.toLowerCase(Locale.ROOT).startsWith("tags.") || ident.toLowerCase(Locale.ROOT).startsWith("tag.")) {
        kind = "tag";
        key = ident.substring(ident.indexOf('.') + 1);
      } else if (attributes.contains(ident)) {
        kind = ident.equals("version_number") ? "number" : "string";
        key = ident;
      } else {
        StringBuilder set = new StringBuilder();
        attributes.forEach(a -> set.append(set.length() == 0 ? "{'" : ", '").append(a).append('\''));
        throw new IllegalArgumentException("Invalid attribute key '" + ident + "' specified. Valid keys are '" + set + "}'");
      }
      String op = lx.comparator();
      Set<String> allowed = kind.equals("number") ? NUMBER_OPS : kind.equals("tag") ? Set.of("=", "!=", "LIKE", "ILIKE") : STRING_OPS;
      if (!allowed.contains(op)) {
        throw new IllegalArgumentException("Invalid comparator '" + op + "' not one of '" + allowed + "'");
      }
      if (op.equals("IN") && !key.equals("run_id")) {
        throw new IllegalArgumentException("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
      }
      boolean quoted = kind.equals("number") && lx.quoteNext();
      List<String> values = op.equals("IN") ? lx.list() : List.of(kind.equals("number") && !quoted ? lx.number() : lx.string());
      clauses.add(new Clause(kind, key, op, values, quoted));
      if (!lx.atEnd()) {
        String word = lx.word();
        if (!word.equalsIgnoreCase("AND")) {
          throw new IllegalArgumentException("Invalid clause(s) in filter string: " + word);
        }
      }
    }
  }

  /**
   * Whether this filter asks for prompts as MLflow 3 decides it: its first clause on the tag {@code
   * mlflow.prompt.is_prompt} is {@code = 'true'} or {@code != 'false'} (case-insensitive).
   */
  boolean asksForPrompts() {
    for (Clause c : clauses) {
      if (c.kind().equals("tag") && c.key().equals("mlflow.prompt.is_prompt")) {
        String v = c.values().get(0).toLowerCase(Locale.ROOT);
        return (c.op().equals("=") && v.equals("true")) || (c.op().equals("!=") && v.equals("false"));
      }
    }
    return false;
  }

  /** This filter without its clauses on {@code kind} {@code key} (MLflow drops the prompt tag's when hiding prompts). */
  FakeSearchFilter without(String kind, String key) {
    List<Clause> kept = new ArrayList<>();
    for (Clause c : clauses) {
      if (!(c.kind().equals(kind) && c.key().equals(key))) {
        kept.add(c);
      }
    }
    return new FakeSearchFilter(kept);
  }

  /** Whether a stored version or model (tags under {@code _tags}) matches every clause. */
  boolean matches(JsonNode entity) {
    for (Clause c : clauses) {
      String actual = switch (c.kind()) {
        case "tag" -> entity.get("_tags").path(c.key()).asText(null);
        case "number" -> entity.path("version").asText(null);
        default -> entity.path(c.key().equals("source_path") ? "source" : c.key()).asText(null);
      };
      if (actual == null || !test(c, actual)) {
        return false;
      }
    }
    return true;
  }

  private static boolean test(Clause c, String actual) {
    String v = c.values().get(0);
    if (c.kind().equals("number")) {
      // SQLite, where MLflow's recording was made, orders every number before every text
      int cmp = c.quoted() ? -1 : Long.compare(Long.parseLong(actual), Long.parseLong(v));
      return switch (c.op()) {
        case "=" -> cmp == 0;
        case "!=" -> cmp != 0;
        case "<" -> cmp < 0;
        case "<=" -> cmp <= 0;
        case ">" -> cmp > 0;
        default -> cmp >= 0;
      };
    }
    return switch (c.op()) {
      case "=" -> actual.equals(v);
      case "!=" -> !actual.equals(v);
      case "IN" -> c.values().contains(actual);
      default -> like(v, c.op().equals("ILIKE")).matcher(actual).matches();
    };
  }

  private static Pattern like(String pattern, boolean ignoreCase) {
    StringBuilder re = new StringBuilder();
    for (char ch : pattern.toCharArray()) {
      re.append(ch == '%' ? ".*" : ch == '_' ? "." : Pattern.quote(String.valueOf(ch)));
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL | (ignoreCase ? Pattern.CASE_INSENSITIVE : 0));
  }

  /** Tokens of the filter text. */
  private static final class Lexer {
    private final String s;
    private int i;

    Lexer(String s) {
      this.s = s;
    }

    private void skip() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    boolean atEnd() {
      skip();
      return i >= s.length();
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException("Invalid filter '" + s + "': expected " + what + " at position " + i);
    }

    String identifier() {
      skip();
      StringBuilder out = new StringBuilder();
      while (i < s.length()) {
        char ch = s.charAt(i);
        if (ch == '`') {
          int end = s.indexOf('`', i + 1);
          if (end < 0) {
            throw error("a closing backtick");
          }
          out.append(s, i + 1, end);
          i = end + 1;
        } else if (Character.isLetterOrDigit(ch) || ch == '_' || ch == '.' || ch == '-') {
          out.append(ch);
          i++;
        } else {
          break;
        }
      }
      if (out.length() == 0) {
        throw error("an attribute or tags.<key>");
      }
      return out.toString();
    }

    String comparator() {
      skip();
      for (String op : List.of("<=", ">=", "!=", "=", "<", ">")) {
        if (s.startsWith(op, i)) {
          i += op.length();
          return op;
        }
      }
      for (String op : List.of("ILIKE", "LIKE", "IN")) {
        if (s.regionMatches(true, i, op, 0, op.length())) {
          i += op.length();
          return op;
        }
      }
      throw error("a comparator");
    }

    /** The next word (letters), for the keyword that joins clauses. */
    String word() {
      skip();
      int start = i;
      while (i < s.length() && Character.isLetter(s.charAt(i))) {
        i++;
      }
      if (start == i) {
        throw error("AND");
      }
      return s.substring(start, i);
    }

    boolean quoteNext() {
      skip();
      return i < s.length() && (s.charAt(i) == '\'' || s.charAt(i) == '"');
    }

    String string() {
      skip();
      if (i >= s.length() || (s.charAt(i) != '\'' && s.charAt(i) != '"')) {
        throw error("a quoted string");
      }
      char q = s.charAt(i);
      int end = s.indexOf(q, i + 1);
      if (end < 0) {
        throw error("a closing quote");
      }
      String out = s.substring(i + 1, end);
      i = end + 1;
      return out;
    }

    String number() {
      skip();
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '-')) {
        i++;
      }
      if (start == i) {
        throw error("a number");
      }
      return s.substring(start, i);
    }

    List<String> list() {
      skip();
      if (i >= s.length() || s.charAt(i) != '(') {
        throw error("(");
      }
      i++;
      List<String> out = new ArrayList<>();
      do {
        out.add(string());
        skip();
      } while (i < s.length() && s.charAt(i) == ',' && ++i > 0);
      if (i >= s.length() || s.charAt(i) != ')') {
        throw error(")");
      }
      i++;
      return out;
    }
  }
}
