package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelreg.ArtifactManifest;
import io.modelreg.Digest;
import io.modelreg.Lineage;
import io.modelreg.VersionStatus;
import io.modelreg.spi.ArtifactUpload;
import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.VersionRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A version is bound to the upload its record names, whichever thread registers it (issue 12): MLflow takes a
 * version's source and run only when it creates the version, so a version paired with the wrong upload would
 * point at another version's files, or at none (and gc would then clear its files). Pairing by thread fails
 * both tests below.
 */
class MlflowUploadBindingTest extends StandInServerTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private MlflowHttp http;
  private MlflowRegistryStore store;
  private final ExecutorService other = Executors.newSingleThreadExecutor();

  @BeforeEach
  void open() {
    http = new MlflowHttp(new MlflowHttp.Settings(server.uri(), MlflowHttp.Settings.credentials(server.uri(), null, null,
        null, false), Duration.ofSeconds(2), Duration.ofSeconds(10), 2, Duration.ofMillis(10)));
    store = new MlflowRegistryStore(http);
    store.createModel(ModelRecord.create("m", null, Map.of(), T0));
  }

  @AfterEach
  void close() throws InterruptedException {
    other.shutdownNow();
    other.awaitTermination(10, TimeUnit.SECONDS);
    store.close();
  }

  private static ArtifactUpload withFile(ArtifactUpload upload, String text) throws Exception {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    try (ArtifactUpload.Sink sink = upload.open("model.bin")) {
      sink.write(bytes, 0, bytes.length);
      sink.commit(Digest.of(bytes), bytes.length);
    }
    return upload;
  }

  private static VersionRecord record(String model, int number, String location) {
    return new VersionRecord(model, number, null, VersionStatus.READY, null, Map.of(), Map.of(), Map.of(), List.of(),
        Lineage.empty(), null, ArtifactManifest.of(List.of()), location, T0, "tester", T0, 0);
  }

  private JsonNode mlflowVersion(int number) {
    return http.get("model-versions/get", MlflowHttp.params("name", "m", "version", Integer.toString(number)))
        .path("model_version");
  }

  /** The file of a version as MLflow's clients find it: under the version's source, through the proxy. */
  private String fileOf(int number) throws Exception {
    String source = mlflowVersion(number).path("source").asText();
    try (java.io.InputStream in = http.getArtifact(ArtifactRuns.proxyPath(source) + "/model.bin")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void anUploadBegunOnOneThreadIsRegisteredOnAnotherAndClosedOnAThird() throws Exception {
    ArtifactUpload upload = other.submit(() -> withFile(store.beginUpload("m"), "one")).get();

    VersionRecord stored = store.registerVersion("m", n -> record("m", n, upload.location()));

    JsonNode v = mlflowVersion(stored.number());
    assertThat(v.path("source").asText()).isEqualTo(upload.location()).startsWith("mlflow-artifacts:/modelreg/files/m/");
    assertThat(v.path("run_id").asText("")).as("no params or metrics: no run").isEmpty();
    Thread closer = new Thread(() -> {
      try {
        upload.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    closer.start();
    closer.join();
    assertThat(fileOf(stored.number())).isEqualTo("one");
  }

  @Test
  void twoUploadsOnOneThreadEachGoToTheVersionThatNamesIt() throws Exception {
    ArtifactUpload first = withFile(store.beginUpload("m"), "one");
    ArtifactUpload second = withFile(store.beginUpload("m"), "two"); // begun last on this thread
    assertThat(first.location()).isNotEqualTo(second.location());

    VersionRecord one = store.registerVersion("m", n -> record("m", n, first.location()));
    VersionRecord two = store.registerVersion("m", n -> record("m", n, second.location()));
    second.close();
    first.close();

    assertThat(mlflowVersion(one.number()).path("source").asText()).isEqualTo(first.location());
    assertThat(mlflowVersion(two.number()).path("source").asText()).isEqualTo(second.location());
    assertThat(fileOf(one.number())).isEqualTo("one");
    assertThat(fileOf(two.number())).isEqualTo("two");
  }

  @Test
  void anUploadBeginsWithoutARequestAndAVersionWithParamsGetsAFinishedRunShowingThem() throws Exception {
    java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    server.failMatching = r -> !seen.add(r);
    ArtifactUpload upload = store.beginUpload("m");
    server.failMatching = null;
    assertThat(seen).isEmpty();

    withFile(upload, "one");
    VersionRecord stored = store.registerVersion("m", n -> new VersionRecord("m", n, null, VersionStatus.READY, null,
        Map.of(), Map.of("lr", "0.1"), Map.of("accuracy", 0.9), List.of(), Lineage.empty(), null,
        ArtifactManifest.of(List.of()), upload.location(), T0, "tester", T0, 0));
    upload.close();

    String run = mlflowVersion(stored.number()).path("run_id").asText("");
    assertThat(run).isNotEmpty();
    JsonNode shown = http.get("runs/get", MlflowHttp.params("run_id", run)).path("run");
    assertThat(shown.path("info").path("status").asText()).isEqualTo("FINISHED");
    assertThat(shown.path("data").path("params").toString()).contains("\"lr\"", "\"0.1\"");
    assertThat(shown.path("data").path("metrics").toString()).contains("\"accuracy\"", "0.9");
    assertThat(fileOf(stored.number())).isEqualTo("one");
  }

  @Test
  void metricsRecordedLaterOnAVersionWithoutARunShowAsVersionTags() throws Exception {
    try (io.modelreg.ModelRegistry registry = io.modelreg.ModelRegistries.open(server.uri().toString(),
        io.modelreg.RegistryOptions.builder().cacheTtl(Duration.ZERO).build())) {
      io.modelreg.ModelVersion v = registry.register("m", io.modelreg.Registration.builder()
          .bytes("model.bin", "one".getBytes(StandardCharsets.UTF_8)).build());
      registry.recordMetrics("m", v.number(), new io.modelreg.MetricRecord("eval-1", T0, Map.of("auc", 0.8, "f1", 0.5), ""));
      registry.recordMetrics("m", v.number(), new io.modelreg.MetricRecord("eval-2", T0, Map.of("auc", 0.9), ""));

      JsonNode tags = mlflowVersion(v.number()).path("tags");
      Map<String, String> shown = new java.util.TreeMap<>();
      tags.forEach(t -> shown.put(t.path("key").asText(), t.path("value").asText()));
      assertThat(shown).containsEntry("modelreg.metric.auc", "0.9").containsEntry("modelreg.metric.f1", "0.5");
      io.modelreg.ModelVersion read = registry.getVersion("m", v.number());
      assertThat(read.tags()).isEmpty(); // not user tags
      assertThat(read.metricRuns()).hasSize(2);
      assertThat(mlflowVersion(v.number()).path("run_id").asText("")).isEmpty();
    }
  }

  @Test
  void aVersionNamingAnUploadIsNotCreatedWithoutIt() throws Exception {
    ArtifactUpload upload = withFile(store.beginUpload("m"), "one");
    String location = upload.location();
    upload.close(); // no longer an upload in progress: nothing can bind the version to its files

    assertThatThrownBy(() -> store.registerVersion("m", n -> record("m", n, location)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("registerVersion");
    assertThat(store.listVersions("m")).isEmpty(); // the number it allocated was taken back
  }
}
