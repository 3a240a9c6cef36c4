package io.modelreg.inference.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.inference.preprocess.Preprocessing.Imputation;
import io.modelreg.inference.preprocess.Preprocessing.UnknownCategory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code preprocessor.json} against a file written by the code of 2026-12-02 ({@code
 * src/test/resources/io/modelreg/inference/preprocess/preprocessor-format1.json}), with every step type, so a
 * change to the format shows in review as a change to that file. Bundles registered earlier must keep loading.
 */
class PreprocessorGoldenTest {
  private static final double NAN = Double.NaN;
  static final String GOLDEN = "preprocessor-format1.json";

  /** The data and steps the golden file was fitted on. */
  static Preprocessor fit() {
    Frame data = Frame.builder()
        .numeric("age", 20, NAN, 40, 33, 51)
        .numeric("income", 1200, 3400, NAN, 2100, 2800)
        .numeric("tenure", 1, 24, 60, 12, 36)
        .numeric("tickets", 0, 3, 1, NAN, 2)
        .categorical("plan", "basic", "pro", "basic", null, "enterprise")
        .categorical("region", "eu", "us", "eu", "apac", "us")
        .categorical("size", "s", "m", "l", "m", "s")
        .numeric("ignored", 9, 9, 9, 9, 9)
        .build();
    Step step = Preprocessing.pipeline(
        Preprocessing.imputer(Imputation.MEDIAN, "age"),
        Preprocessing.imputer(Imputation.MEAN, "income"),
        Preprocessing.imputeConstant(0, "tickets"),
        Preprocessing.imputeConstant("basic", "plan"),
        Preprocessing.columns()
            .add(Preprocessing.standardScaler(), "age", "income")
            .add(Preprocessing.standardScaler(false, true), "tickets")
            .add(Preprocessing.minMaxScaler(-1, 1), "tenure")
            .add(Preprocessing.oneHot(UnknownCategory.IGNORE), "plan")
            .add(Preprocessing.oneHot(UnknownCategory.ERROR), "region")
            .add(Preprocessing.ordinal(UnknownCategory.IGNORE, -1, "size"), "size")
            .dropRemainder());
    return Preprocessor.fit(step, data);
  }

  private static byte[] golden() throws IOException {
    try (InputStream in = PreprocessorGoldenTest.class.getResourceAsStream(GOLDEN)) {
      assertThat(in).as(GOLDEN).isNotNull();
      return in.readAllBytes();
    }
  }

  @Test
  void fittingTheSameDataTodayWritesTheGoldenFileByteForByte() throws IOException {
    assertThat(new String(fit().toJson(), StandardCharsets.UTF_8)).isEqualTo(new String(golden(), StandardCharsets.UTF_8));
  }

  @Test
  void theGoldenFileLoadsAndTransformsAsItDidWhenItWasWritten() throws IOException {
    Preprocessor p = Preprocessor.fromJson(golden(), GOLDEN);

    assertThat(p).isEqualTo(fit());
    assertThat(p.inputs()).extracting(Preprocessor.Input::name)
        .containsExactly("age", "income", "tenure", "tickets", "plan", "region", "size", "ignored");
    assertThat(p.featureNames()).containsExactly("age", "income", "tickets", "tenure",
        "plan_basic", "plan_enterprise", "plan_pro", "region_apac", "region_eu", "region_us", "size");
    Map<String, Object> row = new HashMap<>();
    row.put("age", null);
    row.put("income", 2800.0);
    row.put("tenure", 60.0);
    row.put("tickets", 2.0);
    row.put("plan", "unknown-plan");
    row.put("region", "us");
    row.put("size", "xl");
    row.put("ignored", 1.0);
    float[] features = p.transform(row);
    // age: median 36.5 imputed, then scaled; tenure 60 is the max: 1; unknown plan: all zero; unknown size: -1
    assertThat(features).hasSize(11);
    assertThat(features[0]).isCloseTo((float) ((36.5 - 36.1) / 10.061808982484214), org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(features[3]).isEqualTo(1.0f);
    assertThat(List.of(features[4], features[5], features[6])).containsOnly(0.0f);
    assertThat(List.of(features[7], features[8], features[9])).containsExactly(0.0f, 0.0f, 1.0f);
    assertThat(features[10]).isEqualTo(-1.0f);
    assertThat(features).containsExactly(fit().transform(row));
  }
}
