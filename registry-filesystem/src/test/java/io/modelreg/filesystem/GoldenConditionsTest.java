package io.modelreg.filesystem;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.Comparison;
import io.modelreg.MetricRecord;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metric runs with measurement conditions (what {@code modelreg bench} records) in the {@code file:} store,
 * against a registry directory committed under {@code src/test/resources/golden/conditions}: the written files
 * are byte for byte the committed ones, and the committed ones read back with every condition. Runs without
 * conditions keep the shape pinned by {@link GoldenFilesTest}.
 */
class GoldenConditionsTest {
  static final Instant NOW = Instant.parse("2026-12-02T05:00:00Z");
  static final Map<String, String> CONDITIONS = Map.of("cpu", "AMD EPYC 7B13", "cores", "2", "jdk", "17.0.13",
      "input.sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "batch_sizes", "1,32");
  @TempDir Path dir;

  static Path golden() {
    try {
      return Path.of(GoldenConditionsTest.class.getResource("/golden/conditions/modelreg.json").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static void write(Path root) {
    RegistryOptions options = RegistryOptions.builder().actor("golden").cacheTtl(Duration.ZERO)
        .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    try (ModelRegistry r = ModelRegistries.open(root.toUri(), options)) {
      for (String weights : new String[] {"weights of v1\n", "weights of v2\n"}) {
        r.register("scorer", Registration.builder().bytes("model.onnx", weights.getBytes(StandardCharsets.UTF_8)).build());
      }
      r.recordMetrics("scorer", 1, new MetricRecord("bench-1", NOW, Map.of("latency.single.p50_ms", 0.41), "modelreg bench",
          CONDITIONS));
      r.recordMetrics("scorer", 2, new MetricRecord("bench-1", NOW, Map.of("latency.single.p50_ms", 0.37), "modelreg bench",
          Map.of("jdk", "21.0.5")));
    }
  }

  @Test
  void writingARunWithConditionsGivesTheGoldenFilesByteForByte() throws IOException {
    Path now = dir.resolve("now");
    write(now);
    Map<String, String> written = GoldenFilesTest.files(now);
    Map<String, String> golden = GoldenFilesTest.files(golden());
    String stamp = "\"created_at\" : \"[^\"]+\"";
    assertThat(written.remove("modelreg.json").replaceAll(stamp, "")).isEqualTo(golden.remove("modelreg.json").replaceAll(stamp, ""));
    assertThat(written).isEqualTo(golden);
    assertThat(golden.get("models/scorer/versions/1.json")).contains("\"conditions\" : {");
  }

  @Test
  void theGoldenRunsReadBackWithTheirConditionsAndCompareSaysWhatDiffers() throws IOException {
    Path root = GoldenFilesTest.copy(golden(), dir.resolve("copy"));
    try (ModelRegistry r = ModelRegistries.open(root.toUri())) {
      ModelVersion v1 = r.getVersion("scorer", 1);
      assertThat(v1.metricRuns()).containsExactly(new MetricRecord("bench-1", NOW, Map.of("latency.single.p50_ms", 0.41),
          "modelreg bench", CONDITIONS));
      Comparison c = r.compare(ModelUri.parse("models:/scorer/1"), ModelUri.parse("models:/scorer/2"));
      assertThat(c.conditionDifferences().get("latency.single.p50_ms")).containsEntry("jdk",
          new Comparison.ParamChange("17.0.13", "21.0.5")).containsEntry("cpu", new Comparison.ParamChange("AMD EPYC 7B13", null));
    }
  }
}
