package io.modelreg.inference.preprocess;

import io.modelreg.inference.preprocess.Frame.Column;
import io.modelreg.inference.preprocess.Frame.Kind;
import io.modelreg.inference.preprocess.Preprocessing.Imputation;
import io.modelreg.inference.preprocess.Preprocessing.UnknownCategory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/** The step kinds: each an unfitted spec and its fitted form. */
final class FittedSteps {
  /** Below this, a spread counts as zero (sklearn: 10 × machine epsilon). */
  private static final double ZERO_SPREAD = 10 * Math.ulp(1.0);

  private FittedSteps() {}

  // ------------------------------------------------------------------ helpers

  /** The columns a step applies to: the named ones, or every column of {@code kind} when none is named. */
  static List<String> resolve(Frame data, List<String> named, Kind kind, String step) {
    if (named.isEmpty()) {
      List<String> all = new ArrayList<>();
      for (String n : data.names()) {
        if (data.kind(n) == kind) {
          all.add(n);
        }
      }
      return all;
    }
    for (String n : named) {
      if (!data.has(n)) {
        throw new IllegalArgumentException(step + ": no column '" + n + "'; the data has " + data.names());
      }
      if (data.kind(n) != kind) {
        throw new IllegalArgumentException(step + " needs " + kind.name().toLowerCase() + " columns; '" + n + "' is "
            + data.kind(n).name().toLowerCase());
      }
    }
    return named;
  }

  private static Frame replace(Frame input, Map<String, Column> replacements) {
    Frame.Builder b = Frame.builder();
    for (Map.Entry<String, Column> e : input.columns().entrySet()) {
      Column r = replacements.get(e.getKey());
      b.column(e.getKey(), r != null ? r : e.getValue());
    }
    return b.build(input.rows());
  }

  private static void require(Frame input, List<String> columns, Kind kind, String step) {
    for (String c : columns) {
      if (!input.has(c)) {
        throw new IllegalArgumentException(step + ": no column '" + c + "'; the input has " + input.names());
      }
      if (input.kind(c) != kind) {
        throw new IllegalArgumentException(step + ": column '" + c + "' must be " + kind.name().toLowerCase());
      }
    }
  }

  static List<Double> boxed(double[] values) {
    List<Double> out = new ArrayList<>();
    for (double v : values) {
      out.add(v);
    }
    return out;
  }

  // ------------------------------------------------------------------ standard scaler

  record StandardScalerSpec(List<String> columns, boolean withMean, boolean withStd) implements Step {
    @Override
    public FittedStep fit(Frame data) {
      List<String> cols = resolve(data, columns, Kind.NUMERIC, "StandardScaler");
      double[] mean = new double[cols.size()];
      double[] scale = new double[cols.size()];
      for (int j = 0; j < cols.size(); j++) {
        double[] x = data.column(cols.get(j)).numbers();
        double sum = 0;
        int n = 0;
        for (double v : x) {
          if (!Double.isNaN(v)) {
            sum += v;
            n++;
          }
        }
        if (n == 0) {
          throw new IllegalArgumentException("StandardScaler: column '" + cols.get(j) + "' has no values to fit");
        }
        double m = sum / n;
        double ss = 0;
        for (double v : x) {
          if (!Double.isNaN(v)) {
            ss += (v - m) * (v - m);
          }
        }
        double std = Math.sqrt(ss / n);
        mean[j] = withMean ? m : 0;
        scale[j] = !withStd ? 1 : std < ZERO_SPREAD ? 1 : std;
      }
      return new StandardScaler(cols, mean, scale, withMean, withStd);
    }
  }

  /** {@code z = (x - mean) / scale}. */
  static final class StandardScaler extends FittedStep {
    final List<String> columns;
    final double[] mean;
    final double[] scale;
    final boolean withMean;
    final boolean withStd;

    StandardScaler(List<String> columns, double[] mean, double[] scale, boolean withMean, boolean withStd) {
      this.columns = List.copyOf(columns);
      this.mean = mean.clone();
      this.scale = scale.clone();
      this.withMean = withMean;
      this.withStd = withStd;
      if (mean.length != columns.size() || scale.length != columns.size()) {
        throw new IllegalArgumentException("StandardScaler: one mean and one scale per column");
      }
    }

    @Override
    public Frame transform(Frame input) {
      require(input, columns, Kind.NUMERIC, "StandardScaler");
      Map<String, Column> out = new HashMap<>();
      for (int j = 0; j < columns.size(); j++) {
        double[] x = input.column(columns.get(j)).numbers();
        double[] z = new double[x.length];
        for (int i = 0; i < x.length; i++) {
          z[i] = (x[i] - mean[j]) / scale[j];
        }
        out.put(columns.get(j), Column.numeric(z));
      }
      return replace(input, out);
    }

