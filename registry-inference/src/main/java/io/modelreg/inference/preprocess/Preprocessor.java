package io.modelreg.inference.preprocess;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.modelreg.inference.preprocess.Frame.Column;
import io.modelreg.inference.preprocess.Frame.Kind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A fitted preprocessor: named input columns in, named float features out. Saved as versioned JSON data
 * ({@code preprocessor.json}): no Java serialization, no type names taken from the file. Immutable and
 * thread-safe.
 */
public final class Preprocessor {
  /** The format this version writes and the newest it reads. */
  public static final int FORMAT = 1;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * One input column.
   *
   * @param name the column name
   * @param kind numeric or categorical
   * @param nullable whether a missing value is allowed (an imputer fills it)
   */
  public record Input(String name, Kind kind, boolean nullable) {}

  private final FittedStep root;
  private final List<Input> inputs;
  private final List<String> features;

  private Preprocessor(FittedStep root, List<Input> inputs, List<String> features) {
    this.root = root;
    this.inputs = List.copyOf(inputs);
    this.features = List.copyOf(features);
  }

  /**
   * Fits {@code step} on {@code data}. Every column of {@code data} becomes an input; the output must be
   * all numeric.
   *
   * @throws IllegalArgumentException when fitting fails or a categorical column is left unencoded
   */
  public static Preprocessor fit(Step step, Frame data) {
    FittedStep fitted = step.fit(data);
    Set<String> imputed = fitted.imputedColumns();
    List<Input> inputs = new ArrayList<>();
    for (String n : data.names()) {
      inputs.add(new Input(n, data.kind(n), imputed.contains(n)));
    }
    return new Preprocessor(fitted, inputs, outputNames(fitted.transform(empty(inputs))));
  }

  /** A preprocessor that passes numeric columns through unchanged, for models that take raw features. */
  public static Preprocessor identity(List<String> numericColumns) {
    List<Input> inputs = new ArrayList<>();
    for (String n : numericColumns) {
      inputs.add(new Input(n, Kind.NUMERIC, false));
    }
    return new Preprocessor(new FittedSteps.Select(numericColumns), inputs, numericColumns);
  }

  private static Frame empty(List<Input> inputs) {
    Frame.Builder b = Frame.builder();
    for (Input in : inputs) {
      b.column(in.name(), in.kind() == Kind.NUMERIC ? Column.numeric(new double[0]) : Column.categorical(new String[0]));
    }
    return b.build(0);
  }

  private static List<String> outputNames(Frame out) {
    for (String n : out.names()) {
      if (out.kind(n) != Kind.NUMERIC) {
        throw new IllegalArgumentException("Column '" + n + "' is still categorical after preprocessing; encode it"
            + " (oneHot, ordinal) or leave it out");
      }
    }
    return out.names();
  }

  /** The input columns, in the order they were fitted. */
  public List<Input> inputs() {
    return inputs;
  }

  /** The output feature names, in order. */
  public List<String> featureNames() {
    return features;
  }

  /** Transforms a frame with the input columns into a frame of the features. */
  public Frame transform(Frame input) {
    return root.transform(input);
  }

  /**
   * Every problem of one input row: missing, extra and mistyped columns, and missing values where no
   * imputer fills them; empty when the row is fine.
   */
  public List<String> problems(Map<String, ?> row) {
    List<String> problems = new ArrayList<>();
    for (Input in : inputs) {
      if (!row.containsKey(in.name())) {
        problems.add("missing column '" + in.name() + "'");
        continue;
      }
      Object v = row.get(in.name());
      boolean missing = v == null || v instanceof Double && ((Double) v).isNaN() || v instanceof Float && ((Float) v).isNaN();
      if (missing) {
        if (!in.nullable()) {
          problems.add("'" + in.name() + "' is " + (v == null ? "null" : "NaN") + " but the model has no imputer for it");
        }
      } else if (in.kind() == Kind.NUMERIC && !(v instanceof Number)) {
        problems.add("'" + in.name() + "' must be a number, got " + describe(v));
      } else if (in.kind() == Kind.NUMERIC && !Double.isFinite(((Number) v).doubleValue())) {
        problems.add("'" + in.name() + "' is " + v + "; numbers must be finite");
      } else if (in.kind() == Kind.CATEGORICAL && !(v instanceof CharSequence || v instanceof Enum || v instanceof Boolean)) {
        problems.add("'" + in.name() + "' must be a category (a string), got " + describe(v));
      }
    }
    List<String> extra = new ArrayList<>();
    for (String k : row.keySet()) {
      if (inputs.stream().noneMatch(in -> in.name().equals(k))) {
        extra.add(k);
      }
    }
    Collections.sort(extra);
    for (String k : extra) {
      problems.add("unexpected column '" + k + "'");
    }
    return problems;
  }

