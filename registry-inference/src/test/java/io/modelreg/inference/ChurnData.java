package io.modelreg.inference;

import io.modelreg.inference.preprocess.Frame;
import io.modelreg.inference.preprocess.Preprocessing;
import io.modelreg.inference.preprocess.Preprocessor;
import io.modelreg.inference.preprocess.Step;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.datasource.ListDataSource;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * A synthetic churn data set made by the tests (no downloads): age (sometimes missing), income, tenure and
 * plan, with a churn label from a noisy logistic rule. Trains Tribuo's logistic regression on the
 * preprocessed features and exports it to ONNX.
 */
final class ChurnData {
  static final String[] PLANS = {"basic", "pro", "enterprise"};

  private ChurnData() {}

  static List<Map<String, Object>> rows(int n, long seed) {
    Random r = new Random(seed);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Object> row = new java.util.LinkedHashMap<>();
      double age = 20 + r.nextInt(50);
      row.put("age", r.nextInt(10) == 0 ? null : age);
      row.put("income", 20_000 + r.nextDouble() * 80_000);
      row.put("tenure", (double) r.nextInt(60));
      row.put("plan", PLANS[r.nextInt(PLANS.length)]);
      rows.add(row);
    }
    return rows;
  }

  static String label(Map<String, Object> row, Random noise) {
    Object a = row.get("age");
    double age = a == null ? 45 : (Double) a;
    double tenure = (Double) java.util.Objects.requireNonNull(row.get("tenure"));
    double income = (Double) java.util.Objects.requireNonNull(row.get("income"));
    double z = 2.5 - 0.06 * tenure - 0.02 * (age - 45) - 0.00002 * (income - 60_000)
        + ("basic".equals(row.get("plan")) ? 0.8 : "enterprise".equals(row.get("plan")) ? -0.8 : 0) + noise.nextGaussian() * 0.3;
    return z > 0 ? "churn" : "stay";
  }

  static Step preprocessing() {
    return Preprocessing.pipeline(
        Preprocessing.imputer(Preprocessing.Imputation.MEDIAN, "age"),
        Preprocessing.columns()
            .add(Preprocessing.standardScaler(), "age", "income", "tenure")
            .add(Preprocessing.oneHot(Preprocessing.UnknownCategory.ERROR), "plan")
            .dropRemainder());
  }

  /** A trained model with what a bundle needs. */
  record Trained(LinearSGDModel model, Preprocessor preprocessor, List<String> featureOrder, List<String> labels,
      List<Map<String, Object>> rows) {
    /** Tribuo's probabilities for one raw row, by label. */
    Map<String, Double> tribuoProba(Map<String, ?> row) {
      Prediction<Label> p = model.predict(example(preprocessor, row, "churn"));
      Map<String, Double> out = new HashMap<>();
      p.getOutputScores().forEach((k, v) -> out.put(k, v.getScore()));
      return out;
    }

    void saveOnnx(Path file) throws IOException {
      model.saveONNXModel("io.modelreg.test", 1, file);
    }
  }

  static Example<Label> example(Preprocessor preprocessor, Map<String, ?> row, String label) {
    float[] features = preprocessor.transform(row);
    List<String> names = preprocessor.featureNames();
    double[] values = new double[features.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = features[i];
    }
    return new ArrayExample<>(new Label(label), names.toArray(new String[0]), values);
  }

  static Trained train(int n, long seed) {
    List<Map<String, Object>> rows = rows(n, seed);
    Preprocessor preprocessor = Preprocessor.fit(preprocessing(), Frame.ofRows(rows));
    Random noise = new Random(seed + 1);
    LabelFactory factory = new LabelFactory();
    List<Example<Label>> examples = new ArrayList<>();
    for (Map<String, Object> row : rows) {
      examples.add(example(preprocessor, row, label(row, noise)));
    }
    MutableDataset<Label> data = new MutableDataset<>(
        new ListDataSource<>(examples, factory, new SimpleDataSourceProvenance("synthetic churn", factory)));
    LinearSGDModel model = (LinearSGDModel) new LogisticRegressionTrainer().train(data);
    List<String> order = new ArrayList<>();
    for (int i = 0; i < model.getFeatureIDMap().size(); i++) {
      order.add(model.getFeatureIDMap().get(i).getName());
    }
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < model.getOutputIDInfo().size(); i++) {
      labels.add(model.getOutputIDInfo().getOutput(i).getLabel());
    }
    return new Trained(model, preprocessor, order, labels, rows);
  }
}
