package io.modelreg;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.mem.MemoryRegistryStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measurement conditions on metric runs in archives: an archive exported on 2026-12-02 from {@link #fixture}
 * is committed as {@code archive/bench-conditions.zip}; exporting the same data gives the same entries, and
 * importing the committed archive keeps every condition. (Archives without conditions are pinned by
 * {@link ModelArchiveTest}'s golden archive, which still imports with runs that have none.)
 */
class ModelArchiveConditionsTest {
  static final Instant NOW = Instant.parse("2026-12-02T05:00:00Z");
  static final Map<String, String> CONDITIONS = Map.of("cpu", "AMD EPYC 7B13", "jdk", "17.0.13", "input.sha256", "ab12",
      "warmup", "200 calls");
  @TempDir Path dir;

  static Path golden() {
    try {
      return Path.of(ModelArchiveConditionsTest.class.getResource("archive/bench-conditions.zip").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static ModelRegistry fixture() {
    RegistryOptions options = RegistryOptions.builder().actor("golden").clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    ModelRegistry r = ModelRegistries.create(MemoryRegistryStore.create(), options);
    r.register("scorer", Registration.builder().bytes("model.onnx", "weights\n".getBytes(StandardCharsets.UTF_8)).build());
    r.recordMetrics("scorer", 1, new MetricRecord("bench-1", NOW, Map.of("latency.single.p99_ms", 0.9, "accuracy", 0.91),
        "modelreg bench", CONDITIONS));
    r.recordMetrics("scorer", 1, new MetricRecord("eval-1", NOW, Map.of("accuracy", 0.9), "no conditions"));
    return r;
  }

  private static Map<String, String> entries(Path zip) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (ZipFile z = new ZipFile(zip.toFile())) {
      for (ZipEntry e : Collections.list(z.entries())) {
        try (InputStream in = z.getInputStream(e)) {
          out.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }

  @Test
  void exportingRunsWithConditionsWritesTheGoldenEntries() throws IOException {
    Path written = dir.resolve("scorer.zip");
    try (ModelRegistry source = fixture()) {
      ModelArchive.export(source, "scorer", written);
    }
    Map<String, String> now = entries(written);
    Map<String, String> then = entries(golden());
    assertThat(now.keySet()).containsExactlyElementsOf(then.keySet());
    assertThat(JsonText.read(now.remove(ModelArchive.INDEX), "new"))
        .isEqualTo(JsonText.read(then.get(ModelArchive.INDEX), "golden"));
    assertThat(then.remove(ModelArchive.INDEX)).contains("\"conditions\"");
    assertThat(now).isEqualTo(then);
  }

  @Test
  void theGoldenArchiveImportsWithItsConditions() throws IOException {
    try (ModelRegistry target = ModelRegistries.create(MemoryRegistryStore.create(), RegistryOptions.defaults())) {
      ModelArchive.importInto(target, golden(), null);
      ModelVersion v = target.getVersion("scorer", 1);
      assertThat(v.metricRuns()).extracting(MetricRecord::conditions).containsExactly(CONDITIONS, Map.of());
    }
  }
}
