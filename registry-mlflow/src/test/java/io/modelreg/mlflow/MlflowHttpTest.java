package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelreg.AlreadyExistsException;
import io.modelreg.NotFoundException;
import io.modelreg.TransientRegistryException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlflowHttpTest extends StandInServerTest {
  private MlflowHttp http;

  @BeforeEach
  void start() throws Exception {
    http = client(server.uri(), 4);
  }

  private static MlflowHttp client(URI uri, int attempts) {
    return new MlflowHttp(new MlflowHttp.Settings(uri,
        MlflowHttp.Settings.credentials(uri, "s3cr3t-token", null, null, false), Duration.ofSeconds(2),
        Duration.ofSeconds(5), attempts, Duration.ofMillis(10)));
  }

  @Test
  void mlflowErrorCodesBecomeRegistryExceptions() {
    assertThatThrownBy(() -> http.get("registered-models/get", MlflowHttp.params("name", "nope")))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("Registered Model with name=nope not found");
    http.post("registered-models/create", Map.of("name", "m"));
    assertThatThrownBy(() -> http.post("registered-models/create", Map.of("name", "m")))
        .isInstanceOf(AlreadyExistsException.class);
    assertThatThrownBy(() -> http.get("model-versions/get", MlflowHttp.params("name", "m", "version", "9")))
        .isInstanceOf(NotFoundException.class);
    // MLflow answers a missing alias with 400 INVALID_PARAMETER_VALUE, not 404
    assertThatThrownBy(() -> http.get("registered-models/alias", MlflowHttp.params("name", "m", "alias", "x")))
        .isInstanceOf(NotFoundException.class);
    http.post("model-versions/create", Map.of("name", "m", "source", "mlflow-artifacts:/m/s"));
    assertThatThrownBy(() -> http.post("model-versions/transition-stage",
        Map.of("name", "m", "version", "1", "stage", "Live", "archive_existing_versions", false)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid Model Version stage");
  }

  @Test
  void deletesAreDeleteWithABodyAndAPostAnswers405() throws Exception {
    http.post("registered-models/create", Map.of("name", "m"));
    HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(server.uri() + "/api/2.0/mlflow/registered-models/delete"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"m\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.body()).contains("<title>");
    http.delete("registered-models/delete", Map.of("name", "m"));
    assertThatThrownBy(() -> http.get("registered-models/get", MlflowHttp.params("name", "m"))).isInstanceOf(NotFoundException.class);
  }

  @Test
  void emptyFieldsAreOmittedAndVersionsAreStrings() {
    http.post("registered-models/create", Map.of("name", "m"));
    JsonNode m = http.get("registered-models/get", MlflowHttp.params("name", "m")).path("registered_model");
    assertThat(m.has("tags")).isFalse();
    assertThat(m.has("aliases")).isFalse();
    JsonNode v = http.post("model-versions/create", Map.of("name", "m", "source", "mlflow-artifacts:/m/s")).path("model_version");
    assertThat(v.path("version").isTextual()).isTrue();
    assertThat(v.path("current_stage").asText()).isEqualTo("None");
    http.post("registered-models/alias", Map.of("name", "m", "alias", "champion", "version", "1"));
    assertThat(http.get("model-versions/get", MlflowHttp.params("name", "m", "version", "1")).path("model_version")
        .path("aliases").get(0).asText()).isEqualTo("champion");
    assertThat(http.get("model-versions/search", MlflowHttp.params("filter", "name='m'")).path("model_versions").get(0)
        .has("aliases")).isFalse();
  }

  @Test
  void aBurstOf503sIsRetriedAndAStormFailsAsTransientInBoundedTime() {
    server.failNext.set(2);
    http.post("registered-models/create", Map.of("name", "m"));
    assertThat(server.requests.get()).isEqualTo(3);
    server.failNext.set(100);
    long start = System.nanoTime();
    assertThatThrownBy(() -> http.get("registered-models/get", MlflowHttp.params("name", "m")))
        .isInstanceOf(TransientRegistryException.class).hasMessageContaining("503").hasMessageContaining("4 attempts")
        .hasMessageNotContaining("s3cr3t");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void aServerThatIsDownIsTransientAndConnectionCloseIsHonoured() {
    server.connectionClose = true;
    for (int i = 0; i < 5; i++) {
      http.post("registered-models/create", Map.of("name", "m" + i));
    }
    server.close();
    assertThatThrownBy(() -> http.get("registered-models/get", MlflowHttp.params("name", "m0")))
        .isInstanceOf(TransientRegistryException.class).hasMessageContaining("Cannot reach MLflow");
  }

  @Test
  void artifactsStreamThroughTheProxyAndAMissingOneIsNotFound(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("model.onnx"), "bytes of the model");
    http.putArtifact("0/run1/artifacts/model dir/model.onnx", file);
    try (InputStream in = http.getArtifact("0/run1/artifacts/model dir/model.onnx")) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("bytes of the model");
    }
    assertThatThrownBy(() -> http.getArtifact("0/run1/artifacts/missing.bin")).isInstanceOf(NotFoundException.class);
    http.deleteArtifact("0/run1/artifacts/model dir/model.onnx");
    assertThatThrownBy(() -> http.getArtifact("0/run1/artifacts/model dir/model.onnx")).isInstanceOf(NotFoundException.class);
    assertThat(List.of(http.base().toString())).containsExactly(server.uri().toString());
  }

  @Test
  void aServerThatSaysRetryAfterIsGivenThatLong() {
    server.failNext.set(1);
    server.retryAfterSeconds = 1;
    long start = System.nanoTime();
    http.post("registered-models/create", Map.of("name", "patient"));
    // the client's own back-off here is 10 ms; the server asked for a second
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
  }

  @Test
  void aServerWithoutTheEndpointIsNamedAsSuch() {
    assertThatThrownBy(() -> http.get("no-such/endpoint", Map.of())).isInstanceOf(io.modelreg.RegistryException.class)
        .isNotInstanceOf(NotFoundException.class).hasMessageContaining("MLflow tracking server's base address");
  }

  @Test
  void requestsAndAnswersAreCheckedAgainstMlflowsProtobufMessages() {
    assertThatThrownBy(() -> http.post("registered-models/create", Map.of("name", "m", "colour", "red")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("colour");
    assertThatThrownBy(() -> http.get("model-versions/search", MlflowHttp.params("max_results", "many")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max_results");
    assertThat(server.protocolViolations).hasSize(2);
    server.protocolViolations.clear();
    // the same checker on answers: MLflow sends a version number as a string, timestamps as numbers
    assertThat(MlflowProtocol.checkResponse("GET model-versions/get",
        "{\"model_version\":{\"name\":\"m\",\"version\":\"1\",\"creation_timestamp\":1}}".getBytes(StandardCharsets.UTF_8)))
        .isNull();
    assertThat(MlflowProtocol.checkResponse("GET model-versions/get",
        "{\"model_version\":{\"name\":\"m\",\"version\":{\"n\":1}}}".getBytes(StandardCharsets.UTF_8)))
        .contains("model_version");
    assertThat(MlflowProtocol.checkResponse("GET registered-models/get",
        "{\"registered_model\":{\"name\":\"m\",\"aliases\":[\"champion\"]}}".getBytes(StandardCharsets.UTF_8)))
        .isNotNull();
  }

  @Test
  void settingsNeverPrintSecrets() {
    URI uri = URI.create("https://mlflow.example");
    MlflowHttp.Settings s = new MlflowHttp.Settings(uri, MlflowHttp.Settings.credentials(uri, "tok", "ada", "pw", false),
        Duration.ofSeconds(1), Duration.ofSeconds(1), 1, Duration.ofMillis(1));
    assertThat(s.toString()).doesNotContain("tok").doesNotContain("pw").doesNotContain("ada");
  }
}
