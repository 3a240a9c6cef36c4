package io.modelreg.inference.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * How good predictions are against true labels, with scikit-learn's definitions so figures match what a data
 * scientist computes in Python.
 *
 * <ul>
 *   <li>{@code accuracy}: the share of rows whose most probable label is the true one (ties: the first label in
 *       model order, as {@code argmax});
 *   <li>{@code log_loss}: the mean of {@code −ln p(true label)}, probabilities clipped to {@code [1e-15, 1 − 1e-15]};
 *   <li>{@code auc}: binary models only (two labels), the area under the ROC curve of the second label's
 *       probability, ties counted half (the Mann–Whitney statistic); with two labels the choice of positive
 *       label does not change it. Left out when the rows hold only one class, where it is undefined;
 *   <li>{@code rmse} and {@code mae} for regressors: root mean squared and mean absolute error of the first output.
 * </ul>
 */
public final class QualityMetrics {
  private static final double EPS = 1e-15;

  private QualityMetrics() {}

  /**
   * Scores a classifier.
   *
   * @param truth the true label of each row: a string, or a number whose text matches a label ({@code 1.0}
   *     matches {@code "1"})
   * @param probabilities per row, the probability of each label, in the model's label order
   * @param labels the model's labels
   * @throws IllegalArgumentException when the sizes differ or a true label is not one of the model's labels
   */
  public static Map<String, Double> classification(List<?> truth, List<Map<String, Float>> probabilities,
      List<String> labels) {
    if (truth.size() != probabilities.size() || truth.isEmpty()) {
      throw new IllegalArgumentException("Need one label per prediction: " + truth.size() + " labels, "
          + probabilities.size() + " predictions");
    }
    List<String> names = new ArrayList<>();
    Set<String> unknown = new TreeSet<>();
    for (Object t : truth) {
      String name = labelText(t);
      if (!labels.contains(name)) {
        unknown.add(name);
      }
      names.add(name);
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("The label column holds " + unknown + ", which the model does not know;"
          + " its labels are " + labels);
    }
    int correct = 0;
    double loss = 0;
    for (int i = 0; i < names.size(); i++) {
      Map<String, Float> p = probabilities.get(i);
      String best = labels.get(0);
      for (String l : labels) {
        if (p.getOrDefault(l, 0f) > p.getOrDefault(best, 0f)) {
          best = l;
        }
      }
      if (best.equals(names.get(i))) {
        correct++;
      }
      double pt = Math.min(1 - EPS, Math.max(EPS, p.getOrDefault(names.get(i), 0f)));
      loss -= Math.log(pt);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("accuracy", (double) correct / names.size());
    out.put("log_loss", loss / names.size());
    if (labels.size() == 2) {
      String positive = labels.get(1);
      double[] scores = new double[names.size()];
      boolean[] isPositive = new boolean[names.size()];
      for (int i = 0; i < scores.length; i++) {
        scores[i] = probabilities.get(i).getOrDefault(positive, 0f);
        isPositive[i] = names.get(i).equals(positive);
      }
      double auc = auc(scores, isPositive);
      if (!Double.isNaN(auc)) {
        out.put("auc", auc);
      }
    }
    return out;
  }

  /**
   * Scores a regressor.
   *
   * @param truth the true value of each row (numbers)
   * @param predicted the predicted value of each row
   * @throws IllegalArgumentException when the sizes differ or a true value is not a number
   */
  public static Map<String, Double> regression(List<?> truth, double[] predicted) {
    if (truth.size() != predicted.length || truth.isEmpty()) {
      throw new IllegalArgumentException("Need one label per prediction: " + truth.size() + " labels, "
          + predicted.length + " predictions");
    }
    double se = 0;
    double ae = 0;
    for (int i = 0; i < predicted.length; i++) {
      if (!(truth.get(i) instanceof Number)) {
        throw new IllegalArgumentException("Row " + (i + 1) + " has the label '" + truth.get(i) + "'; a regressor's"
            + " label column must hold numbers");
      }
      double e = predicted[i] - ((Number) truth.get(i)).doubleValue();
      se += e * e;
      ae += Math.abs(e);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("rmse", Math.sqrt(se / predicted.length));
    out.put("mae", ae / predicted.length);
    return out;
  }

  /** ROC AUC by ranks with ties averaged; NaN when one class is absent. */
  static double auc(double[] scores, boolean[] positive) {
    int n = scores.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> Double.compare(scores[x], scores[y]));
    double positiveRankSum = 0;
    long positives = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double averageRank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        if (positive[order[k]]) {
          positiveRankSum += averageRank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  /** A label as text: integral numbers without ".0". */
  static String labelText(Object label) {
    if (label instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
      return Long.toString(d.longValue());
    }
    return label.toString();
  }
}
