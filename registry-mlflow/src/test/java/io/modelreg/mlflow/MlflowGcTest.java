package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.Digest;
import io.modelreg.GcReport;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.NotFoundException;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import io.modelreg.spi.ArtifactUpload;
import io.modelreg.testkit.MutableClock;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * gc on MLflow clears the upload directories (and runs) no version uses once they are older than the grace period;
 * a version's files are its own copies in its upload, so what is freed is every file of the uploads cleared.
 */
class MlflowGcTest extends StandInServerTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  private ModelRegistry open() {
    return ModelRegistries.open(server.uri().toString(),
        RegistryOptions.builder().clock(clock).storeOption("mlflow.gc-grace", "PT1H").build());
  }

  private static Registration files(String... pathsAndContents) {
    Registration.Builder b = Registration.builder();
    for (int i = 0; i < pathsAndContents.length; i += 2) {
      b.bytes(pathsAndContents[i], pathsAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
    }
    return b.build();
  }

  @Test
  void theUploadOfADeletedVersionIsClearedAfterTheGracePeriodAndTheRestStillReads() throws Exception {
    try (ModelRegistry registry = open()) {
      registry.register("a", files("shared", "same", "own", "only in v1"));
      registry.register("a", files("shared", "same"));
      MlflowHttp raw = MlflowStoreCompatibilityTest.httpOn(server.uri());
      String dir = ArtifactRuns.proxyPath(raw.get("model-versions/get", MlflowHttp.params("name", "a", "version", "1"))
          .path("model_version").path("source").asText());
      assertThat(registry.gc()).isEqualTo(new GcReport(0, 0, 2));

      registry.deleteVersion("a", 1);
      assertThat(registry.gc()).as("within the grace period").isEqualTo(new GcReport(0, 0, 2));
      clock.advance(Duration.ofHours(2));
      assertThat(registry.gc()).isEqualTo(new GcReport(1, "same".length() + "only in v1".length(), 1));
      assertThat(registry.gc()).isEqualTo(new GcReport(0, 0, 1));

      assertThatThrownBy(() -> raw.getArtifact(dir + "/own")).isInstanceOf(NotFoundException.class);
      assertThat(raw.listArtifacts(ArtifactRuns.FILES + "/a").path("files")).hasSize(1);
      try (InputStream in = registry.openArtifact(registry.getVersion("a", 2), "shared")) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("same");
      }
      assertThat(registry.verify().isClean()).isTrue();
    }
  }

  @Test
  void theRunOfADeletedVersionWithParamsAndAnUploadRunOfAnEarlierReleaseAreCleared() throws Exception {
    MlflowHttp raw = MlflowStoreCompatibilityTest.httpOn(server.uri());
    // an earlier release kept each upload in a run of its own, tagged with the model
    String legacy = raw.post("runs/create", java.util.Map.of("experiment_id", "0", "start_time", clock.millis(),
        "tags", java.util.List.of(java.util.Map.of("key", "modelreg.model", "value", "a")))).path("run").path("info")
        .path("run_id").asText();
    raw.putArtifact("0/" + legacy + "/artifacts/model.bin",
        MlflowHttp.Body.of(3, out -> out.write("old".getBytes(StandardCharsets.UTF_8))));
    try (ModelRegistry registry = open()) {
      registry.register("a", Registration.builder().bytes("m", "1".getBytes(StandardCharsets.UTF_8)).param("lr", "0.1").build());
      String run = raw.get("model-versions/get", MlflowHttp.params("name", "a", "version", "1")).path("model_version")
          .path("run_id").asText();
      assertThat(registry.gc()).isEqualTo(new GcReport(0, 0, 3)); // the upload, its run, the old run: all too young
      registry.deleteVersion("a", 1);
      clock.advance(Duration.ofHours(2));
      assertThat(registry.gc()).isEqualTo(new GcReport(3, 1 + 3, 0));
      for (String id : java.util.List.of(run, legacy)) {
        assertThat(raw.get("runs/get", MlflowHttp.params("run_id", id)).path("run").path("info").path("lifecycle_stage")
            .asText()).isEqualTo("deleted");
      }
      assertThatThrownBy(() -> raw.getArtifact("0/" + legacy + "/artifacts/model.bin")).isInstanceOf(NotFoundException.class);
    }
  }

  @Test
  void theRunsOfPromptVersionsAreKept() throws Exception {
    try (ModelRegistry registry = open()) {
      io.modelreg.prompts.PromptRegistry prompts = io.modelreg.prompts.PromptRegistry.on(registry);
      prompts.register("greet", "Hello {name}!", "1.0.0", "first cut");
      clock.advance(Duration.ofHours(2));
      // MLflow 3 hides prompt versions from a model-versions/search that does not ask for prompts
      assertThat(registry.gc()).isEqualTo(new GcReport(0, 0, 1));
      assertThat(prompts.load("prompts:/greet/1").render(java.util.Map.of("name", "Ada"))).isEqualTo("Hello Ada!");
    }
  }

  @Test
  void anUploadThatNeverBecameAVersionIsKeptWhileItMayStillBeOneThenCleared() throws Exception {
    MlflowRegistryStore store = (MlflowRegistryStore) new MlflowRegistryProvider(java.util.Map.of()).open(server.uri(),
        RegistryOptions.builder().clock(clock).storeOption("mlflow.gc-grace", "PT1H").build());
    try (ModelRegistry registry = ModelRegistries.create(store, RegistryOptions.builder().clock(clock).build())) {
      byte[] bytes = "half a registration".getBytes(StandardCharsets.UTF_8);
      try (ArtifactUpload upload = store.beginUpload("b"); ArtifactUpload.Sink sink = upload.open("model.bin")) {
        sink.write(bytes);
        sink.commit(Digest.of(bytes), bytes.length);
      }
      clock.advance(Duration.ofMinutes(59));
      assertThat(registry.gc()).isEqualTo(new GcReport(0, 0, 1));
      clock.advance(Duration.ofMinutes(2));
      assertThat(registry.gc()).isEqualTo(new GcReport(1, bytes.length, 0));
    }
  }

  @Test
  void noRunIsLeftRunningAndTheHistoryRunIsFinished() {
    MlflowHttp raw = MlflowStoreCompatibilityTest.httpOn(server.uri());
    try (ModelRegistry registry = open()) {
      registry.register("a", files("m", "1"));
      registry.register("a", Registration.builder().bytes("m", "2".getBytes(StandardCharsets.UTF_8)).metric("auc", 0.8).build());
      server.pendingPolls = 1;
      server.failRegistrations = true;
      assertThatThrownBy(() -> registry.register("a", Registration.builder().bytes("m", "3".getBytes(StandardCharsets.UTF_8))
          .metric("auc", 0.7).build())).isInstanceOf(io.modelreg.RegistryException.class);
    }
    java.util.Map<String, String> statusByRunName = new java.util.TreeMap<>();
    java.util.List<String> experiments = java.util.List.of("0", raw.get("experiments/get-by-name",
        MlflowHttp.params("experiment_name", "modelreg-history")).path("experiment").path("experiment_id").asText());
    for (com.fasterxml.jackson.databind.JsonNode run : raw.post("runs/search",
        java.util.Map.of("experiment_ids", experiments)).path("runs")) {
      statusByRunName.merge(run.path("info").path("run_name").asText("?"), run.path("info").path("status").asText(),
          (x, y) -> x + "," + y);
    }
    // one run per version with params or metrics (the failed registration's too, cleared by gc later)
    assertThat(statusByRunName).containsOnly(java.util.Map.entry("history-a", "FINISHED"),
        java.util.Map.entry("modelreg-a", "FINISHED,FINISHED"));
  }

  @Test
  void theGracePeriodMustBePositive() {
    assertThatThrownBy(() -> ModelRegistries.open(server.uri().toString(),
        RegistryOptions.builder().storeOption("mlflow.gc-grace", "PT0S").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mlflow.gc-grace").hasMessageContaining("positive");
  }
}
