package io.modelreg.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelreg.ArtifactEntry;
import io.modelreg.ModelVersion;
import io.modelreg.RegistryOptions;
import io.modelreg.spi.RegistryStore;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The compatibility kit against a real MLflow server, opt-in: set {@code MODELREG_IT_MLFLOW_URI} (for example
 * {@code http://127.0.0.1:5000} after {@code mlflow server --backend-store-uri sqlite:///mlflow.db --port
 * 5000}). <b>Use a throwaway server:</b> every test starts by deleting all registered models on it.
 *
 * <p>Each test is isolated so the kit runs again and again on one long-lived server: it keeps its history in
 * an experiment of its own, and the models of earlier tests are deleted with plain REST calls, not through the
 * store. (The store's {@code deleteModel} notes the highest number a model had in the history experiment, so
 * that a re-created model keeps counting; cleaning up through it would make the next test's "m" start at 10.)
 * Credentials are not supported here: the test talks to an open throwaway server.
 */
@EnabledIfEnvironmentVariable(named = "MODELREG_IT_MLFLOW_URI", matches = ".+")
class RealMlflowServerCompatibilityTest extends MlflowKit {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final Map<RegistryStore, String> historyOf = new IdentityHashMap<>();

  static URI server() {
    return URI.create(System.getenv("MODELREG_IT_MLFLOW_URI").trim().replaceAll("/+$", ""));
  }

  private RegistryStore open(String history) {
    RegistryStore store = new MlflowRegistryProvider().open(server(),
        RegistryOptions.builder().storeOption("mlflow.history-experiment", history).build());
    historyOf.put(store, history);
    return store;
  }

  @Override
  protected RegistryStore newStore() {
    deleteEveryModel();
    return open("modelreg-kit-" + UUID.randomUUID());
  }

  @Override
  protected Optional<RegistryStore> secondClient(RegistryStore store) {
    String history = historyOf.get(store);
    return history == null ? Optional.empty() : Optional.of(open(history));
  }

  /** Flips the first byte of the stored file through MLflow's artifact proxy (GET, then PUT back). */
  @Override
  protected boolean corruptArtifact(RegistryStore store, ModelVersion version, ArtifactEntry entry) {
    String location = store.findVersion(version.name(), version.number()).orElseThrow().artifactLocation();
    URI file = URI.create(server() + "/api/2.0/mlflow-artifacts/artifacts/" + ArtifactRuns.proxyPath(location) + "/"
        + entry.path());
    try {
      byte[] bytes = HTTP.send(HttpRequest.newBuilder(file).GET().build(), HttpResponse.BodyHandlers.ofByteArray()).body();
      bytes[0] ^= 1;
      int status = HTTP.send(HttpRequest.newBuilder(file).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
      return status == 200;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Deletes every registered model, prompts included, with MLflow's own REST calls. */
  static void deleteEveryModel() {
    for (String filter : List.of("", "tags.`mlflow.prompt.is_prompt` = 'true'")) {
      JsonNode page = call("GET", "registered-models/search?max_results=1000&filter="
          + URLEncoder.encode(filter, StandardCharsets.UTF_8), null);
      for (JsonNode m : page.path("registered_models")) {
        call("DELETE", "registered-models/delete", Map.of("name", m.path("name").asText()));
      }
    }
  }

  private static JsonNode call(String method, String path, Object body) {
    try {
      HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
          : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
      HttpRequest request = HttpRequest.newBuilder(URI.create(server() + "/api/2.0/mlflow/" + path))
          .header("Content-Type", "application/json").method(method, publisher).build();
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
      }
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
