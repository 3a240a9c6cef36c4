package io.modelreg.inference.preprocess;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Factories for preprocessing steps, each defined as scikit-learn defines the transformer of the same
 * name. Fit a whole preprocessor with {@link Preprocessor#fit}:
 *
 * <pre>{@code
 * Step step = Preprocessing.pipeline(
 *     Preprocessing.imputer(Imputation.MEDIAN, "age"),
 *     Preprocessing.columns()
 *         .add(Preprocessing.standardScaler(), "age", "income")
 *         .add(Preprocessing.oneHot(UnknownCategory.IGNORE), "plan")
 *         .dropRemainder());
 * Preprocessor p = Preprocessor.fit(step, trainingFrame);
 * }</pre>
 */
public final class Preprocessing {
  private Preprocessing() {}

  /** What an encoder does with a category it did not see when fitting. */
  public enum UnknownCategory {
    /** Fail with an error naming the column, the value and the known categories (sklearn's default). */
    ERROR,
    /** Encode as all zeros (one-hot) or the configured unknown value (ordinal). */
    IGNORE
  }

  /** How an imputer computes the fill value. */
  public enum Imputation {
    /** Mean of the non-missing values (numeric columns). */
    MEAN,
    /** Median of the non-missing values; the mean of the two middle values for an even count. */
    MEDIAN,
    /** The most frequent non-missing value; among ties the smallest (sklearn's rule). */
    MOST_FREQUENT
  }

  private static List<String> names(String... columns) {
    Set<String> unique = new LinkedHashSet<>(Arrays.asList(columns));
    if (unique.size() != columns.length) {
      throw new IllegalArgumentException("A column is named twice in " + Arrays.toString(columns));
    }
    return List.copyOf(unique);
  }

  /**
   * Standard scaling, {@code z = (x - mean) / std}, with the population standard deviation (ddof = 0)
   * computed over non-missing values. A column with zero variance is scaled by 1. Missing values (NaN)
   * stay NaN. No columns means every numeric column.
   */
  public static Step standardScaler(String... columns) {
    return standardScaler(true, true, columns);
  }

  /** Standard scaling with sklearn's {@code with_mean} and {@code with_std} switches. */
  public static Step standardScaler(boolean withMean, boolean withStd, String... columns) {
    return new FittedSteps.StandardScalerSpec(names(columns), withMean, withStd);
  }

  /**
   * Min-max scaling to {@code [0, 1]}: {@code x' = (x - min) / (max - min)}; see {@link #minMaxScaler(double,
   * double, String...)}.
   */
  public static Step minMaxScaler(String... columns) {
    return minMaxScaler(0, 1, columns);
  }

  /**
   * Min-max scaling to {@code [low, high]}: {@code scale = (high - low) / (max - min)}, {@code x' = x * scale
   * + low - min * scale}, with min and max over non-missing values. A constant column (range 0) uses range
   * 1, so it maps to {@code low}. Missing values stay NaN. Values outside the fitted range are not clipped.
   */
  public static Step minMaxScaler(double low, double high, String... columns) {
    if (!(low < high)) {
      throw new IllegalArgumentException("The feature range must have low < high, got [" + low + ", " + high + "]");
    }
    return new FittedSteps.MinMaxScalerSpec(names(columns), low, high);
  }

  /**
   * Imputation of missing values (NaN in numeric columns, null in categorical ones) by {@code strategy}.
   * MEAN and MEDIAN need numeric columns; a column with no values at all cannot be fitted.
   */
  public static Step imputer(Imputation strategy, String... columns) {
    return new FittedSteps.ImputerSpec(names(columns), strategy, null, null);
  }

  /** Imputation with a constant number (numeric columns). */
  public static Step imputeConstant(double value, String... columns) {
    return new FittedSteps.ImputerSpec(names(columns), null, value, null);
  }

  /** Imputation with a constant category (categorical columns). */
  public static Step imputeConstant(String value, String... columns) {
    return new FittedSteps.ImputerSpec(names(columns), null, null, value);
  }

  /**
   * One-hot encoding: each categorical column becomes one 0/1 column per category seen when fitting, named
   * {@code column_category}, categories in sorted order, in the column's place. Missing values must be
   * imputed first. No columns means every categorical column.
   */
  public static Step oneHot(UnknownCategory unknown, String... columns) {
    return new FittedSteps.OneHotSpec(names(columns), unknown);
  }

  /**
   * Ordinal encoding: each category becomes its index in the sorted categories seen when fitting. With
   * {@link UnknownCategory#IGNORE} an unseen category becomes {@code unknownValue} (sklearn's {@code
   * use_encoded_value}).
   */
  public static Step ordinal(UnknownCategory unknown, double unknownValue, String... columns) {
    return new FittedSteps.OrdinalSpec(names(columns), unknown, unknownValue);
  }

  /** Keeps exactly these columns, in this order. */
  public static Step select(String... columns) {
    if (columns.length == 0) {
      throw new IllegalArgumentException("select needs at least one column");
    }
    return new FittedSteps.SelectSpec(names(columns));
  }

  /** Steps applied one after another, each fitted on the output of the previous one. */
  public static Step pipeline(Step... steps) {
    if (steps.length == 0) {
      throw new IllegalArgumentException("A pipeline needs at least one step");
    }
    return new FittedSteps.PipelineSpec(List.of(steps));
  }

  /** A per-column transformer (sklearn's {@code ColumnTransformer}); add steps, then choose the remainder. */
  public static ColumnsBuilder columns() {
    return new ColumnsBuilder();
  }

  /** Builds a per-column transformer. */
  public static final class ColumnsBuilder {
    private final List<FittedSteps.Part> parts = new ArrayList<>();

    private ColumnsBuilder() {}

    /**
     * Applies {@code step} to {@code columns} only; outputs are concatenated in the order parts are added.
     */
    public ColumnsBuilder add(Step step, String... columns) {
      if (columns.length == 0) {
        throw new IllegalArgumentException("A column transformer part needs at least one column");
      }
      parts.add(new FittedSteps.Part(step, names(columns)));
      return this;
    }

    /** Columns used by no part are dropped (sklearn's default {@code remainder='drop'}). */
    public Step dropRemainder() {
      return build(false);
    }

    /** Columns used by no part are appended unchanged after the parts' outputs. */
    public Step passRemainder() {
      return build(true);
    }

    private Step build(boolean passthrough) {
      if (parts.isEmpty()) {
        throw new IllegalArgumentException("A column transformer needs at least one part");
      }
      return new FittedSteps.ColumnTransformerSpec(List.copyOf(parts), passthrough);
    }
  }

  /** Checks a fill value or parameter read from a file; for readers. */
  static double finite(String what, @Nullable Double value) {
    if (value == null || !Double.isFinite(value)) {
      throw new IllegalArgumentException(what + " must be a finite number, got " + value);
    }
    return value;
  }
}
