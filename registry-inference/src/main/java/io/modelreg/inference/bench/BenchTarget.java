package io.modelreg.inference.bench;

import io.modelreg.ModelVersion;
import io.modelreg.inference.ModelPredictor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One thing a {@link Bench} times: usually a model version loaded in a {@link ModelPredictor}
 * ({@link #of(String, ModelPredictor)}); tests pass their own.
 */
public interface BenchTarget {

  /** How the results name it: the model URI as given, {@code models:/churn/7}. */
  String name();

  /** The version results are recorded on; empty for a model that is not in a registry. */
  Optional<ModelVersion> version();

  /**
   * The rows as this target takes them, computed once before anything is timed; by default the rows as they
   * are. A predictor's target keeps only the columns its model takes, so versions with different feature sets
   * can be benched on one file.
   */
  default List<? extends Map<String, ?>> prepare(List<? extends Map<String, ?>> rows) {
    return rows;
  }

  /**
   * Predicts {@code rows} in one call (one row: the single-row path) and returns the output, which the bench
   * keeps so the work cannot be optimised away.
   */
  Object call(List<? extends Map<String, ?>> rows);

  /**
   * Scores predictions of {@code rows} against {@code labels} (see {@link QualityMetrics}); not timed.
   *
   * @throws IllegalArgumentException when the labels do not fit the model
   */
  Map<String, Double> quality(List<? extends Map<String, ?>> rows, List<?> labels);

  /**
   * A predictor as a target: one row through {@link ModelPredictor#predict(Map)}, several through
   * {@link ModelPredictor#predictBatch}; quality from {@link ModelPredictor#predictProbaBatch} for a model with
   * labels, else from the first output as a regression.
   */
  static BenchTarget of(String name, ModelPredictor predictor) {
    return new BenchTarget() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Optional<ModelVersion> version() {
        return predictor.version();
      }

      @Override
      public List<? extends Map<String, ?>> prepare(List<? extends Map<String, ?>> rows) {
        Set<String> columns = new HashSet<>();
        predictor.inputs().forEach(i -> columns.add(i.name()));
        if (columns.isEmpty()) {
          return rows;
        }
        List<Map<String, ?>> out = new ArrayList<>(rows.size());
        for (Map<String, ?> row : rows) {
          Map<String, @Nullable Object> kept = new LinkedHashMap<>();
          row.forEach((k, v) -> {
            if (columns.contains(k)) {
              kept.put(k, v);
            }
          });
          out.add(Collections.unmodifiableMap(kept));
        }
        return out;
      }

      @Override
      public Object call(List<? extends Map<String, ?>> rows) {
        return rows.size() == 1 ? predictor.predict(rows.get(0)) : predictor.predictBatch(rows);
      }

      @Override
      public Map<String, Double> quality(List<? extends Map<String, ?>> rows, List<?> labels) {
        int chunk = 1024;
        if (!predictor.labels().isEmpty()) {
          List<Map<String, Float>> probabilities = new ArrayList<>();
          for (int i = 0; i < rows.size(); i += chunk) {
            probabilities.addAll(predictor.predictProbaBatch(rows.subList(i, Math.min(rows.size(), i + chunk))));
          }
          return QualityMetrics.classification(labels, probabilities, predictor.labels());
        }
        double[] predicted = new double[rows.size()];
        for (int i = 0; i < rows.size(); i += chunk) {
          float[][] out = predictor.predictBatch(rows.subList(i, Math.min(rows.size(), i + chunk)));
          for (int j = 0; j < out.length; j++) {
            predicted[i + j] = out[j][0];
          }
        }
        return QualityMetrics.regression(labels, predicted);
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }
}
