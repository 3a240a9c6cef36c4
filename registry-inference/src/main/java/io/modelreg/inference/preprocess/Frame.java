package io.modelreg.inference.preprocess;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An immutable table of named columns, each numeric ({@code double}, NaN = missing) or categorical
 * ({@code String}, null = missing). Preprocessors are fitted on frames and transform frames.
 */
public final class Frame {
  /** The kind of a column. */
  public enum Kind {
    NUMERIC,
    CATEGORICAL
  }

  /** One column: exactly one of {@code numbers} and {@code strings} is set. */
  static final class Column {
    final Kind kind;
    final double @Nullable [] numbers;
    final @Nullable String @Nullable [] strings;

    private Column(Kind kind, double @Nullable [] numbers, @Nullable String @Nullable [] strings) {
      this.kind = kind;
      this.numbers = numbers;
      this.strings = strings;
    }

    static Column numeric(double[] values) {
      return new Column(Kind.NUMERIC, values, null);
    }

    static Column categorical(@Nullable String[] values) {
      return new Column(Kind.CATEGORICAL, null, values);
    }

    double[] numbers() {
      return Objects.requireNonNull(numbers);
    }

    @Nullable String[] strings() {
      return Objects.requireNonNull(strings);
    }

    int size() {
      return numbers != null ? numbers.length : strings().length;
    }
  }

  private final Map<String, Column> columns;
  private final int rows;

  Frame(Map<String, Column> columns, int rows) {
    this.columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
    this.rows = rows;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A frame from rows of named values: numbers make numeric columns, strings categorical ones; null is
   * missing. Every row must have the same columns, and a column must not mix numbers and strings.
   */
  public static Frame ofRows(List<? extends Map<String, ?>> rows) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("Cannot build a frame from no rows");
    }
    Builder b = builder();
    for (String name : rows.get(0).keySet()) {
      Kind kind = null;
      for (Map<String, ?> row : rows) {
        if (!row.containsKey(name) || row.size() != rows.get(0).size()) {
          throw new IllegalArgumentException("Every row must have the same columns; a row lacks '" + name + "' or has others");
        }
        Object v = row.get(name);
        Kind k = v == null ? null : v instanceof Number ? Kind.NUMERIC : Kind.CATEGORICAL;
        if (k != null && kind != null && k != kind) {
          throw new IllegalArgumentException("Column '" + name + "' mixes numbers and strings");
        }
        if (k != null) {
          kind = k;
        }
      }
      if (kind == Kind.CATEGORICAL) {
        @Nullable String[] values = new @Nullable String[rows.size()];
        for (int i = 0; i < values.length; i++) {
          Object v = rows.get(i).get(name);
          values[i] = v == null ? null : v.toString();
        }
        b.categorical(name, values);
      } else {
        double[] values = new double[rows.size()];
        for (int i = 0; i < values.length; i++) {
          Object v = rows.get(i).get(name);
          values[i] = v == null ? Double.NaN : ((Number) v).doubleValue();
        }
        b.numeric(name, values);
      }
    }
    return b.build();
  }

  public int rows() {
    return rows;
  }

  /** Column names in order. */
  public List<String> names() {
    return new ArrayList<>(columns.keySet());
  }

  public Kind kind(String name) {
    return column(name).kind;
  }

  /** A copy of a numeric column. */
  public double[] numeric(String name) {
    Column c = column(name);
    if (c.kind != Kind.NUMERIC) {
      throw new IllegalArgumentException("Column '" + name + "' is categorical, not numeric");
    }
    return c.numbers().clone();
  }

  /** A copy of a categorical column. */
  public @Nullable String[] categorical(String name) {
    Column c = column(name);
    if (c.kind != Kind.CATEGORICAL) {
      throw new IllegalArgumentException("Column '" + name + "' is numeric, not categorical");
    }
    return c.strings().clone();
  }

  Column column(String name) {
    Column c = columns.get(name);
    if (c == null) {
      throw new IllegalArgumentException("No column '" + name + "'; the frame has " + columns.keySet());
    }
    return c;
  }

  boolean has(String name) {
    return columns.containsKey(name);
  }

  Map<String, Column> columns() {
    return columns;
  }

  /** Builder for {@link Frame}. */
  public static final class Builder {
    private final Map<String, Column> columns = new LinkedHashMap<>();
    private int rows = -1;

    private Builder() {}

    private Builder add(String name, Column column) {
      if (name.isEmpty()) {
        throw new IllegalArgumentException("Column names must not be empty");
      }
      if (columns.containsKey(name)) {
        throw new IllegalArgumentException("Column '" + name + "' is given twice");
      }
      if (rows >= 0 && column.size() != rows) {
        throw new IllegalArgumentException("Column '" + name + "' has " + column.size() + " rows, the others " + rows);
      }
      rows = column.size();
      columns.put(name, column);
      return this;
    }

    public Builder numeric(String name, double... values) {
      return add(name, Column.numeric(values.clone()));
    }

    public Builder categorical(String name, @Nullable String... values) {
      return add(name, Column.categorical(values.clone()));
    }

    Builder column(String name, Column column) {
      return add(name, column);
    }

    /** Builds the frame; a frame without columns has zero rows unless set otherwise. */
    public Frame build() {
      return new Frame(columns, Math.max(rows, 0));
    }

    Frame build(int rowCount) {
      return new Frame(columns, columns.isEmpty() ? rowCount : rows);
    }
  }
}
