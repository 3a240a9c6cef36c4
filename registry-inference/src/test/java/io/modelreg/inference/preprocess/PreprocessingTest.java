package io.modelreg.inference.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.modelreg.inference.preprocess.Preprocessing.Imputation;
import io.modelreg.inference.preprocess.Preprocessing.UnknownCategory;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Expected values are scikit-learn's definitions applied by hand (the numbers in comments are what
 * sklearn 1.5 prints for the same input).
 */
class PreprocessingTest {
  private static final double NAN = Double.NaN;

  private static double[] fitTransform(Step step, Frame frame, String column) {
    return step.fit(frame).transform(frame).numeric(column);
  }

  @Test
  void standardScalerUsesThePopulationStandardDeviation() {
    Frame f = Frame.builder().numeric("x", 1, 2, 3, 4).build();
    // StandardScaler().fit_transform([[1],[2],[3],[4]]) -> [-1.34164079, -0.4472136, 0.4472136, 1.34164079]
    assertThat(fitTransform(Preprocessing.standardScaler("x"), f, "x"))
        .containsExactly(new double[] {-1.3416407865, -0.4472135955, 0.4472135955, 1.3416407865}, within(1e-9));
  }

  @Test
  void standardScalerIgnoresNanWhenFittingAndKeepsIt() {
    Frame f = Frame.builder().numeric("x", 1, NAN, 3).build();
    double[] z = fitTransform(Preprocessing.standardScaler("x"), f, "x");
    assertThat(z[0]).isEqualTo(-1.0, within(1e-12));
    assertThat(z[1]).isNaN();
    assertThat(z[2]).isEqualTo(1.0, within(1e-12));
  }

  @Test
  void aZeroVarianceColumnIsScaledByOne() {
    Frame f = Frame.builder().numeric("x", 5, 5, 5).build();
    assertThat(fitTransform(Preprocessing.standardScaler("x"), f, "x")).containsExactly(0, 0, 0);
    assertThat(fitTransform(Preprocessing.standardScaler(false, true, "x"), f, "x")).containsExactly(5, 5, 5);
  }

