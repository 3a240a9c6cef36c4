package io.modelreg.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One scripted conversation with an MLflow server: a sequence of HTTP requests whose answers are recorded from a
 * real server ({@link MlflowRecordingTest}) and replayed against the stand-in ({@link MlflowReplayTest}).
 *
 * <p>Requests are templates: {@code ${p}} is a prefix unique to one run of the case (so a long-lived server keeps
 * cases apart), and {@code ${name}} is a value captured from an earlier answer ({@link Step#captures}, a JSON
 * pointer into the raw answer), so later requests can name the run, experiment or version the server chose.
 */
final class MlflowCase {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String API = "/api/2.0/mlflow/";
  static final String ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts";

  /**
   * One request. {@code path} is an endpoint under {@link #API}, or under {@link #ARTIFACTS} when {@code artifact};
   * {@code query} is URL-encoded as the store encodes it; {@code body} is sent as JSON (with {@code Content-Type:
   * application/json} unless {@code contentType} is false), {@code raw} as bytes (UTF-8 text; the artifact proxy).
   */
  record Step(String name, String method, boolean artifact, String path, Map<String, String> query,
      @Nullable JsonNode body, @Nullable String raw, boolean contentType, Map<String, String> captures) {

    /** The request as the recording keeps it (templates unexpanded). */
    ObjectNode toJson() {
      ObjectNode o = JSON.createObjectNode();
      o.put("method", method);
      o.put("path", (artifact ? ARTIFACTS : API) + path);
      if (!query.isEmpty()) {
        ObjectNode q = o.putObject("query");
        query.forEach(q::put);
      }
      if (body != null) {
        o.set("body", body);
      }
      if (raw != null) {
        o.put("raw", raw);
      }
      if (!contentType) {
        o.put("content_type", false);
      }
      if (!captures.isEmpty()) {
        ObjectNode c = o.putObject("capture");
        captures.forEach(c::put);
      }
      return o;
    }

    static Step fromJson(String name, JsonNode o) {
      String path = o.path("path").asText();
      boolean artifact = path.startsWith(ARTIFACTS);
      Map<String, String> query = new LinkedHashMap<>();
      o.path("query").fields().forEachRemaining(e -> query.put(e.getKey(), e.getValue().asText()));
      Map<String, String> captures = new LinkedHashMap<>();
      o.path("capture").fields().forEachRemaining(e -> captures.put(e.getKey(), e.getValue().asText()));
      return new Step(name, o.path("method").asText(), artifact,
          path.substring(artifact ? ARTIFACTS.length() : API.length()), query,
          o.has("body") ? o.get("body") : null, o.has("raw") ? o.get("raw").asText() : null,
          o.path("content_type").asBoolean(true), captures);
    }
  }

  final String name;
  final String about;
  final List<Step> steps = new ArrayList<>();

  MlflowCase(String name, String about) {
    this.name = name;
    this.about = about;
  }

  // ------------------------------------------------------------------ building

  MlflowCase get(String step, String endpoint, String... query) {
    return add(new Step(step, "GET", false, endpoint, pairs(query), null, null, true, new LinkedHashMap<>()));
  }

  MlflowCase post(String step, String endpoint, JsonNode body) {
    return add(new Step(step, "POST", false, endpoint, Map.of(), body, null, true, new LinkedHashMap<>()));
  }

  MlflowCase patch(String step, String endpoint, JsonNode body) {
    return add(new Step(step, "PATCH", false, endpoint, Map.of(), body, null, true, new LinkedHashMap<>()));
  }

  /** A DELETE with a JSON body, as MLflow's registry delete calls take it. */
  MlflowCase delete(String step, String endpoint, JsonNode body) {
    return add(new Step(step, "DELETE", false, endpoint, Map.of(), body, null, true, new LinkedHashMap<>()));
  }

  /** A POST whose JSON body goes without {@code Content-Type}. */
  MlflowCase postWithoutContentType(String step, String endpoint, JsonNode body) {
    return add(new Step(step, "POST", false, endpoint, Map.of(), body, null, false, new LinkedHashMap<>()));
  }

  MlflowCase putArtifact(String step, String path, String content) {
    return add(new Step(step, "PUT", true, "/" + path, Map.of(), null, content, false, new LinkedHashMap<>()));
  }

  MlflowCase getArtifact(String step, String path) {
    return add(new Step(step, "GET", true, "/" + path, Map.of(), null, null, false, new LinkedHashMap<>()));
  }

  MlflowCase deleteArtifact(String step, String path) {
    return add(new Step(step, "DELETE", true, "/" + path, Map.of(), null, null, false, new LinkedHashMap<>()));
  }

  MlflowCase listArtifacts(String step, String dir) {
    return add(new Step(step, "GET", true, "", Map.of("path", dir), null, null, false, new LinkedHashMap<>()));
  }

  /** Keeps the value at {@code pointer} of the last step's answer as {@code ${name}} for later requests. */
  MlflowCase capture(String name, String pointer) {
    steps.get(steps.size() - 1).captures().put(name, pointer);
    return this;
  }

  private MlflowCase add(Step step) {
    steps.add(step);
    return this;
  }

  private static Map<String, String> pairs(String... kv) {
    if (kv.length % 2 != 0) {
      throw new IllegalArgumentException("query needs key-value pairs");
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  // ------------------------------------------------------------------ JSON helpers for the scripts

  /** An object of key-value pairs; values are strings, numbers, booleans or nodes. */
  static ObjectNode obj(Object... kv) {
    ObjectNode o = JSON.createObjectNode();
    for (int i = 0; i < kv.length; i += 2) {
      o.set((String) kv[i], JSON.valueToTree(kv[i + 1]));
    }
    return o;
  }

  static ArrayNode arr(Object... items) {
    ArrayNode a = JSON.createArrayNode();
    for (Object item : items) {
      a.add(JSON.<JsonNode>valueToTree(item));
    }
    return a;
  }

  static ObjectNode tag(String key, String value) {
    return obj("key", key, "value", value);
  }
}
