package io.modelreg.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickstartTest {
  @Test
  void theQuickstartTellsTheWholeStory(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    Quickstart.Summary s = Quickstart.run(dir, new PrintStream(buffer, true, StandardCharsets.UTF_8));
    String out = buffer.toString(StandardCharsets.UTF_8);
    assertThat(s.accuracyV2()).isGreaterThan(s.accuracyV1());
    assertThat(s.accuracyV1()).isGreaterThan(0.70);
    assertThat(s.winner()).isEqualTo(2);
    assertThat(s.productionAfterRollback()).isEqualTo(1);
    assertThat(s.verified()).isTrue();
    assertThat(out).contains("refused: a reviewer must approve").contains("winner: v2").contains("churn probability")
        .contains("production is models:/churn/1 again")
        .contains("served by models:/churn/2").contains("refused 1.0.1").contains("until 24 December");
    assertThat(Files.exists(s.registry().resolve("models/churn/versions/2.json"))).isTrue();
  }
}