  private static String describe(@Nullable Object v) {
    return v == null ? "null" : v.getClass().getSimpleName() + " " + v;
  }

  /**
   * Transforms rows into a row-major {@code rows × features} array, after checking every row.
   *
   * @throws IllegalArgumentException listing every problem of every row at once
   */
  public float[] transformRows(List<? extends Map<String, ?>> rows) {
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      for (String p : problems(rows.get(i))) {
        problems.add(rows.size() == 1 ? p : "row " + i + ": " + p);
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidInputException(problems);
    }
    Frame.Builder b = Frame.builder();
    for (Input in : inputs) {
      if (in.kind() == Kind.NUMERIC) {
        double[] x = new double[rows.size()];
        for (int i = 0; i < x.length; i++) {
          Object v = rows.get(i).get(in.name());
          x[i] = v == null ? Double.NaN : ((Number) v).doubleValue();
        }
        b.column(in.name(), Column.numeric(x));
      } else {
        @Nullable String[] x = new @Nullable String[rows.size()];
        for (int i = 0; i < x.length; i++) {
          Object v = rows.get(i).get(in.name());
          x[i] = v == null ? null : v instanceof Enum ? ((Enum<?>) v).name() : v.toString();
        }
        b.column(in.name(), Column.categorical(x));
      }
    }
    Frame out = root.transform(b.build(rows.size()));
    float[] result = new float[rows.size() * features.size()];
    for (int j = 0; j < features.size(); j++) {
      double[] col = out.column(features.get(j)).numbers();
      for (int i = 0; i < col.length; i++) {
        result[i * features.size() + j] = (float) col[i];
      }
    }
    return result;
  }

  /** {@link #transformRows} of one row. */
  public float[] transform(Map<String, ?> row) {
    return transformRows(List.of(row));
  }

  // ------------------------------------------------------------------ JSON

