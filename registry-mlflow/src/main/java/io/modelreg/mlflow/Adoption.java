package io.modelreg.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelreg.ArtifactEntry;
import io.modelreg.ArtifactManifest;
import io.modelreg.Digest;
import io.modelreg.Lineage;
import io.modelreg.TransientRegistryException;
import io.modelreg.VersionStatus;
import io.modelreg.spi.VersionRecord;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Surveys a version another MLflow client registered (Python's {@code mlflow.<flavor>.log_model(...,
 * registered_model_name=...)} or {@code mlflow.register_model}), which has no modelreg record and so no
 * digests: its files are listed through the artifact proxy and each streamed once to hash it, params and
 * latest metrics come from its run, and the run id and source become its lineage. The result is a READY
 * record the policy layer commits like any other version update; the version's MLflow fields stay as they
 * were, so Python sees the same version.
 */
final class Adoption {
  private final MlflowHttp http;
  private final Clock clock;

  Adoption(MlflowHttp http, Clock clock) {
    this.http = http;
    this.clock = clock;
  }

  /**
   * The record of version {@code v} (a {@code model-versions/get} answer) with its files hashed.
   *
   * @throws IllegalArgumentException if it already has a modelreg record, is not READY in MLflow, has no files,
   *     or its source is not served by the artifact proxy
   */
  VersionRecord survey(JsonNode v) {
    String model = v.path("name").asText();
    String number = v.path("version").asText();
    Map<String, String> tags = RecordTags.tags(v);
    if (tags.containsKey(RecordTags.RECORD)) {
      throw new IllegalArgumentException("Version " + number + " of '" + model + "' already has a modelreg record; nothing to adopt");
    }
    if (!"READY".equals(v.path("status").asText("READY"))) {
      throw new IllegalArgumentException("Version " + number + " of '" + model + "' is " + v.path("status").asText()
          + " in MLflow; only a READY version can be adopted");
    }
    String source = v.path("source").asText("");
    String runId = v.path("run_id").asText("");
    String location = artifactDirectory(source);
    List<ArtifactEntry> files = new ArrayList<>();
    hashTree(ArtifactRuns.proxyPath(location), "", files);
    if (files.isEmpty()) {
      throw new IllegalArgumentException("Version " + number + " of '" + model + "' has no files under " + source);
    }
    Map<String, String> params = new TreeMap<>();
    Map<String, Double> metrics = new TreeMap<>();
    Lineage.Builder lineage = Lineage.builder().sourceUri(source);
    if (!runId.isEmpty()) {
      JsonNode data = http.get("runs/get", MlflowHttp.params("run_id", runId)).path("run").path("data");
      data.path("params").forEach(p -> params.put(p.path("key").asText(), p.path("value").asText()));
      data.path("metrics").forEach(m -> metrics.put(m.path("key").asText(), m.path("value").asDouble()));
      lineage.runId(runId);
    }
    Instant created = Instant.ofEpochMilli(v.path("creation_timestamp").asLong());
    String by = v.path("user_id").asText("");
    return new VersionRecord(model, Integer.parseInt(number), null, VersionStatus.READY,
        v.hasNonNull("description") ? v.path("description").asText() : null, RecordTags.userTags(tags), params, metrics, List.of(),
        lineage.build(), null, ArtifactManifest.of(files), location, created, by.isEmpty() ? "mlflow" : by, clock.instant(),
        0);
  }

  /**
   * The {@code mlflow-artifacts:} directory of a version's source: as given, a {@code runs:/} path resolved
   * against the run's artifact root, or MLflow 3's {@code models:/<model id>} resolved to the logged model's
   * artifact location.
   */
  private String artifactDirectory(String source) {
    String dir = source;
    String loggedModel = source.startsWith("models:/") ? source.substring("models:/".length()) : "";
    if (!loggedModel.isEmpty() && !loggedModel.contains("/")) {
      dir = http.get("logged-models/" + URLEncoder.encode(loggedModel, StandardCharsets.UTF_8), Map.of())
          .path("model").path("info").path("artifact_uri").asText("");
    } else if (source.startsWith("runs:/")) {
      String rest = source.substring("runs:/".length());
      int slash = rest.indexOf('/');
      String run = slash < 0 ? rest : rest.substring(0, slash);
      String path = slash < 0 ? "" : rest.substring(slash + 1);
      String root = http.get("runs/get", MlflowHttp.params("run_id", run)).path("run").path("info").path("artifact_uri").asText("");
      dir = path.isEmpty() ? root : root.replaceAll("/+$", "") + "/" + path;
    }
    dir = dir.replaceAll("/+$", "");
    if (!dir.startsWith("mlflow-artifacts:")) {
      throw new IllegalArgumentException("The version's source '" + source + "' is not served by MLflow's artifact proxy"
          + " (mlflow-artifacts:/…, runs:/… or a logged model's models:/<id>); download it and register it with modelreg"
          + " instead");
    }
    return dir;
  }

  /** Lists {@code dir} recursively and hashes every file, streaming it once. */
  private void hashTree(String dir, String prefix, List<ArtifactEntry> out) {
    for (JsonNode f : http.listArtifacts(dir).path("files")) {
      String name = f.path("path").asText();
      name = name.substring(name.lastIndexOf('/') + 1);
      if (f.path("is_dir").asBoolean()) {
        hashTree(dir + "/" + name, prefix + name + "/", out);
        continue;
      }
      MessageDigest md = Digest.newSha256();
      long size = 0;
      byte[] buf = new byte[64 * 1024];
      try (InputStream in = http.getArtifact(dir + "/" + name)) {
        for (int r; (r = in.read(buf)) > 0; ) {
          md.update(buf, 0, r);
          size += r;
        }
      } catch (IOException e) {
        throw new TransientRegistryException("Reading " + dir + "/" + name + " from MLflow failed: " + e.getMessage(), e);
      }
      out.add(new ArtifactEntry(prefix + name, size, Digest.fromBytes(md.digest())));
    }
  }
}
