package io.modelreg.inference.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The figures scikit-learn gives for the same inputs (computed by hand below). */
class QualityMetricsTest {
  private static final List<String> LABELS = List.of("no", "yes");

  private static Map<String, Float> p(float yes) {
    return Map.of("no", 1 - yes, "yes", yes);
  }

  @Test
  void binaryAccuracyLogLossAndAuc() {
    List<String> truth = List.of("no", "no", "yes", "yes");
    List<Map<String, Float>> proba = List.of(p(0.1f), p(0.4f), p(0.35f), p(0.8f));
    Map<String, Double> m = QualityMetrics.classification(truth, proba, LABELS);
    // argmax: no, no, no, yes -> 3 of 4
    assertThat(m.get("accuracy")).isEqualTo(0.75);
    // sklearn.metrics.log_loss([0,0,1,1], [.1,.4,.35,.8]) = -(ln .9 + ln .6 + ln .35 + ln .8) / 4 = 0.47228
    assertThat(m.get("log_loss")).isCloseTo(-(Math.log(0.9) + Math.log(0.6) + Math.log(0.35) + Math.log(0.8)) / 4, within(1e-6));
    // sklearn.metrics.roc_auc_score([0,0,1,1], [.1,.4,.35,.8]) = 0.75
    assertThat(m.get("auc")).isCloseTo(0.75, within(1e-12));
  }

  @Test
  void aucCountsTiesAsHalfAndIsLeftOutWithOneClass() {
    assertThat(QualityMetrics.auc(new double[] {0.5, 0.5, 0.5, 0.9}, new boolean[] {false, true, false, true}))
        .isCloseTo(0.75, within(1e-12));
    Map<String, Double> oneClass = QualityMetrics.classification(List.of("yes", "yes"), List.of(p(0.9f), p(0.2f)), LABELS);
    assertThat(oneClass).containsOnlyKeys("accuracy", "log_loss");
  }

  @Test
  void numericLabelsMatchTheModelsLabelText() {
    Map<String, Double> m = QualityMetrics.classification(List.of(0.0, 1.0), List.of(Map.of("0", 0.9f, "1", 0.1f),
        Map.of("0", 0.2f, "1", 0.8f)), List.of("0", "1"));
    assertThat(m.get("accuracy")).isEqualTo(1.0);
    assertThat(m.get("auc")).isEqualTo(1.0);
  }

  @Test
  void aCertainWrongAnswerIsClippedNotInfinite() {
    Map<String, Double> m = QualityMetrics.classification(List.of("yes"), List.of(p(0f)), LABELS);
    assertThat(m.get("log_loss")).isCloseTo(-Math.log(1e-15), within(1e-9));
  }

  @Test
  void unknownLabelsAreNamedWithTheModelsLabels() {
    assertThatThrownBy(() -> QualityMetrics.classification(List.of("maybe", "no", "perhaps"),
        List.of(p(0.1f), p(0.1f), p(0.1f)), LABELS)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("The label column holds [maybe, perhaps], which the model does not know; its labels are [no, yes]");
    assertThatThrownBy(() -> QualityMetrics.classification(List.of("no"), List.of(), LABELS))
        .hasMessageContaining("1 labels, 0 predictions");
  }

  @Test
  void regressionRmseAndMae() {
    Map<String, Double> m = QualityMetrics.regression(List.of(1.0, 2.0, 3.0, 4.0), new double[] {1.5, 2.0, 2.0, 6.0});
    // errors .5, 0, -1, 2: squared 0.25 + 0 + 1 + 4 = 5.25 / 4; absolute 3.5 / 4
    assertThat(m.get("rmse")).isCloseTo(Math.sqrt(5.25 / 4), within(1e-12));
    assertThat(m.get("mae")).isCloseTo(0.875, within(1e-12));
    assertThatThrownBy(() -> QualityMetrics.regression(List.of("high"), new double[] {1}))
        .hasMessageContaining("Row 1 has the label 'high'; a regressor's label column must hold numbers");
  }
}