  /** The preprocessor as versioned, pretty-printed JSON. */
  public byte[] toJson() {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("format", FORMAT);
    List<Object> ins = new ArrayList<>();
    for (Input in : inputs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", in.name());
      m.put("kind", in.kind() == Kind.NUMERIC ? "numeric" : "categorical");
      m.put("nullable", in.nullable());
      ins.add(m);
    }
    o.put("inputs", ins);
    o.put("features", features);
    o.put("step", root.toJson());
    try {
      return JSON.writeValueAsBytes(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads what {@link #toJson()} wrote.
   *
   * @param source names the file in error messages
   * @throws IllegalArgumentException when the text is not a valid preprocessor, or was written in a newer
   *     format (the message says to upgrade)
   */
  public static Preprocessor fromJson(byte[] json, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("Invalid preprocessor " + source + ": " + e.getMessage(), e);
    }
    try {
      Reader r = new Reader(source);
      int format = r.integer(root, "format");
      if (format > FORMAT) {
        throw new IllegalArgumentException("Preprocessor " + source + " has format " + format + "; this modelreg reads"
            + " format " + FORMAT + " — it was written by a newer modelreg: upgrade to load it");
      }
      List<Input> inputs = new ArrayList<>();
      for (JsonNode in : r.array(root, "inputs")) {
        String kind = r.text(in, "kind");
        if (!kind.equals("numeric") && !kind.equals("categorical")) {
          throw r.bad("input kind must be numeric or categorical, got '" + kind + "'");
        }
        inputs.add(new Input(r.text(in, "name"), kind.equals("numeric") ? Kind.NUMERIC : Kind.CATEGORICAL,
            in.path("nullable").asBoolean(false)));
      }
      FittedStep step = r.step(r.object(root, "step"));
      Preprocessor p = new Preprocessor(step, inputs, r.strings(root, "features"));
      List<String> actual = outputNames(step.transform(empty(inputs)));
      if (!actual.equals(p.features)) {
        throw r.bad("the steps produce " + actual + " but the file lists features " + p.features);
      }
      return p;
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().contains(source)) {
        throw e;
      }
      throw new IllegalArgumentException("Invalid preprocessor " + source + ": " + e.getMessage(), e);
    }
  }

  /** Reads step JSON into the closed set of step kinds. */
  private static final class Reader {
    private final String source;

    Reader(String source) {
      this.source = source;
    }

    IllegalArgumentException bad(String message) {
      return new IllegalArgumentException("Invalid preprocessor " + source + ": " + message);
    }

    JsonNode object(JsonNode node, String field) {
      JsonNode v = node.get(field);
      if (v == null || !v.isObject()) {
        throw bad("'" + field + "' must be an object");
      }
      return v;
    }

    List<JsonNode> array(JsonNode node, String field) {
      JsonNode v = node.get(field);
      if (v == null || !v.isArray()) {
        throw bad("'" + field + "' must be an array");
      }
      List<JsonNode> out = new ArrayList<>();
      v.forEach(out::add);
      return out;
    }

    String text(JsonNode node, String field) {
      JsonNode v = node.get(field);
      if (v == null || !v.isTextual()) {
        throw bad("'" + field + "' must be a string");
      }
      return v.asText();
    }

    int integer(JsonNode node, String field) {
      JsonNode v = node.get(field);
      if (v == null || !v.isInt()) {
        throw bad("'" + field + "' must be an integer");
      }
      return v.asInt();
    }

    double number(JsonNode node, String what) {
      if (!node.isNumber()) {
        throw bad(what + " must be a number");
      }
      return Preprocessing.finite(what, node.asDouble());
    }

    List<String> strings(JsonNode node, String field) {
      List<String> out = new ArrayList<>();
      for (JsonNode v : array(node, field)) {
        if (!v.isTextual()) {
          throw bad("'" + field + "' must hold strings");
        }
        out.add(v.asText());
      }
      return out;
    }

    double[] numbers(JsonNode node, String field) {
      List<JsonNode> list = array(node, field);
      double[] out = new double[list.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = number(list.get(i), field + "[" + i + "]");
      }
      return out;
    }

    List<List<String>> categories(JsonNode node) {
      List<List<String>> out = new ArrayList<>();
      for (JsonNode list : array(node, "categories")) {
        List<String> cats = new ArrayList<>();
        list.forEach(c -> cats.add(c.asText()));
        out.add(cats);
      }
      return out;
    }

    FittedStep step(JsonNode node) {
      String type = text(node, "type");
      switch (type) {
        case "standard_scaler":
          return new FittedSteps.StandardScaler(strings(node, "columns"), numbers(node, "mean"), numbers(node, "scale"),
              node.path("with_mean").asBoolean(true), node.path("with_std").asBoolean(true));
        case "min_max_scaler":
          double[] range = numbers(node, "feature_range");
          if (range.length != 2) {
            throw bad("feature_range must have two numbers");
          }
          return new FittedSteps.MinMaxScaler(strings(node, "columns"), range[0], range[1], numbers(node, "data_min"),
              numbers(node, "data_max"));
        case "imputer":
          Map<String, Object> fills = new LinkedHashMap<>();
          object(node, "fill").fields().forEachRemaining(e -> fills.put(e.getKey(),
              e.getValue().isTextual() ? e.getValue().asText() : (Object) number(e.getValue(), "fill." + e.getKey())));
          return new FittedSteps.Imputer(fills);
        case "one_hot_encoder":
          return new FittedSteps.OneHot(strings(node, "columns"), categories(node),
              "ignore".equals(node.path("handle_unknown").asText("error")));
        case "ordinal_encoder":
          JsonNode unknown = node.get("unknown_value");
          return new FittedSteps.Ordinal(strings(node, "columns"), categories(node),
              unknown == null ? null : number(unknown, "unknown_value"));
        case "select":
          return new FittedSteps.Select(strings(node, "columns"));
        case "pipeline":
          List<FittedStep> steps = new ArrayList<>();
          for (JsonNode s : array(node, "steps")) {
            steps.add(step(s));
          }
          return new FittedSteps.Pipeline(steps);
        case "column_transformer":
          List<FittedSteps.FittedPart> parts = new ArrayList<>();
          for (JsonNode p : array(node, "parts")) {
            parts.add(new FittedSteps.FittedPart(step(object(p, "step")), strings(p, "columns")));
          }
          return new FittedSteps.ColumnTransformer(parts, strings(node, "remainder"));
        default:
          throw bad("unknown step type '" + type + "'; known: standard_scaler, min_max_scaler, imputer,"
              + " one_hot_encoder, ordinal_encoder, select, pipeline, column_transformer");
      }
    }
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Preprocessor && java.util.Arrays.equals(((Preprocessor) o).toJson(), toJson());
  }

  @Override
  public int hashCode() {
    return Objects.hash(inputs, features);
  }

  @Override
  public String toString() {
    return "Preprocessor" + inputs + " -> " + features;
  }
}
