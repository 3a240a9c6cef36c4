package io.modelreg.examples;

import io.modelreg.inference.ModelBundle;
import io.modelreg.inference.preprocess.Frame;
import io.modelreg.inference.preprocess.Preprocessing;
import io.modelreg.inference.preprocess.Preprocessor;
import io.modelreg.inference.preprocess.Step;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.datasource.ListDataSource;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Trains a churn classifier: fits a preprocessor on the chosen columns, trains Tribuo's logistic
 * regression on its features, exports ONNX, and makes a {@link ModelBundle} of it.
 */
public final class ChurnTrainer {
  private ChurnTrainer() {}

  /** A trained model with its held-out accuracy. */
  public record Result(ModelBundle bundle, double accuracy, List<Double> foldAccuracy, Map<String, String> params) {}

  /**
   * Trains on {@code train} using {@code columns}, evaluates on {@code test} (overall and on three folds,
   * which become repeated measurements for comparisons).
   */
  public static Result train(List<Map<String, Object>> train, List<Map<String, Object>> test, List<String> columns)
      throws IOException {
    List<String> numeric = new ArrayList<>();
    for (String c : columns) {
      if (!c.equals("plan")) {
        numeric.add(c);
      }
    }
    List<Step> steps = new ArrayList<>();
    if (columns.contains("age")) {
      steps.add(Preprocessing.imputer(Preprocessing.Imputation.MEDIAN, "age"));
    }
    Preprocessing.ColumnsBuilder parts = Preprocessing.columns().add(Preprocessing.standardScaler(), numeric.toArray(new String[0]));
    if (columns.contains("plan")) {
      parts.add(Preprocessing.oneHot(Preprocessing.UnknownCategory.IGNORE), "plan");
    }
    steps.add(parts.dropRemainder());
    List<Map<String, Object>> trainX = ChurnDataset.features(train, columns);
    Preprocessor pre = Preprocessor.fit(Preprocessing.pipeline(steps.toArray(new Step[0])), Frame.ofRows(trainX));

    LabelFactory factory = new LabelFactory();
    List<Example<Label>> examples = new ArrayList<>();
    float[] x = pre.transformRows(trainX);
    int width = pre.featureNames().size();
    String[] names = pre.featureNames().toArray(new String[0]);
    for (int i = 0; i < train.size(); i++) {
      double[] values = new double[width];
      for (int j = 0; j < width; j++) {
        values[j] = x[i * width + j];
      }
      examples.add(new ArrayExample<>(new Label(String.valueOf(train.get(i).get(ChurnDataset.LABEL))), names, values));
    }
    LogisticRegressionTrainer trainer = new LogisticRegressionTrainer();
    LinearSGDModel model = (LinearSGDModel) trainer.train(new MutableDataset<>(
        new ListDataSource<>(examples, factory, new SimpleDataSourceProvenance("synthetic churn", factory))));

    List<Map<String, Object>> testX = ChurnDataset.features(test, columns);
    float[] tx = pre.transformRows(testX);
    int folds = 3;
    int[] correct = new int[folds];
    int[] total = new int[folds];
    for (int i = 0; i < test.size(); i++) {
      double[] values = new double[width];
      for (int j = 0; j < width; j++) {
        values[j] = tx[i * width + j];
      }
      String predicted = model.predict(new ArrayExample<>(new Label("?"), names, values)).getOutput().getLabel();
      total[i % folds]++;
      if (predicted.equals(test.get(i).get(ChurnDataset.LABEL))) {
        correct[i % folds]++;
      }
    }
    List<Double> foldAccuracy = new ArrayList<>();
    int allCorrect = 0;
    for (int f = 0; f < folds; f++) {
      foldAccuracy.add((double) correct[f] / total[f]);
      allCorrect += correct[f];
    }

    Path onnx = Files.createTempFile("churn", ".onnx");
    try {
      model.saveONNXModel("io.modelreg.examples", 1, onnx);
      List<String> order = new ArrayList<>();
      for (int i = 0; i < model.getFeatureIDMap().size(); i++) {
        order.add(model.getFeatureIDMap().get(i).getName());
      }
      List<String> labels = new ArrayList<>();
      for (int i = 0; i < model.getOutputIDInfo().size(); i++) {
        labels.add(model.getOutputIDInfo().getOutput(i).getLabel());
      }
      ModelBundle bundle = ModelBundle.builder().onnx(onnx).preprocessor(pre).featureOrder(order).labels(labels)
          .inputExample(testX.subList(0, 2)).build();
      return new Result(bundle, (double) allCorrect / test.size(), foldAccuracy,
          Map.of("columns", String.join(",", columns), "algorithm", "tribuo-logistic-regression"));
    } finally {
      Files.deleteIfExists(onnx);
    }
  }
}
