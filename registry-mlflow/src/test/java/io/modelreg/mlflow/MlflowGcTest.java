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
 * gc on MLflow clears the upload runs no version uses once they are older than the grace period; a version's
 * files are its own copies in its run, so what is freed is every file of the runs cleared.
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
  void theRunOfADeletedVersionIsClearedAfterTheGracePeriodAndTheRestStillReads() throws Exception {
    try (ModelRegistry registry = open()) {
      registry.register("a", files("shared", "same", "own", "only in v1"));
      registry.register("a", files("shared", "same"));
      MlflowHttp raw = MlflowStoreCompatibilityTest.httpOn(server.uri());
      String run = ArtifactRuns.proxyPath(raw.get("model-versions/get", MlflowHttp.params("name", "a", "version", "1"))
          .path("model_version").path("source").asText());
      assertThat(registry.gc()).isEqualTo(new GcReport(0, 0, 2));

      registry.deleteVersion("a", 1);
      assertThat(registry.gc()).as("within the grace period").isEqualTo(new GcReport(0, 0, 2));
      clock.advance(Duration.ofHours(2));
      assertThat(registry.gc()).isEqualTo(new GcReport(1, "same".length() + "only in v1".length(), 1));
      assertThat(registry.gc()).isEqualTo(new GcReport(0, 0, 1));

      assertThatThrownBy(() -> raw.getArtifact(run + "/own")).isInstanceOf(NotFoundException.class);
      String runId = run.split("/")[1];
      assertThat(raw.get("runs/get", MlflowHttp.params("run_id", runId)).path("run").path("info").path("lifecycle_stage")
          .asText()).isEqualTo("deleted");
      try (InputStream in = registry.openArtifact(registry.getVersion("a", 2), "shared")) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("same");
      }
      assertThat(registry.verify().isClean()).isTrue();
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
  void uploadRunsEndFinishedOrFailedAndTheHistoryRunIsFinished() {
    MlflowHttp raw = MlflowStoreCompatibilityTest.httpOn(server.uri());
    try (ModelRegistry registry = open()) {
      registry.register("a", files("m", "1"));
      server.pendingPolls = 1;
      server.failRegistrations = true;
      assertThatThrownBy(() -> registry.register("a", files("m", "2"))).isInstanceOf(io.modelreg.RegistryException.class);
    }
    java.util.Map<String, String> statusByRunName = new java.util.TreeMap<>();
    java.util.List<String> experiments = java.util.List.of("0", raw.get("experiments/get-by-name",
        MlflowHttp.params("experiment_name", "modelreg-history")).path("experiment").path("experiment_id").asText());
    for (com.fasterxml.jackson.databind.JsonNode run : raw.post("runs/search",
        java.util.Map.of("experiment_ids", experiments)).path("runs")) {
      statusByRunName.merge(run.path("info").path("run_name").asText("?"), run.path("info").path("status").asText(),
          (x, y) -> x + "," + y);
    }
    assertThat(statusByRunName).containsEntry("history-a", "FINISHED");
    assertThat(statusByRunName.get("modelreg-a")).contains("FINISHED").contains("FAILED");
  }

  @Test
  void theGracePeriodMustBePositive() {
    assertThatThrownBy(() -> ModelRegistries.open(server.uri().toString(),
        RegistryOptions.builder().storeOption("mlflow.gc-grace", "PT0S").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mlflow.gc-grace").hasMessageContaining("positive");
  }
}
