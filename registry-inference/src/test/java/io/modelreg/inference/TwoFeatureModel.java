package io.modelreg.inference;

import io.modelreg.inference.preprocess.Frame;
import io.modelreg.inference.preprocess.Preprocessor;
import java.util.ArrayList;
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
import org.tribuo.provenance.SimpleDataSourceProvenance;

/** A two-feature classifier on raw features f00 and f01, as a Python user would log without a preprocessor. */
final class TwoFeatureModel {
  private TwoFeatureModel() {}

  static ChurnData.Trained train() {
    Random r = new Random(3);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      rows.add(Map.of("f00", r.nextGaussian(), "f01", r.nextGaussian()));
    }
    Preprocessor identity = Preprocessor.identity(List.of("f00", "f01"));
    LabelFactory factory = new LabelFactory();
    List<Example<Label>> examples = new ArrayList<>();
    for (Map<String, Object> row : rows) {
      double score = (Double) row.get("f00") + 2 * (Double) row.get("f01");
      examples.add(ChurnData.example(identity, row, score > 0 ? "yes" : "no"));
    }
    LinearSGDModel model = (LinearSGDModel) new LogisticRegressionTrainer().train(
        new MutableDataset<>(new ListDataSource<>(examples, factory, new SimpleDataSourceProvenance("two", factory))));
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < model.getOutputIDInfo().size(); i++) {
      labels.add(model.getOutputIDInfo().getOutput(i).getLabel());
    }
    Frame.ofRows(rows);
    return new ChurnData.Trained(model, identity, List.of("f00", "f01"), labels, rows);
  }
}
