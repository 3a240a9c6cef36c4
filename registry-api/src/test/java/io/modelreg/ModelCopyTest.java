package io.modelreg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.mem.MemoryRegistryStore;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ModelCopyTest {
  private ModelRegistry source;
  private ModelRegistry target;
  private final MemoryRegistryStore sourceStore = MemoryRegistryStore.create();

  @BeforeEach
  void open() {
    source = ModelRegistries.create(sourceStore, RegistryOptions.defaults());
    target = ModelRegistries.create(MemoryRegistryStore.create(), RegistryOptions.defaults());
    source.createModel("churn", "predicts churn", Map.of("team", "growth"));
    for (int i = 1; i <= 3; i++) {
      source.register("churn", Registration.builder().bytes("model.onnx", ("weights " + i).getBytes(StandardCharsets.UTF_8))
          .bytes("conf/pre.json", "{}".getBytes(StandardCharsets.UTF_8)).semver("1." + i + ".0").description("v" + i)
          .tag("data", "2026-0" + i).param("lr", "0.0" + i).metric("auc", 0.8 + i / 100.0).build());
    }
    source.recordMetrics("churn", 2, new MetricRecord("eval-7", Instant.parse("2026-11-01T00:00:00Z"),
        Map.of("auc", 0.83), "holdout"));
    source.transition("churn", 1, Stage.STAGING);
    source.transition("churn", 1, Stage.PRODUCTION);
    source.transition("churn", 2, Stage.STAGING);
    source.transition("churn", 2, Stage.PRODUCTION);
    source.setAlias("churn", "champion", 2);
    source.setAlias("churn", "previous", 1);
  }

  @AfterEach
  void close() {
    source.close();
    target.close();
  }

  private static String text(ModelRegistry r, ModelVersion v, String path) {
    try (InputStream in = r.openArtifact(v, path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aCopyUnderAnotherNamePassesEveryFilesBytesThroughTheGivenWrapper() {
    AtomicLong seen = new AtomicLong();
    CopyReport report = ModelRegistries.copy(source, target, "churn", "churn-copy", List.of(2, 3), in ->
        new FilterInputStream(in) {
          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            seen.addAndGet(Math.max(n, 0));
            return n;
          }
        });
    assertThat(target.findModel("churn")).isEmpty();
    assertThat(target.listVersions("churn-copy")).extracting(ModelVersion::description)
        .containsExactly(java.util.Optional.of("v2"), java.util.Optional.of("v3"));
    assertThat(report.numbers()).containsEntry(2, 1).containsEntry(3, 2);
    long bytes = source.listVersions("churn").stream().filter(v -> v.number() > 1)
        .mapToLong(v -> v.manifest().totalSize()).sum();
    assertThat(seen.get()).as("every byte of versions 2 and 3, once").isEqualTo(bytes);
    assertThatThrownBy(() -> ModelRegistries.copy(source, target, "churn", "../x", List.of(), in -> in))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aCopyIntoAnEmptyRegistryKeepsNumbersFilesMetadataStagesAndAliases() {
    CopyReport report = ModelRegistries.copy(source, target, "churn");

    assertThat(report.numbers()).containsExactly(Map.entry(1, 1), Map.entry(2, 2), Map.entry(3, 3));
    assertThat(report.notCarried()).singleElement().asString().startsWith("History");
    RegisteredModel model = target.getModel("churn");
    assertThat(model.description()).contains("predicts churn");
    assertThat(model.tags()).containsEntry("team", "growth");
    for (ModelVersion s : source.listVersions("churn")) {
      ModelVersion t = target.getVersion("churn", s.number());
      assertThat(t.digest()).isEqualTo(s.digest());
      assertThat(t.semver()).isEqualTo(s.semver());
      assertThat(t.stage()).isEqualTo(s.stage());
      assertThat(t.description()).isEqualTo(s.description());
      assertThat(t.tags()).isEqualTo(s.tags());
      assertThat(t.params()).isEqualTo(s.params());
      assertThat(t.metrics()).isEqualTo(s.metrics());
      assertThat(t.metricRuns()).isEqualTo(s.metricRuns());
      assertThat(text(target, t, "model.onnx")).isEqualTo("weights " + s.number());
    }
    assertThat(target.resolve("models:/churn@champion").number()).isEqualTo(2);
    assertThat(target.resolve("models:/churn@previous").number()).isEqualTo(1);
    assertThat(target.getVersion("churn", 1).stage()).isEqualTo(Stage.ARCHIVED);
  }

  @Test
  void intoAModelThatHasVersionsTheNumbersMoveOnAndTheReportSaysSo() {
    target.register("churn", Registration.builder().bytes("x", new byte[] {1}).build());
    CopyReport report = ModelRegistries.copy(source, target, "churn", List.of(2, 3));

    assertThat(report.numbers()).containsExactly(Map.entry(2, 2), Map.entry(3, 3));
    target.deleteModel("churn");
    target.register("churn", Registration.builder().bytes("x", new byte[] {1}).build());
    target.register("churn", Registration.builder().bytes("x", new byte[] {2}).build());
    target.register("churn", Registration.builder().bytes("x", new byte[] {3}).build());
    report = ModelRegistries.copy(source, target, "churn", List.of(3, 2));
    assertThat(report.numbers()).containsExactly(Map.entry(2, 7), Map.entry(3, 8));
    assertThat(report.notCarried()).contains("Version 2 is version 7 in the target", "Version 3 is version 8 in the target",
        "Alias 'previous' points at version 1, which was not copied: it was not set")
        .anyMatch(n -> n.startsWith("Model 'churn' already existed"));
    assertThat(target.resolve("models:/churn@champion").number()).isEqualTo(7);
  }

  @Test
  void aMissingVersionFailsBeforeAnythingIsWritten() {
    assertThatThrownBy(() -> ModelRegistries.copy(source, target, "churn", List.of(1, 9)))
        .isInstanceOf(VersionNotFoundException.class).hasMessageContaining("no version 9");
    assertThat(target.findModel("churn")).isEmpty();
    assertThatThrownBy(() -> ModelRegistries.copy(source, target, "nope"))
        .isInstanceOf(ModelNotFoundException.class);
    assertThatThrownBy(() -> ModelRegistries.copy(source, target, "bad name!"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void damagedBytesInTheLastVersionLeaveNothingInTheTarget() {
    ModelVersion last = source.getVersion("churn", 3);
    sourceStore.tamper(last.manifest().find("model.onnx").orElseThrow().digest(), b -> "weights 9".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> ModelRegistries.copy(source, target, "churn")).isInstanceOf(IntegrityException.class);
    assertThat(target.findModel("churn")).as("the model the copy created is deleted again").isEmpty();

    // numbers are never reused: the two versions registered and removed again used 1 and 2
    int own = target.register("churn", Registration.builder().bytes("x", new byte[] {1}).build()).number();
    assertThat(own).isEqualTo(3);
    assertThatThrownBy(() -> ModelRegistries.copy(source, target, "churn")).isInstanceOf(IntegrityException.class);
    assertThat(target.listVersions("churn")).as("only the version the target had before").extracting(ModelVersion::number)
        .containsExactly(own);
  }
}
