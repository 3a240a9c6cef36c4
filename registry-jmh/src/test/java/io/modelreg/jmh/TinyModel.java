package io.modelreg.jmh;

import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.inference.ModelBundle;
import io.modelreg.inference.preprocess.Frame;
import io.modelreg.inference.preprocess.Preprocessing;
import io.modelreg.inference.preprocess.Preprocessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.datasource.ListDataSource;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/** A two-feature logistic regression trained by Tribuo, exported to ONNX and registered as a bundle; and its rows. */
final class TinyModel {
  private TinyModel() {}

  static List<Map<String, Object>> rows(int n, long seed) {
    Random r = new Random(seed);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("x1", r.nextGaussian());
      row.put("x2", r.nextGaussian() * 3);
      rows.add(row);
    }
    return rows;
  }

  static String label(Map<String, Object> row) {
    return (Double) row.get("x1") + (Double) row.get("x2") / 3 > 0 ? "pos" : "neg";
  }

  static ModelVersion register(ModelRegistry registry, Path work) throws Exception {
    List<Map<String, Object>> rows = rows(300, 1);
    Preprocessor pre = Preprocessor.fit(Preprocessing.columns().add(Preprocessing.standardScaler(), "x1", "x2")
        .dropRemainder(), Frame.ofRows(rows));
    String[] names = pre.featureNames().toArray(new String[0]);
    List<Example<Label>> examples = new ArrayList<>();
    for (Map<String, Object> row : rows) {
      float[] f = pre.transform(row);
      examples.add(new ArrayExample<>(new Label(label(row)), names, new double[] {f[0], f[1]}));
    }
    LabelFactory factory = new LabelFactory();
    LinearSGDModel model = (LinearSGDModel) new LogisticRegressionTrainer().train(new MutableDataset<>(
        new ListDataSource<>(examples, factory, new SimpleDataSourceProvenance("tiny", factory))));
    List<String> order = new ArrayList<>();
    for (int i = 0; i < model.getFeatureIDMap().size(); i++) {
      order.add(model.getFeatureIDMap().get(i).getName());
    }
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < model.getOutputIDInfo().size(); i++) {
      labels.add(model.getOutputIDInfo().getOutput(i).getLabel());
    }
    Path onnx = Files.createDirectories(work).resolve("model.onnx");
    model.saveONNXModel("io.modelreg.jmh.test", 1, onnx);
    return ModelBundle.builder().onnx(onnx).preprocessor(pre).featureOrder(order).labels(labels).build()
        .register(registry, "tiny", Registration.builder());
  }

  /** Rows as CSV with a label column, for the harness to read. */
  static Path csv(Path file, int n) throws Exception {
    StringBuilder s = new StringBuilder("x1,x2,y\n");
    for (Map<String, Object> row : rows(n, 2)) {
      s.append(row.get("x1")).append(',').append(row.get("x2")).append(',').append(label(row)).append('\n');
    }
    return Files.writeString(file, s);
  }
}