  @Test
  void minMaxScalerMapsToTheRangeAndConstantsToItsLowEnd() {
    Frame f = Frame.builder().numeric("x", 1, 3, 5).numeric("c", 2, 2, 2).build();
    assertThat(fitTransform(Preprocessing.minMaxScaler("x"), f, "x")).containsExactly(0, 0.5, 1);
    assertThat(fitTransform(Preprocessing.minMaxScaler(-1, 1, "x"), f, "x")).containsExactly(-1, 0, 1);
    // MinMaxScaler on a constant column gives 0 (range treated as 1)
    assertThat(fitTransform(Preprocessing.minMaxScaler("c"), f, "c")).containsExactly(0, 0, 0);
    FittedStep fitted = Preprocessing.minMaxScaler("x").fit(f);
    assertThat(fitted.transform(Frame.builder().numeric("x", 7).build()).numeric("x")).containsExactly(1.5);
    assertThatThrownBy(() -> Preprocessing.minMaxScaler(1, 1, "x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void imputerStrategiesFollowSklearn() {
    Frame f = Frame.builder().numeric("x", 1, NAN, 3, 10).numeric("even", 1, 2, 3, 4).numeric("ties", 3, 2, 2, 3)
        .categorical("c", "b", "a", null, "a").build();
    assertThat(fitTransform(Preprocessing.imputer(Imputation.MEDIAN, "x"), f, "x")).containsExactly(1, 3, 3, 10);
    assertThat(fitTransform(Preprocessing.imputer(Imputation.MEAN, "x"), f, "x"))
        .containsExactly(new double[] {1, 14.0 / 3, 3, 10}, within(1e-12));
    FittedStep even = Preprocessing.imputer(Imputation.MEDIAN, "even").fit(f);
    assertThat(even.toJson().toString()).contains("even=2.5");
    // most_frequent takes the smallest value among ties
    FittedStep ties = Preprocessing.imputer(Imputation.MOST_FREQUENT, "ties").fit(f);
    assertThat(ties.toJson().toString()).contains("ties=2.0");
    assertThat(Preprocessing.imputer(Imputation.MOST_FREQUENT, "c").fit(f).transform(f).categorical("c"))
        .containsExactly("b", "a", "a", "a");
    assertThat(Preprocessing.imputeConstant("none", "c").fit(f).transform(f).categorical("c"))
        .containsExactly("b", "a", "none", "a");
    assertThat(fitTransform(Preprocessing.imputeConstant(-1, "x"), f, "x")).containsExactly(1, -1, 3, 10);
  }

  @Test
  void imputerRefusesWhatCannotWork() {
    Frame f = Frame.builder().numeric("empty", NAN, NAN).categorical("c", "a", null).build();
    assertThatThrownBy(() -> Preprocessing.imputer(Imputation.MEAN, "empty").fit(f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no values");
    assertThatThrownBy(() -> Preprocessing.imputer(Imputation.MEDIAN, "c").fit(f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numeric");
    assertThatThrownBy(() -> Preprocessing.imputeConstant(0, "c").fit(f)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void oneHotUsesSortedCategoriesNamedColumnUnderscoreCategory() {
    Frame f = Frame.builder().numeric("n", 1, 2, 3).categorical("plan", "pro", "basic", "pro").build();
    FittedStep enc = Preprocessing.oneHot(UnknownCategory.ERROR, "plan").fit(f);
    Frame out = enc.transform(f);
    assertThat(out.names()).containsExactly("n", "plan_basic", "plan_pro");
    assertThat(out.numeric("plan_basic")).containsExactly(0, 1, 0);
    assertThat(out.numeric("plan_pro")).containsExactly(1, 0, 1);
    Frame unknown = Frame.builder().numeric("n", 1).categorical("plan", "gold").build();
    assertThatThrownBy(() -> enc.transform(unknown)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'gold'").hasMessageContaining("plan").hasMessageContaining("[basic, pro]");
    Frame ignored = Preprocessing.oneHot(UnknownCategory.IGNORE, "plan").fit(f).transform(unknown);
    assertThat(ignored.numeric("plan_basic")).containsExactly(0);
    assertThat(ignored.numeric("plan_pro")).containsExactly(0);
    Frame withMissing = Frame.builder().categorical("plan", "a", null).build();
    assertThatThrownBy(() -> Preprocessing.oneHot(UnknownCategory.ERROR, "plan").fit(withMissing))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("impute");
  }

  @Test
  void ordinalEncodesTheSortedIndex() {
    Frame f = Frame.builder().categorical("size", "m", "l", "s", "m").build();
    assertThat(fitTransform(Preprocessing.ordinal(UnknownCategory.ERROR, 0, "size"), f, "size"))
        .containsExactly(1, 0, 2, 1);
    FittedStep lenient = Preprocessing.ordinal(UnknownCategory.IGNORE, -1, "size").fit(f);
    assertThat(lenient.transform(Frame.builder().categorical("size", "xl").build()).numeric("size")).containsExactly(-1);
  }

  @Test
  void columnTransformerConcatenatesPartsThenTheRemainder() {
    Frame f = Frame.builder().numeric("a", 1, 3).categorical("c", "x", "y").numeric("b", 10, 20).numeric("d", 7, 8).build();
    Step drop = Preprocessing.columns().add(Preprocessing.standardScaler(), "b").add(Preprocessing.oneHot(UnknownCategory.ERROR), "c")
        .dropRemainder();
    assertThat(drop.fit(f).transform(f).names()).containsExactly("b", "c_x", "c_y");
    Step pass = Preprocessing.columns().add(Preprocessing.minMaxScaler(), "d").passRemainder();
    Frame out = pass.fit(f).transform(f);
    assertThat(out.names()).containsExactly("d", "a", "c", "b");
    assertThat(out.numeric("d")).containsExactly(0, 1);
  }

  @Test
  void preprocessorTransformsRowsAndNamesEveryProblemAtOnce() {
    Frame f = Frame.builder().numeric("age", 20, NAN, 40).categorical("plan", "a", "b", "a").numeric("x", 1, 2, 3).build();
    Preprocessor p = Preprocessor.fit(Preprocessing.pipeline(Preprocessing.imputer(Imputation.MEAN, "age"),
        Preprocessing.standardScaler("age", "x"), Preprocessing.oneHot(UnknownCategory.ERROR, "plan")), f);
    assertThat(p.featureNames()).containsExactly("age", "plan_a", "plan_b", "x");
    assertThat(p.inputs()).extracting(Preprocessor.Input::nullable).containsExactly(true, false, false);
    Map<String, Object> row = new HashMap<>();
    row.put("age", null);
    row.put("plan", "b");
    row.put("x", 2);
    assertThat(p.transform(row)).containsExactly(0f, 0f, 1f, 0f);

    Map<String, Object> bad = new HashMap<>();
    bad.put("age", "old");
    bad.put("x", Double.NaN);
    bad.put("zip", "12345");
    bad.put("colour", 1);
    assertThatThrownBy(() -> p.transform(bad)).isInstanceOfSatisfying(InvalidInputException.class, e ->
        assertThat(e.problems()).containsExactly("'age' must be a number, got String old", "missing column 'plan'",
            "'x' is NaN but the model has no imputer for it", "unexpected column 'colour'", "unexpected column 'zip'"));
  }

  @Test
  void leavingACategoricalColumnUnencodedIsRefusedAtFit() {
    Frame f = Frame.builder().categorical("plan", "a", "b").build();
    assertThatThrownBy(() -> Preprocessor.fit(Preprocessing.select("plan"), f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("still categorical");
  }

  @Test
  void jsonRoundTripGivesTheSameFeatures() {
    Frame f = Frame.builder().numeric("age", 20, NAN, 40, 33).categorical("plan", "a", "b", "a", "c").numeric("x", 1, 2, 3, 9)
        .categorical("size", "s", "m", "l", "m").build();
    Step step = Preprocessing.pipeline(
        Preprocessing.imputer(Imputation.MEDIAN, "age"),
        Preprocessing.columns()
            .add(Preprocessing.standardScaler(), "age")
            .add(Preprocessing.minMaxScaler(-2, 2), "x")
            .add(Preprocessing.oneHot(UnknownCategory.IGNORE), "plan")
            .add(Preprocessing.ordinal(UnknownCategory.IGNORE, -1, "size"), "size")
            .dropRemainder());
    Preprocessor p = Preprocessor.fit(step, f);
    byte[] json = p.toJson();
    Preprocessor back = Preprocessor.fromJson(json, "test.json");
    assertThat(back).isEqualTo(p);
    assertThat(back.featureNames()).isEqualTo(p.featureNames());
    Map<String, Object> row = Map.of("age", 25.0, "plan", "zzz", "x", 5.0, "size", "xl");
    assertThat(back.transform(row)).containsExactly(p.transform(row));
    assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"format\" : 1").contains("\"type\" : \"pipeline\"");
  }

  @Test
  void unreadableOrNewerFilesGetClearErrors() {
    assertThatThrownBy(() -> Preprocessor.fromJson("{\"format\": 2}".getBytes(StandardCharsets.UTF_8), "p.json"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("newer").hasMessageContaining("p.json");
    assertThatThrownBy(() -> Preprocessor.fromJson("{\"format\": 1, \"inputs\": [], \"features\": [], \"step\": {\"type\": \"evil\"}}"
        .getBytes(StandardCharsets.UTF_8), "p.json"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown step type 'evil'");
    assertThatThrownBy(() -> Preprocessor.fromJson("{not json".getBytes(StandardCharsets.UTF_8), "p.json"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("p.json");
    assertThatThrownBy(() -> Preprocessor.fromJson(("{\"format\": 1, \"inputs\": [{\"name\": \"x\", \"kind\": \"numeric\"}],"
        + " \"features\": [\"x\"], \"step\": {\"type\": \"standard_scaler\", \"columns\": [\"x\"], \"mean\": [1], \"scale\": []}}")
        .getBytes(StandardCharsets.UTF_8), "p.json"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one mean and one scale");
  }

  @Test
  void framesFromRowsInferKinds() {
    Map<String, Object> r1 = new HashMap<>();
    r1.put("n", 1);
    r1.put("s", "a");
    Map<String, Object> r2 = new HashMap<>();
    r2.put("n", null);
    r2.put("s", null);
    Frame f = Frame.ofRows(List.of(r1, r2));
    assertThat(f.kind("n")).isEqualTo(Frame.Kind.NUMERIC);
    assertThat(f.numeric("n")[1]).isNaN();
    assertThat(f.categorical("s")).containsExactly("a", null);
  }
}
