package io.modelreg.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TwoKindsOfModelTest {
  @Test
  void onePoolServesAnOnnxClassifierAndAnOfferTable(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    TwoKindsOfModel.Summary s = TwoKindsOfModel.run(dir, new PrintStream(buffer, true, StandardCharsets.UTF_8));
    assertThat(s.churnProbability()).isStrictlyBetween(0.0, 1.0); // a real probability for label "yes"
    assertThat(s.discount()).isIn(0.20, 0.10, 0.05);
    assertThat(s.loadedModels()).isEqualTo(2);
    assertThat(s.requests()).isEqualTo(2);
    assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("churn probability").contains("2 models of two kinds");
  }
}
