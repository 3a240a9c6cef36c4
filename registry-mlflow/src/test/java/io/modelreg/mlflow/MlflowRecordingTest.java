package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Records the answers of a real MLflow server to every {@link MlflowCases case} into {@code
 * src/test/resources/mlflow-recorded/<case>.json}, which {@link MlflowReplayTest} replays against the stand-in.
 * Opt-in: runs only when {@code MODELREG_RECORD_MLFLOW_URI} names a throwaway server that holds no registered
 * models (searches without a name clause would see them); each case cleans up its models, runs and experiments.
 *
 * <pre>MODELREG_RECORD_MLFLOW_URI=http://127.0.0.1:5000 ./mvnw -B -q -pl registry-mlflow -am verify \
 *   -Dtest=MlflowRecordingTest -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@EnabledIfEnvironmentVariable(named = "MODELREG_RECORD_MLFLOW_URI", matches = ".+")
class MlflowRecordingTest {
  static final Path RECORDINGS = Path.of("src", "test", "resources", "mlflow-recorded");

  private final HttpClient client = HttpClient.newHttpClient();

  @Test
  void recordsEveryCaseFromARealServer() throws Exception {
    URI base = URI.create(System.getenv("MODELREG_RECORD_MLFLOW_URI").replaceAll("/+$", ""));
    String version = send(base, "GET", "/version", null).trim();
    assertThat(foreignModels(base)).as("MODELREG_RECORD_MLFLOW_URI must name a server with no registered models").isEmpty();
    Files.createDirectories(RECORDINGS);
    for (MlflowCase c : MlflowCases.all()) {
      String prefix = "rec" + HexFormat.of().formatHex(new SecureRandom().generateSeed(3)) + "-";
      MlflowCasePlayer player = new MlflowCasePlayer(base, prefix);
      ObjectNode recording = MlflowCase.JSON.createObjectNode();
      recording.put("case", c.name);
      recording.put("about", c.about);
      recording.put("recorded_from", "MLflow " + version);
      ArrayNode steps = recording.putArray("steps");
      try {
        for (MlflowCase.Step step : c.steps) {
          ObjectNode s = steps.addObject();
          s.put("step", step.name());
          s.set("request", step.toJson());
          s.set("answer", player.play(step).toJson());
        }
      } finally {
        cleanUp(base, prefix, player);
      }
      Files.writeString(RECORDINGS.resolve(c.name + ".json"),
          MlflowCase.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(recording) + "\n");
    }
  }

  /** The registered models on the server, prompts included. */
  private List<String> foreignModels(URI base) throws IOException, InterruptedException {
    List<String> names = new java.util.ArrayList<>();
    for (String filter : List.of("", "tags.`mlflow.prompt.is_prompt` = 'true'")) {
      Map<String, String> q = filter.isEmpty() ? Map.of("max_results", "1000") : Map.of("max_results", "1000", "filter", filter);
      JsonNode page = MlflowCase.JSON.readTree(send(base, "GET", MlflowCase.API + "registered-models/search" + MlflowHttp.query(q), null));
      page.path("registered_models").forEach(m -> names.add(m.path("name").asText()));
    }
    return names;
  }

  /** Deletes what a case made: its models (by prefix), runs and experiments (every id it saw). */
  private void cleanUp(URI base, String prefix, MlflowCasePlayer player) throws IOException, InterruptedException {
    for (String name : foreignModels(base)) {
      if (name.startsWith(prefix)) {
        send(base, "DELETE", MlflowCase.API + "registered-models/delete", "{\"name\":\"" + name + "\"}");
      }
    }
    for (String run : player.seen("run_id")) {
      send(base, "POST", MlflowCase.API + "runs/delete", "{\"run_id\":\"" + run + "\"}");
    }
    for (String experiment : player.seen("experiment_id")) {
      send(base, "POST", MlflowCase.API + "experiments/delete", "{\"experiment_id\":\"" + experiment + "\"}");
    }
  }

  private String send(URI base, String method, String path, @Nullable String json) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (json == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.method(method, HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json");
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
  }
}