    @Override
    Map<String, Object> toJson() {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("type", "standard_scaler");
      o.put("columns", columns);
      o.put("with_mean", withMean);
      o.put("with_std", withStd);
      o.put("mean", boxed(mean));
      o.put("scale", boxed(scale));
      return o;
    }

    @Override
    Set<String> imputedColumns() {
      return Set.of();
    }
  }

  // ------------------------------------------------------------------ min-max scaler

  record MinMaxScalerSpec(List<String> columns, double low, double high) implements Step {
    @Override
    public FittedStep fit(Frame data) {
      List<String> cols = resolve(data, columns, Kind.NUMERIC, "MinMaxScaler");
      double[] dataMin = new double[cols.size()];
      double[] dataMax = new double[cols.size()];
      for (int j = 0; j < cols.size(); j++) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : data.column(cols.get(j)).numbers()) {
          if (!Double.isNaN(v)) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
        }
        if (lo > hi) {
          throw new IllegalArgumentException("MinMaxScaler: column '" + cols.get(j) + "' has no values to fit");
        }
        dataMin[j] = lo;
        dataMax[j] = hi;
      }
      return new MinMaxScaler(cols, low, high, dataMin, dataMax);
    }
  }

  /** {@code x * scale + min} with sklearn's {@code scale_} and {@code min_}. */
  static final class MinMaxScaler extends FittedStep {
    final List<String> columns;
    final double low;
    final double high;
    final double[] dataMin;
    final double[] dataMax;
    private final double[] scale;
    private final double[] offset;

    MinMaxScaler(List<String> columns, double low, double high, double[] dataMin, double[] dataMax) {
      this.columns = List.copyOf(columns);
      this.low = low;
      this.high = high;
      this.dataMin = dataMin.clone();
      this.dataMax = dataMax.clone();
      if (dataMin.length != columns.size() || dataMax.length != columns.size()) {
        throw new IllegalArgumentException("MinMaxScaler: one minimum and one maximum per column");
      }
      scale = new double[columns.size()];
      offset = new double[columns.size()];
      for (int j = 0; j < scale.length; j++) {
        double range = dataMax[j] - dataMin[j];
        scale[j] = (high - low) / (range < ZERO_SPREAD ? 1 : range);
        offset[j] = low - dataMin[j] * scale[j];
      }
    }

    @Override
    public Frame transform(Frame input) {
      require(input, columns, Kind.NUMERIC, "MinMaxScaler");
      Map<String, Column> out = new HashMap<>();
      for (int j = 0; j < columns.size(); j++) {
        double[] x = input.column(columns.get(j)).numbers();
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
          y[i] = x[i] * scale[j] + offset[j];
        }
        out.put(columns.get(j), Column.numeric(y));
      }
      return replace(input, out);
    }

    @Override
    Map<String, Object> toJson() {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("type", "min_max_scaler");
      o.put("columns", columns);
      o.put("feature_range", List.of(low, high));
      o.put("data_min", boxed(dataMin));
      o.put("data_max", boxed(dataMax));
      return o;
    }

    @Override
    Set<String> imputedColumns() {
      return Set.of();
    }
  }

  // ------------------------------------------------------------------ imputer

  record ImputerSpec(List<String> columns, @Nullable Imputation strategy, @Nullable Double number, @Nullable String text)
      implements Step {
    @Override
    public FittedStep fit(Frame data) {
      if (columns.isEmpty()) {
        throw new IllegalArgumentException("An imputer needs the columns to impute");
      }
      Map<String, Object> fills = new LinkedHashMap<>();
      for (String c : columns) {
        if (!data.has(c)) {
          throw new IllegalArgumentException("Imputer: no column '" + c + "'; the data has " + data.names());
        }
        Column col = data.column(c);
        if (number != null || text != null) {
          if (number != null && col.kind != Kind.NUMERIC || text != null && col.kind != Kind.CATEGORICAL) {
            throw new IllegalArgumentException("Imputer: the constant " + (number != null ? number : "'" + text + "'")
                + " does not fit " + col.kind.name().toLowerCase() + " column '" + c + "'");
          }
          fills.put(c, number != null ? (Object) number : Objects.requireNonNull(text));
        } else {
          fills.put(c, learn(c, col, Objects.requireNonNull(strategy)));
        }
      }
      return new Imputer(fills);
    }

    private static Object learn(String name, Column col, Imputation strategy) {
      if (col.kind == Kind.NUMERIC) {
        double[] values = Arrays.stream(col.numbers()).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (values.length == 0) {
          throw new IllegalArgumentException("Imputer: column '" + name + "' has no values to compute the "
              + strategy.name().toLowerCase() + " from; impute a constant instead");
        }
        switch (strategy) {
          case MEAN:
            return Arrays.stream(values).sum() / values.length;
          case MEDIAN:
            int mid = values.length / 2;
            return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
          default:
            TreeMap<Double, Integer> counts = new TreeMap<>();
            for (double v : values) {
              counts.merge(v, 1, Integer::sum);
            }
            return mostFrequent(counts);
        }
      }
      if (strategy != Imputation.MOST_FREQUENT) {
        throw new IllegalArgumentException("Imputer: " + strategy + " needs a numeric column; '" + name
            + "' is categorical (use MOST_FREQUENT or a constant)");
      }
      TreeMap<String, Integer> counts = new TreeMap<>();
      for (String v : col.strings()) {
        if (v != null) {
          counts.merge(v, 1, Integer::sum);
        }
      }
      if (counts.isEmpty()) {
        throw new IllegalArgumentException("Imputer: column '" + name + "' has no values; impute a constant instead");
      }
      return mostFrequent(counts);
    }

    /** The key with the highest count; the smallest key among ties (the map iterates in ascending order). */
    private static <K> K mostFrequent(TreeMap<K, Integer> counts) {
      K best = counts.firstKey();
      for (Map.Entry<K, Integer> e : counts.entrySet()) {
        if (e.getValue() > Objects.requireNonNull(counts.get(best))) {
          best = e.getKey();
        }
      }
      return best;
    }
  }

  /** Replaces missing values by a per-column fill value. */
  static final class Imputer extends FittedStep {
    final Map<String, Object> fills;

    Imputer(Map<String, Object> fills) {
      this.fills = new LinkedHashMap<>(fills);
      fills.forEach((k, v) -> {
        if (v instanceof Double && !Double.isFinite((Double) v)) {
          throw new IllegalArgumentException("Imputer: the fill value of '" + k + "' must be finite");
        }
      });
    }

    @Override
    public Frame transform(Frame input) {
      Map<String, Column> out = new HashMap<>();
      for (Map.Entry<String, Object> e : fills.entrySet()) {
        if (!input.has(e.getKey())) {
          throw new IllegalArgumentException("Imputer: no column '" + e.getKey() + "'; the input has " + input.names());
        }
        Column c = input.column(e.getKey());
        if (e.getValue() instanceof Double) {
          require(input, List.of(e.getKey()), Kind.NUMERIC, "Imputer");
          double fill = (Double) e.getValue();
          double[] x = c.numbers().clone();
          for (int i = 0; i < x.length; i++) {
            if (Double.isNaN(x[i])) {
              x[i] = fill;
            }
          }
          out.put(e.getKey(), Column.numeric(x));
        } else {
          require(input, List.of(e.getKey()), Kind.CATEGORICAL, "Imputer");
          String fill = (String) e.getValue();
          @Nullable String[] x = c.strings().clone();
          for (int i = 0; i < x.length; i++) {
            if (x[i] == null) {
              x[i] = fill;
            }
          }
          out.put(e.getKey(), Column.categorical(x));
        }
      }
      return replace(input, out);
    }

    @Override
    Map<String, Object> toJson() {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("type", "imputer");
      o.put("fill", fills);
      return o;
    }

    @Override
    Set<String> imputedColumns() {
      return fills.keySet();
    }
  }

  // ------------------------------------------------------------------ encoders

  private static List<List<String>> categories(Frame data, List<String> cols, String step) {
    List<List<String>> out = new ArrayList<>();
    for (String c : cols) {
      TreeSet<String> seen = new TreeSet<>();
      for (String v : data.column(c).strings()) {
        if (v == null) {
          throw new IllegalArgumentException(step + ": column '" + c + "' has missing values; impute them first");
        }
        seen.add(v);
      }
      out.add(List.copyOf(seen));
    }
    return out;
  }

  record OneHotSpec(List<String> columns, UnknownCategory unknown) implements Step {
    @Override
    public FittedStep fit(Frame data) {
      List<String> cols = resolve(data, columns, Kind.CATEGORICAL, "OneHotEncoder");
      return new OneHot(cols, categories(data, cols, "OneHotEncoder"), unknown == UnknownCategory.IGNORE);
    }
  }

  /** One 0/1 column per category, named {@code column_category}, in the column's place. */
  static final class OneHot extends FittedStep {
    final List<String> columns;
    final List<List<String>> categories;
    final boolean ignoreUnknown;
    private final List<Map<String, Integer>> index = new ArrayList<>();

    OneHot(List<String> columns, List<List<String>> categories, boolean ignoreUnknown) {
      this.columns = List.copyOf(columns);
      this.categories = List.copyOf(categories);
      this.ignoreUnknown = ignoreUnknown;
      if (categories.size() != columns.size()) {
        throw new IllegalArgumentException("OneHotEncoder: one category list per column");
      }
      for (List<String> cats : categories) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < cats.size(); i++) {
          m.put(cats.get(i), i);
        }
        index.add(m);
      }
    }

    @Override
    public Frame transform(Frame input) {
      require(input, columns, Kind.CATEGORICAL, "OneHotEncoder");
      Frame.Builder b = Frame.builder();
      for (Map.Entry<String, Column> e : input.columns().entrySet()) {
        int j = columns.indexOf(e.getKey());
        if (j < 0) {
          b.column(e.getKey(), e.getValue());
          continue;
        }
        @Nullable String[] x = e.getValue().strings();
        List<String> cats = categories.get(j);
        double[][] out = new double[cats.size()][x.length];
        for (int i = 0; i < x.length; i++) {
          Integer k = x[i] == null ? null : index.get(j).get(x[i]);
          if (k != null) {
            out[k][i] = 1;
          } else if (!ignoreUnknown) {
            throw new IllegalArgumentException("Unknown category " + (x[i] == null ? "null" : "'" + x[i] + "'")
                + " in column '" + e.getKey() + "'; known: " + cats);
          }
        }
        for (int k = 0; k < cats.size(); k++) {
          b.column(e.getKey() + "_" + cats.get(k), Column.numeric(out[k]));
        }
      }
      return b.build(input.rows());
    }

    @Override
    Map<String, Object> toJson() {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("type", "one_hot_encoder");
      o.put("columns", columns);
      o.put("categories", categories);
      o.put("handle_unknown", ignoreUnknown ? "ignore" : "error");
      return o;
    }

    @Override
    Set<String> imputedColumns() {
      return Set.of();
    }
  }

  record OrdinalSpec(List<String> columns, UnknownCategory unknown, double unknownValue) implements Step {
    @Override
    public FittedStep fit(Frame data) {
      List<String> cols = resolve(data, columns, Kind.CATEGORICAL, "OrdinalEncoder");
      return new Ordinal(cols, categories(data, cols, "OrdinalEncoder"),
          unknown == UnknownCategory.IGNORE ? unknownValue : null);
    }
  }

  /** The index of each category in the sorted categories. */
  static final class Ordinal extends FittedStep {
    final List<String> columns;
    final List<List<String>> categories;
    final @Nullable Double unknownValue;

    Ordinal(List<String> columns, List<List<String>> categories, @Nullable Double unknownValue) {
      this.columns = List.copyOf(columns);
      this.categories = List.copyOf(categories);
      this.unknownValue = unknownValue;
      if (categories.size() != columns.size()) {
        throw new IllegalArgumentException("OrdinalEncoder: one category list per column");
      }
    }

    @Override
    public Frame transform(Frame input) {
      require(input, columns, Kind.CATEGORICAL, "OrdinalEncoder");
      Map<String, Column> out = new HashMap<>();
      for (int j = 0; j < columns.size(); j++) {
        @Nullable String[] x = input.column(columns.get(j)).strings();
        List<String> cats = categories.get(j);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
          int k = x[i] == null ? -1 : java.util.Collections.binarySearch(cats, x[i]);
          if (k >= 0) {
            y[i] = k;
          } else if (unknownValue != null) {
            y[i] = unknownValue;
          } else {
            throw new IllegalArgumentException("Unknown category " + (x[i] == null ? "null" : "'" + x[i] + "'")
                + " in column '" + columns.get(j) + "'; known: " + cats);
          }
        }
        out.put(columns.get(j), Column.numeric(y));
      }
      return replace(input, out);
    }

    @Override
    Map<String, Object> toJson() {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("type", "ordinal_encoder");
      o.put("columns", columns);
      o.put("categories", categories);
      o.put("handle_unknown", unknownValue == null ? "error" : "use_encoded_value");
      if (unknownValue != null) {
        o.put("unknown_value", unknownValue);
      }
      return o;
    }

    @Override
    Set<String> imputedColumns() {
      return Set.of();
    }
  }

  // ------------------------------------------------------------------ selection and composition

  record SelectSpec(List<String> columns) implements Step {
    @Override
    public FittedStep fit(Frame data) {
      Select s = new Select(columns);
      s.transform(data);
      return s;
    }
  }

  /** Exactly these columns, in this order. */
  static final class Select extends FittedStep {
    final List<String> columns;

    Select(List<String> columns) {
      this.columns = List.copyOf(columns);
    }

    @Override
    public Frame transform(Frame input) {
      Frame.Builder b = Frame.builder();
      for (String c : columns) {
        if (!input.has(c)) {
          throw new IllegalArgumentException("Select: no column '" + c + "'; the input has " + input.names());
        }
        b.column(c, input.column(c));
      }
      return b.build(input.rows());
    }

    @Override
    Map<String, Object> toJson() {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("type", "select");
      o.put("columns", columns);
      return o;
    }

    @Override
    Set<String> imputedColumns() {
      return Set.of();
    }
  }

  record PipelineSpec(List<Step> steps) implements Step {
    @Override
    public FittedStep fit(Frame data) {
      List<FittedStep> fitted = new ArrayList<>();
      Frame current = data;
      for (Step s : steps) {
        FittedStep f = s.fit(current);
        current = f.transform(current);
        fitted.add(f);
      }
      return new Pipeline(fitted);
    }
  }

  /** Fitted steps applied in order. */
  static final class Pipeline extends FittedStep {
    final List<FittedStep> steps;

    Pipeline(List<FittedStep> steps) {
      this.steps = List.copyOf(steps);
    }

    @Override
    public Frame transform(Frame input) {
      Frame current = input;
      for (FittedStep s : steps) {
        current = s.transform(current);
      }
      return current;
    }

    @Override
    Map<String, Object> toJson() {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("type", "pipeline");
      List<Object> list = new ArrayList<>();
      for (FittedStep s : steps) {
        list.add(s.toJson());
      }
      o.put("steps", list);
      return o;
    }

    @Override
    Set<String> imputedColumns() {
      Set<String> out = new HashSet<>();
      for (FittedStep s : steps) {
        out.addAll(s.imputedColumns());
      }
      return out;
    }
  }

  record Part(Step step, List<String> columns) {}

  record ColumnTransformerSpec(List<Part> parts, boolean passthrough) implements Step {
    @Override
    public FittedStep fit(Frame data) {
      List<FittedPart> fitted = new ArrayList<>();
      Set<String> used = new HashSet<>();
      for (Part p : parts) {
        Frame slice = new Select(p.columns()).transform(data);
        fitted.add(new FittedPart(p.step().fit(slice), p.columns()));
        used.addAll(p.columns());
      }
      List<String> remainder = new ArrayList<>();
      if (passthrough) {
        for (String n : data.names()) {
          if (!used.contains(n)) {
            remainder.add(n);
          }
        }
      }
      return new ColumnTransformer(fitted, remainder);
    }
  }

  record FittedPart(FittedStep step, List<String> columns) {}

  /** Each part on its own columns, outputs concatenated in part order, then the passed-through remainder. */
  static final class ColumnTransformer extends FittedStep {
    final List<FittedPart> parts;
    final List<String> remainder;

    ColumnTransformer(List<FittedPart> parts, List<String> remainder) {
      this.parts = List.copyOf(parts);
      this.remainder = List.copyOf(remainder);
    }

    @Override
    public Frame transform(Frame input) {
      Frame.Builder b = Frame.builder();
      Set<String> names = new HashSet<>();
      for (FittedPart p : parts) {
        Frame out = p.step().transform(new Select(p.columns()).transform(input));
        for (Map.Entry<String, Column> e : out.columns().entrySet()) {
          if (!names.add(e.getKey())) {
            throw new IllegalArgumentException("Column transformer: two parts produce column '" + e.getKey() + "'");
          }
          b.column(e.getKey(), e.getValue());
        }
      }
      for (String r : remainder) {
        if (!input.has(r)) {
          throw new IllegalArgumentException("Column transformer: no column '" + r + "'; the input has " + input.names());
        }
        if (!names.add(r)) {
          throw new IllegalArgumentException("Column transformer: the remainder column '" + r + "' clashes with an output");
        }
        b.column(r, input.column(r));
      }
      return b.build(input.rows());
    }

    @Override
    Map<String, Object> toJson() {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("type", "column_transformer");
      List<Object> list = new ArrayList<>();
      for (FittedPart p : parts) {
        Map<String, Object> part = new LinkedHashMap<>();
        part.put("columns", p.columns());
        part.put("step", p.step().toJson());
        list.add(part);
      }
      o.put("parts", list);
      o.put("remainder", remainder);
      return o;
    }

    @Override
    Set<String> imputedColumns() {
      Set<String> out = new HashSet<>();
      for (FittedPart p : parts) {
        out.addAll(p.step().imputedColumns());
      }
      return out;
    }
  }
}
