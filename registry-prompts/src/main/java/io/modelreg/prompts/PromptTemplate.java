package io.modelreg.prompts;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A parsed, immutable, thread-safe prompt template in one of two syntaxes, chosen explicitly.
 *
 * <ul>
 *   <li>{@link Syntax#PYTHON_FORMAT}: Python's {@code str.format}: {@code {name}}, {@code {}} and {@code
 *       {0}} (never mixed), {@code .attr} and {@code [key]} chains, {@code !s}/{@code !r}/{@code !a}, the
 *       whole format-spec mini-language with nested fields ({@code {x:{width}}}), {@code strftime} specs for
 *       {@code java.time} values, {@code {{}}/{@code }}} escapes. For the same template and values the
 *       output equals CPython's (see the module README for how Java values map to Python's).
 *   <li>{@link Syntax#MLFLOW}: MLflow's {@code {{ name }}} with dotted names, read exactly as MLflow 3's Python
 *       client reads it: any other brace, an unclosed or non-identifier {@code {{ x-y }}} included, is literal
 *       text. A dotted variable takes a flat key ({@code "user.name"}, as Python's {@code format(**{...})}
 *       needs) or a path ({@code user} then {@code name}).
 * </ul>
 *
 * <pre>{@code
 * PromptTemplate t = PromptTemplate.parse("Total for {user.name}: {price:>10,.2f}");
 * String text = t.render(Map.of("user", Map.of("name", "Ada"), "price", 1234.5));
 * }</pre>
 *
 * Rendering is strict: one {@link MissingVariablesException} names every missing variable. {@link
 * #renderPartial} leaves missing fields as written. Attribute access reaches map entries, record
 * components and public getters only.
 */
public final class PromptTemplate {
  /** The template language. */
  public enum Syntax {
    /** Python {@code str.format}. */
    PYTHON_FORMAT,
    /** MLflow prompt registry's {@code {{ name }}}, as MLflow's Python client reads it. */
    MLFLOW
  }

  /**
   * A variable used by the template.
   *
   * @param name the top-level name, or the position ({@code "0"}) for positional fields
   * @param path attribute and index steps after the name
   * @param expression the variable as written, such as {@code user.name} or {@code items[0]}
   */
  public record Variable(String name, List<String> path, String expression) {
    public Variable {
      path = List.copyOf(path);
    }
  }

  private final String text;
  private final Syntax syntax;
  private final List<Part> parts;

  private PromptTemplate(String text, Syntax syntax, List<Part> parts) {
    this.text = text;
    this.syntax = syntax;
    this.parts = List.copyOf(parts);
  }

  /** Parses a Python {@code str.format} template. */
  public static PromptTemplate parse(String text) {
    return parse(text, Syntax.PYTHON_FORMAT);
  }

  /**
   * Parses a template.
   *
   * @throws TemplateSyntaxException with line, column, a caret excerpt and a hint
   */
  public static PromptTemplate parse(String text, Syntax syntax) {
    List<Part> parts = syntax == Syntax.PYTHON_FORMAT
        ? new PythonParser(text).parse()
        : parseMlflow(text);
    return new PromptTemplate(text, syntax, parts);
  }

  public String text() {
    return text;
  }

  public Syntax syntax() {
    return syntax;
  }

  // ------------------------------------------------------------------ parts

  /** Literal text or a field. */
  private interface Part {}

  /** Literal text; {@code offset} is where it starts in the template as written. */
  private record Literal(String text, int offset) implements Part {}

  /** One step after the field's first name: {@code .name} or {@code [key]}. */
  private record Step(boolean attribute, String key) {
    @Override
    public String toString() {
      return attribute ? "." + key : "[" + key + "]";
    }
  }

  private record Field(@Nullable String name, int index, List<Step> steps, char conversion, List<Part> spec, String source,
      int offset) implements Part {
    String expression() {
      StringBuilder sb = new StringBuilder(name != null ? name : Integer.toString(index));
      steps.forEach(sb::append);
      return sb.toString();
    }
  }

  // ------------------------------------------------------------------ MLflow syntax

  /** What Python's {@code str.isspace} (and so its regex {@code \\s}) takes for white space. */
  private static final String PY_SPACE = "[\\t\\n\\x0B\\f\\r\\x1C-\\x1F \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029"
      + "\\u202F\\u205F\\u3000]";
  /**
   * MLflow 3's {@code PROMPT_TEMPLATE_VARIABLE_PATTERN}, with Python's white space: a variable is an ASCII
   * identifier, optionally dotted, between {@code {{} and {@code }}}; any other brace is text.
   */
  private static final Pattern MLFLOW_FIELD = Pattern.compile("\\{\\{" + PY_SPACE + "*"
      + "([a-zA-Z_][a-zA-Z0-9_]*(?:\\.[a-zA-Z_][a-zA-Z0-9_]*)*)" + PY_SPACE + "*\\}\\}");

  /**
   * Reads a template as MLflow's Python client does: every match of its variable pattern is a field, and
   * everything else, unmatched {@code {{} included, is literal text (MLflow leaves it as written too).
   */
  private static List<Part> parseMlflow(String text) {
    List<Part> parts = new ArrayList<>();
    Matcher m = MLFLOW_FIELD.matcher(text);
    int last = 0;
    while (m.find()) {
      if (m.start() > last) {
        parts.add(new Literal(text.substring(last, m.start()), last));
      }
      String[] bits = m.group(1).split("\\.");
      List<Step> steps = new ArrayList<>();
      for (int i = 1; i < bits.length; i++) {
        steps.add(new Step(true, bits[i]));
      }
      parts.add(new Field(bits[0], -1, steps, '\0', List.of(), m.group(), m.start()));
      last = m.end();
    }
    if (last < text.length()) {
      parts.add(new Literal(text.substring(last), last));
    }
    return parts;
  }

  // ------------------------------------------------------------------ Python syntax

  /** CPython's MarkupIterator and field-name parser, with positions kept for errors. */
  private static final class PythonParser {
    private final String text;
    private int auto = 0;
    private boolean usedAuto;
    private boolean usedManual;

    PythonParser(String text) {
      this.text = text;
    }

    List<Part> parse() {
      return parse(0, text.length(), 2);
    }

    private TemplateSyntaxException error(String problem, int offset, String hint) {
      return new TemplateSyntaxException(problem, text, offset, hint);
    }

    private List<Part> parse(int from, int to, int depth) {
      if (depth <= 0) {
        throw error("Max string recursion exceeded", from, "format specs may contain fields, but those fields may not");
      }
      List<Part> parts = new ArrayList<>();
      StringBuilder literal = new StringBuilder();
      int literalStart = from;
      int i = from;
      while (i < to) {
        char c = text.charAt(i);
        if (c == '}') {
          if (i + 1 < to && text.charAt(i + 1) == '}') {
            literal.append('}');
            i += 2;
            continue;
          }
          throw error("Single '}' encountered in format string", i, "write '}}' for a literal '}'");
        }
        if (c != '{') {
          literal.append(c);
          i++;
          continue;
        }
        if (i + 1 < to && text.charAt(i + 1) == '{') {
          literal.append('{');
          i += 2;
          continue;
        }
        if (i + 1 >= to) {
          throw error("Single '{' encountered in format string", i, "write '{{' for a literal '{'");
        }
        int end = matchingBrace(i, to);
        if (literal.length() > 0) {
          parts.add(new Literal(literal.toString(), literalStart));
          literal.setLength(0);
        }
        parts.add(field(i, end, depth));
        i = end + 1;
        literalStart = i;
      }
      if (literal.length() > 0) {
        parts.add(new Literal(literal.toString(), literalStart));
      }
      return parts;
    }

    private int matchingBrace(int open, int to) {
      int count = 1;
      for (int i = open + 1; i < to; i++) {
        char c = text.charAt(i);
        if (c == '[') {
          int close = text.indexOf(']', i);
          if (close >= 0 && close < to && text.substring(i, close).indexOf('{') < 0) {
            i = close;
            continue;
          }
        }
        if (c == '{') {
          count++;
        } else if (c == '}' && --count == 0) {
          return i;
        }
      }
      throw error("expected '}' before end of string", open, "close the field with '}' or write '{{' for a literal '{'");
    }

    private Field field(int open, int close, int depth) {
      int i = open + 1;
      int nameStart = i;
      while (i < close) {
        char c = text.charAt(i);
        if (c == '[') {
          int end = text.indexOf(']', i);
          i = end < 0 || end > close ? close : end + 1;
          continue;
        }
        if (c == '{') {
          throw error("unexpected '{' in field name", i, "field names are names, numbers, .attr and [key]");
        }
        if (c == ':' || c == '!') {
          break;
        }
        i++;
      }
      String fieldName = text.substring(nameStart, i);
      char conversion = '\0';
      if (i < close && text.charAt(i) == '!') {
        if (i + 1 >= close) {
          throw error("end of string while looking for conversion specifier", i, "use !s, !r or !a");
        }
        conversion = text.charAt(i + 1);
        if (conversion != 's' && conversion != 'r' && conversion != 'a') {
          throw error("Unknown conversion specifier " + conversion, i + 1, "use !s, !r or !a");
        }
        i += 2;
        if (i < close && text.charAt(i) != ':') {
          throw error("expected ':' after conversion specifier", i, "write {x!r:spec} or {x!r}");
        }
      }
      List<Part> spec = List.of();
      // the field's own number comes before the numbers of fields nested in its spec
      Field head = name(fieldName, nameStart);
      if (i < close && text.charAt(i) == ':') {
        spec = parse(i + 1, close, depth - 1);
      }
      return new Field(head.name(), head.index(), head.steps(), conversion, spec, text.substring(open, close + 1), open);
    }

    private Field name(String fieldName, int offset) {
      int i = 0;
      while (i < fieldName.length() && fieldName.charAt(i) != '.' && fieldName.charAt(i) != '[') {
        i++;
      }
      String first = fieldName.substring(0, i);
      String name = null;
      int index;
      if (first.isEmpty()) {
        if (usedManual) {
          throw error("cannot switch from manual field specification to automatic field numbering", offset,
              "number every field ({0}, {1}) or none ({}, {})");
        }
        usedAuto = true;
        index = auto++;
      } else if (first.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
        if (usedAuto) {
          throw error("cannot switch from automatic field numbering to manual field specification", offset,
              "number every field ({0}, {1}) or none ({}, {})");
        }
        usedManual = true;
        try {
          index = Integer.parseInt(first);
        } catch (NumberFormatException e) {
          throw error("Too many decimal digits in format string", offset, "use a smaller position");
        }
      } else {
        name = first;
        index = -1;
      }
      List<Step> steps = new ArrayList<>();
      while (i < fieldName.length()) {
        char c = fieldName.charAt(i);
        if (c == '.') {
          int start = ++i;
          while (i < fieldName.length() && fieldName.charAt(i) != '.' && fieldName.charAt(i) != '[') {
            i++;
          }
          if (i == start) {
            throw error("Empty attribute in format string", offset + start, "write .name after the dot");
          }
          steps.add(new Step(true, fieldName.substring(start, i)));
        } else if (c == '[') {
          int end = fieldName.indexOf(']', i);
          if (end < 0) {
            throw error("Missing ']' in format string", offset + i, "close the index with ']'");
          }
          if (end == i + 1) {
            throw error("Empty attribute in format string", offset + i, "write a key or number between [ and ]");
          }
          steps.add(new Step(false, fieldName.substring(i + 1, end)));
          i = end + 1;
          if (i < fieldName.length() && fieldName.charAt(i) != '.' && fieldName.charAt(i) != '[') {
            throw error("Only '.' or '[' may follow ']' in format field specifier", offset + i, "write [a][b] or [a].b");
          }
        } else {
          throw error("Invalid field name", offset + i, "field names are names, numbers, .attr and [key]");
        }
      }
      return new Field(name, index, steps, '\0', List.of(), fieldName, offset);
    }
  }

  // ------------------------------------------------------------------ variables and conversion

  /** Every variable the template uses, in order, without repeats. */
  public List<Variable> variables() {
    Set<Variable> out = new LinkedHashSet<>();
    collect(parts, out);
    return List.copyOf(out);
  }

  private static void collect(List<Part> parts, Set<Variable> out) {
    for (Part p : parts) {
      if (p instanceof Field) {
        Field f = (Field) p;
        List<String> path = new ArrayList<>();
        f.steps().forEach(s -> path.add(s.key()));
        out.add(new Variable(f.name() != null ? f.name() : Integer.toString(f.index()), path, f.expression()));
        collect(f.spec(), out);
      }
    }
  }

  /** The top-level names (and positions) the template needs. */
  public Set<String> variableNames() {
    Set<String> names = new LinkedHashSet<>();
    variables().forEach(v -> names.add(v.name()));
    return names;
  }

  /**
   * Something in a template that MLflow's Python client cannot render: its {@code PromptVersion.format}
   * replaces only {@code {{ name }}} variables and leaves everything else as written.
   *
   * @param construct what it is, such as {@code format spec ':d'}, {@code conversion '!r'}, {@code indexing
   *     '[0]'} or {@code positional field}
   * @param field the field (or text) as written in the template
   * @param line 1-based line of the field
   * @param column 1-based column of the field
   */
  public record MlflowIncompatibility(String construct, String field, int line, int column) {
    @Override
    public String toString() {
      return construct + " in " + field + " at line " + line + ", column " + column;
    }
  }

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /**
   * What keeps this template from rendering the same in MLflow's Python client, in template order; empty
   * when {@link #toMlflow()} is exact. MLflow templates never have any. A Python-format template has one
   * for each format spec, conversion ({@code !r}), index step ({@code [0]}, {@code [key]}), positional
   * field ({@code {}}, {@code {0}}), name that is not an ASCII identifier, and literal braces that MLflow
   * would read as a variable's.
   */
  public List<MlflowIncompatibility> mlflowIncompatibilities() {
    List<MlflowIncompatibility> out = new ArrayList<>();
    if (syntax == Syntax.MLFLOW) {
      return out;
    }
    StringBuilder sb = new StringBuilder();
    for (Part p : parts) {
      if (p instanceof Literal) {
        sb.append(((Literal) p).text());
        continue;
      }
      Field f = (Field) p;
      int before = out.size();
      if (f.name() == null) {
        out.add(incompatibility("positional field", f.source(), f.offset()));
      } else if (!IDENTIFIER.matcher(f.name()).matches()) {
        out.add(incompatibility("name '" + f.name() + "' (MLflow variables are ASCII identifiers)", f.source(), f.offset()));
      }
      for (Step step : f.steps()) {
        if (!step.attribute()) {
          out.add(incompatibility("indexing '" + step + "'", f.source(), f.offset()));
        } else if (!IDENTIFIER.matcher(step.key()).matches()) {
          out.add(incompatibility("attribute '" + step + "' (MLflow variables are ASCII identifiers)", f.source(),
              f.offset()));
        }
      }
      if (f.conversion() != '\0') {
        out.add(incompatibility("conversion '!" + f.conversion() + "'", f.source(), f.offset()));
      }
      if (!f.spec().isEmpty()) {
        out.add(incompatibility("format spec '" + specText(f) + "'", f.source(), f.offset()));
      }
      if (out.size() == before) {
        sb.append("{{ ").append(f.expression()).append(" }}");
      }
    }
    if (out.isEmpty()) {
      // literal braces may turn into, or swallow, a variable once the text is read as MLflow's
      List<Part> read = parseMlflow(sb.toString());
      for (int i = 0; i < parts.size(); i++) {
        Part mine = parts.get(i);
        Part theirs = i < read.size() ? read.get(i) : null;
        boolean same = mine instanceof Literal
            ? theirs instanceof Literal && ((Literal) theirs).text().equals(((Literal) mine).text())
            : theirs instanceof Field && ((Field) theirs).expression().equals(((Field) mine).expression());
        if (!same || (i == parts.size() - 1 && read.size() != parts.size())) {
          int offset = mine instanceof Literal ? ((Literal) mine).offset() : ((Field) mine).offset();
          int end = Math.min(text.length(), offset + 20);
          out.add(incompatibility("literal braces that MLflow would read as a variable's", text.substring(offset, end),
              offset));
          break;
        }
      }
    }
    return out;
  }

  private MlflowIncompatibility incompatibility(String construct, String field, int offset) {
    int[] lc = TemplateSyntaxException.lineAndColumn(text, offset);
    return new MlflowIncompatibility(construct, field, lc[0], lc[1]);
  }

  /** The format spec of a field as written: what follows the first top-level ':' of its source. */
  private static String specText(Field f) {
    String src = f.source();
    for (int i = 1; i < src.length() - 1; i++) {
      char c = src.charAt(i);
      if (c == '[') {
        int close = src.indexOf(']', i);
        i = close < 0 ? i : close;
      } else if (c == ':') {
        return src.substring(i, src.length() - 1);
      }
    }
    return src;
  }

  /**
   * This template in MLflow's {@code {{ name }}} syntax, when that is exact: every field a name with
   * {@code .attr} steps only (ASCII identifiers), no conversion or spec, and no literal braces MLflow would
   * read as a variable. {@link #mlflowIncompatibilities()} says why when it is not.
   */
  public Optional<String> toMlflow() {
    if (syntax == Syntax.MLFLOW) {
      return Optional.of(text);
    }
    if (!mlflowIncompatibilities().isEmpty()) {
      return Optional.empty();
    }
    StringBuilder sb = new StringBuilder();
    for (Part p : parts) {
      if (p instanceof Literal) {
        sb.append(((Literal) p).text());
      } else {
        sb.append("{{ ").append(((Field) p).expression()).append(" }}");
      }
    }
    return Optional.of(sb.toString());
  }

  /** This template in Python {@code str.format} syntax; always exact for MLflow templates. */
  public String toPythonFormat() {
    if (syntax == Syntax.PYTHON_FORMAT) {
      return text;
    }
    StringBuilder sb = new StringBuilder();
    for (Part p : parts) {
      if (p instanceof Literal) {
        sb.append(((Literal) p).text().replace("{", "{{").replace("}", "}}"));
      } else {
        sb.append('{').append(((Field) p).expression()).append('}');
      }
    }
    return sb.toString();
  }

  // ------------------------------------------------------------------ rendering

  /** Renders with named values. */
  public String render(Map<String, ?> values) {
    return render(List.of(), values);
  }

  /**
   * Renders with positional and named values, as {@code template.format(*positional, **named)}.
   *
   * @throws MissingVariablesException naming every missing variable
   * @throws RenderException when a value cannot be formatted as its field asks
   */
  public String render(List<?> positional, Map<String, ?> named) {
    List<String> missing = new ArrayList<>(0);
    String out = render(parts, new Context(positional, named, false), missing);
    if (!missing.isEmpty()) {
      List<String> given = new ArrayList<>(named.keySet());
      for (int i = 0; i < positional.size(); i++) {
        given.add(Integer.toString(i));
      }
      throw new MissingVariablesException(missing, given);
    }
    return out;
  }

  /** Renders what can be rendered and leaves fields whose variables are missing as they were written. */
  public String renderPartial(Map<String, ?> values) {
    return render(parts, new Context(List.of(), values, true), new ArrayList<>());
  }

  private record Context(List<?> positional, Map<String, ?> named, boolean partial) {}

  /** A resolved value, or why it is missing. */
  private record Resolved(@Nullable Object value, @Nullable String missing) {}

  private Resolved resolve(Field f, Context ctx) {
    Object value;
    if (syntax == Syntax.MLFLOW && !f.steps().isEmpty() && ctx.named().containsKey(f.expression())) {
      // MLflow's Python client takes a dotted variable only as one flat key: format(**{"user.name": "Ada"})
      return new Resolved(ctx.named().get(f.expression()), null);
    }
    if (f.name() != null) {
      if (!ctx.named().containsKey(f.name())) {
        return new Resolved(null, f.name());
      }
      value = ctx.named().get(f.name());
    } else {
      if (f.index() >= ctx.positional().size()) {
        return new Resolved(null, Integer.toString(f.index()));
      }
      value = ctx.positional().get(f.index());
    }
    List<Step> steps = f.steps();
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      Py.Lookup l = s.attribute() ? Py.Access.attribute(value, s.key()) : Py.Access.index(value, s.key());
      if (l.error) {
        throw new RenderException("Field " + f.source() + ": " + l.missing, "TypeError");
      }
      if (!l.found()) {
        StringBuilder path = new StringBuilder(f.name() != null ? f.name() : Integer.toString(f.index()));
        steps.subList(0, i + 1).forEach(path::append);
        return new Resolved(null, path.toString());
      }
      value = l.value;
    }
    return new Resolved(value, null);
  }

  /**
   * Renders in one pass. A missing variable is added to {@code missing} (strict rendering throws with all of
   * them at the end) and its field left as written (what partial rendering returns).
   */
  private String render(List<Part> parts, Context ctx, List<String> missing) {
    StringBuilder sb = new StringBuilder(text.length() + 32);
    for (Part p : parts) {
      if (p instanceof Literal) {
        sb.append(((Literal) p).text());
        continue;
      }
      Field f = (Field) p;
      Resolved r = resolve(f, ctx);
      int missingBefore = missing.size();
      String spec = f.spec().isEmpty() ? "" : render(f.spec(), ctx, missing);
      if (r.missing() != null && !missing.contains(r.missing())) {
        missing.add(missingBefore, r.missing());
      }
      if (r.missing() != null || missing.size() > missingBefore) {
        sb.append(f.source());
        continue;
      }
      Object value = r.value();
      try {
        if (syntax == Syntax.MLFLOW) {
          sb.append(Py.str(value));
        } else if (f.conversion() != '\0') {
          String converted = f.conversion() == 's' ? Py.str(value) : f.conversion() == 'r' ? Py.repr(value) : Py.ascii(value);
          sb.append(PyFormat.formatStr(converted, spec));
        } else {
          sb.append(PyFormat.format(value, spec));
        }
      } catch (PyFormat.FormatException e) {
        throw new RenderException("Field " + f.source() + " with " + Py.typeName(value) + " value: " + e.getMessage(),
            e.pythonType, e);
      }
    }
    return sb.toString();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof PromptTemplate && ((PromptTemplate) o).text.equals(text) && ((PromptTemplate) o).syntax == syntax;
  }

  @Override
  public int hashCode() {
    return Objects.hash(text, syntax);
  }

  @Override
  public String toString() {
    return syntax + ":" + text;
  }
}
