package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.ArtifactEntry;
import io.modelreg.Digest;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.NotFoundException;
import io.modelreg.RegistryEvent;
import io.modelreg.RegistryOptions;
import io.modelreg.VersionStatus;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reverse direction: a model version registered by Python MLflow (played here on the raw REST API, the
 * way {@code mlflow.register_model("runs:/<run>/model", "churn")} does it) becomes usable from Java.
 */
class MlflowAdoptionTest extends StandInServerTest {
  @TempDir Path dir;

  private static final Map<String, String> FILES = Map.of(
      "MLmodel", "flavors:\n  onnx:\n    data: model.onnx\n",
      "model.onnx", "pretend these are ONNX bytes",
      "extra/notes.txt", "logged by a notebook");

  /** What Python does: a run with params, metrics and the model files, then a version whose source is the run. */
  private String registerFromPython(String model, String source) throws Exception {
    MlflowHttp raw = MlflowStoreCompatibilityTest.httpOn(server.uri());
    try {
      raw.post("registered-models/create", Map.of("name", model));
    } catch (io.modelreg.AlreadyExistsException ignored) {
      // a second version of the same model
    }
    String run = raw.post("runs/create", Map.of("experiment_id", "0", "start_time", 1L)).path("run").path("info")
        .path("run_id").asText();
    for (Map.Entry<String, String> f : FILES.entrySet()) {
      Path local = Files.writeString(Files.createDirectories(dir.resolve(run)).resolve(f.getKey().replace('/', '_')), f.getValue());
      raw.putArtifact("0/" + run + "/artifacts/model/" + f.getKey(), local);
    }
    raw.post("runs/log-batch", Map.of("run_id", run, "params", List.of(Map.of("key", "alpha", "value", "0.5")),
        "metrics", List.of(Map.of("key", "auc", "value", 0.91, "timestamp", 1L, "step", 0))));
    raw.post("model-versions/create", Map.of("name", model, "source", source.replace("<run>", run), "run_id", run));
    return run;
  }

  @Test
  void aVersionRegisteredByPythonIsAdoptedOnceAndThenServesLikeAnyOther() throws Exception {
    String run = registerFromPython("churn", "runs:/<run>/model");
    // a server process reading the registry (cache off, so it sees the adoption at once rather than a TTL later)
    try (ModelRegistry registry = ModelRegistries.open(server.uri().toString(),
        RegistryOptions.builder().cacheTtl(java.time.Duration.ZERO).build())) {
      ModelVersion before = registry.getVersion("churn", 1);
      assertThat(before.status()).isEqualTo(VersionStatus.PENDING);
      assertThatThrownBy(() -> registry.openArtifact(before, "model.onnx")).isInstanceOf(NotFoundException.class);

      ModelVersion adopted = MlflowRegistries.adopt(server.uri().toString(), "churn", 1, RegistryOptions.defaults());
      assertThat(adopted.status()).isEqualTo(VersionStatus.READY);
      assertThat(adopted.manifest().files()).extracting(ArtifactEntry::path)
          .containsExactlyInAnyOrder("MLmodel", "model.onnx", "extra/notes.txt");
      assertThat(adopted.manifest().find("model.onnx").orElseThrow().digest()).isEqualTo(Digest.ofUtf8(FILES.get("model.onnx")));
      assertThat(adopted.params()).containsEntry("alpha", "0.5");
      assertThat(adopted.metrics()).containsEntry("auc", 0.91);
      assertThat(adopted.lineage().runId()).isEqualTo(run);

      ModelVersion latest = registry.resolve("models:/churn/latest");
      assertThat(latest.number()).isEqualTo(1);
      try (InputStream in = registry.openArtifact(latest, "extra/notes.txt")) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("logged by a notebook");
      }
      assertThat(registry.verify().isClean()).isTrue();
      assertThat(registry.history("churn")).filteredOn(e -> e.type() == RegistryEvent.Type.VERSION_REGISTERED)
          .singleElement().satisfies(e -> assertThat(e.details()).containsEntry("adopted_from", "runs:/" + run + "/model"));
      // Python still sees its version as it left it
      assertThat(MlflowStoreCompatibilityTest.httpOn(server.uri()).get("model-versions/get",
          MlflowHttp.params("name", "churn", "version", "1")).path("model_version").path("source").asText())
          .isEqualTo("runs:/" + run + "/model");

      // the digests now guard the bytes: damage after adoption is found
      server.corrupt("mlflow-artifacts:/0/" + run + "/artifacts/model", "model.onnx");
      assertThat(registry.verify().problems()).anySatisfy(p -> assertThat(p).contains("model.onnx"));
    }
  }

  @Test
  void aVersionMlflow3LoggedAsAModelIsAdoptedFromTheLoggedModelsLocation() throws Exception {
    String id = server.registerLikePython3("ranker", Map.of("MLmodel", "flavors: {}\n".getBytes(StandardCharsets.UTF_8),
        "model.onnx", "three".getBytes(StandardCharsets.UTF_8)));
    ModelVersion adopted = MlflowRegistries.adopt(server.uri().toString(), "ranker", 1, RegistryOptions.defaults());
    assertThat(adopted.manifest().files()).extracting(ArtifactEntry::path).containsExactlyInAnyOrder("MLmodel", "model.onnx");
    assertThat(adopted.lineage().sourceUri()).isEqualTo("models:/" + id);
    try (ModelRegistry registry = ModelRegistries.open(server.uri().toString());
        InputStream in = registry.openArtifact(registry.getVersion("ranker", 1), "model.onnx")) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("three");
    }
  }

  @Test
  void whatCannotBeAdoptedIsRefusedWithTheReason() throws Exception {
    registerFromPython("churn", "mlflow-artifacts:/0/<run>/artifacts/model");
    registerFromPython("churn", "s3://bucket/models/churn");
    MlflowRegistries.adopt(server.uri().toString(), "churn", 1, RegistryOptions.defaults());
    assertThatThrownBy(() -> MlflowRegistries.adopt(server.uri().toString(), "churn", 1, RegistryOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already has a modelreg record");
    assertThatThrownBy(() -> MlflowRegistries.adopt(server.uri().toString(), "churn", 2, RegistryOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("s3://bucket").hasMessageContaining("artifact proxy");
    assertThatThrownBy(() -> MlflowRegistries.adopt(server.uri().toString(), "churn", 9, RegistryOptions.defaults()))
        .isInstanceOf(io.modelreg.VersionNotFoundException.class);
    assertThatThrownBy(() -> MlflowRegistries.adopt(server.uri().toString(), "churn", 0, RegistryOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
