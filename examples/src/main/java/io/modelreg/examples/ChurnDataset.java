package io.modelreg.examples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A synthetic customer-churn data set generated in code, so the examples need no download: age (sometimes
 * missing), monthly income, tenure in months, plan, support tickets, and whether the customer left.
 */
public final class ChurnDataset {
  /** The label column. */
  public static final String LABEL = "churned";
  private static final String[] PLANS = {"basic", "pro", "enterprise"};

  private ChurnDataset() {}

  /** {@code n} labelled rows; the same seed gives the same rows. */
  public static List<Map<String, Object>> generate(int n, long seed) {
    Random r = new Random(seed);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Object> row = new LinkedHashMap<>();
      double age = 18 + r.nextInt(55);
      double income = 1500 + r.nextDouble() * 8500;
      double tenure = r.nextInt(72);
      double tickets = r.nextInt(8);
      String plan = PLANS[r.nextInt(PLANS.length)];
      row.put("age", r.nextInt(12) == 0 ? null : age);
      row.put("income", income);
      row.put("tenure", tenure);
      row.put("tickets", tickets);
      row.put("plan", plan);
      double z = 1.2 - 0.07 * tenure + 0.55 * tickets - 0.015 * (age - 40) - 0.0001 * (income - 5000)
          + ("basic".equals(plan) ? 0.9 : "enterprise".equals(plan) ? -0.9 : 0) + 0.6 * r.nextGaussian();
      row.put(LABEL, z > 0 ? "yes" : "no");
      rows.add(row);
    }
    return rows;
  }

  /** The rows without the label and without the columns not in {@code keep}. */
  public static List<Map<String, Object>> features(List<Map<String, Object>> rows, List<String> keep) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> row : rows) {
      Map<String, Object> f = new LinkedHashMap<>();
      for (String k : keep) {
        f.put(k, row.get(k));
      }
      out.add(f);
    }
    return out;
  }
}
