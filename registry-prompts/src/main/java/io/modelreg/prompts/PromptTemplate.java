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
 *   <li>{@link Syntax#MLFLOW}: MLflow's {@code {{ name }}} with dotted names; everything else is literal.
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
    /** MLflow prompt registry's {@code {{ name }}}. */
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

  private record Literal(String text) implements Part {}

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

  private static final Pattern MLFLOW_FIELD = Pattern.compile("\\{\\{(.*?)\\}\\}", Pattern.DOTALL);
  private static final Pattern DOTTED = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

  private static List<Part> parseMlflow(String text) {
    List<Part> parts = new ArrayList<>();
    Matcher m = MLFLOW_FIELD.matcher(text);
    int last = 0;
    while (m.find()) {
      if (m.start() > last) {
        parts.add(new Literal(text.substring(last, m.start())));
      }
      String name = m.group(1).strip();
      if (!DOTTED.matcher(name).matches()) {
        throw new TemplateSyntaxException("Invalid variable '" + m.group(1) + "'", text, m.start(1),
            "MLflow variables are names such as {{ question }} or {{ user.name }}");
      }
      String[] bits = name.split("\\.");
      List<Step> steps = new ArrayList<>();
      for (int i = 1; i < bits.length; i++) {
        steps.add(new Step(true, bits[i]));
      }
      parts.add(new Field(bits[0], -1, steps, '\0', List.of(), m.group(), m.start()));
      last = m.end();
    }
    int open = text.indexOf("{{", last);
    if (open >= 0) {
      throw new TemplateSyntaxException("Unclosed '{{'", text, open, "close the variable with '}}'");
    }
    if (last < text.length()) {
      parts.add(new Literal(text.substring(last)));
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
          parts.add(new Literal(literal.toString()));
          literal.setLength(0);
        }
        parts.add(field(i, end, depth));
        i = end + 1;
      }
      if (literal.length() > 0) {
        parts.add(new Literal(literal.toString()));
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
   * This template in MLflow's {@code {{ name }}} syntax, when that is exact: every field a name with
   * {@code .attr} steps only, no conversion or spec, and no {@code {{} or {@code }}} in the literal text.
   */
  public Optional<String> toMlflow() {
    if (syntax == Syntax.MLFLOW) {
      return Optional.of(text);
    }
    StringBuilder sb = new StringBuilder();
    for (Part p : parts) {
      if (p instanceof Literal) {
        String t = ((Literal) p).text();
        if (t.contains("{{") || t.contains("}}")) {
          return Optional.empty();
        }
        sb.append(t);
      } else {
        Field f = (Field) p;
        if (f.name() == null || f.conversion() != '\0' || !f.spec().isEmpty()
            || f.steps().stream().anyMatch(s -> !s.attribute()) || !DOTTED.matcher(f.expression()).matches()) {
          return Optional.empty();
        }
        sb.append("{{ ").append(f.expression()).append(" }}");
      }
    }
    String out = sb.toString();
    return parse(out, Syntax.MLFLOW).parts.size() == parts.size() ? Optional.of(out) : Optional.empty();
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
