package io.modelreg.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelreg.ArtifactEntry;
import io.modelreg.Digest;
import io.modelreg.GcReport;
import io.modelreg.IntegrityException;
import io.modelreg.MetricRecord;
import io.modelreg.Names;
import io.modelreg.RegistryException;
import io.modelreg.spi.ArtifactUpload;
import io.modelreg.spi.VersionRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The runs that hold versions' files: one MLflow run per upload in experiment 0 (tag {@code modelreg.model}),
 * files PUT and GET through the artifact proxy, the version's params and metrics mirrored onto its run for
 * MLflow's UI, and garbage collection of the runs no version uses any more.
 */
final class ArtifactRuns {
  /** An upload run; {@code registered} once a version was made from it. */
  record Upload(String runId, String location, AtomicBoolean registered) {}

  private final MlflowHttp http;
  private final HistoryRuns history;
  private final Clock clock;
  private final Duration gcGrace;
  /**
   * The upload this thread began last. The policy layer uploads, then allocates the version number (which
   * MLflow needs the source for) and creates the version on the same thread; the SPI passes no upload handle
   * to {@code allocateVersionNumber}.
   */
  private final ThreadLocal<@Nullable Upload> current = new ThreadLocal<>();

  ArtifactRuns(MlflowHttp http, HistoryRuns history, Clock clock, Duration gcGrace) {
    this.http = http;
    this.history = history;
    this.clock = clock;
    this.gcGrace = gcGrace;
  }

  /** {@code mlflow-artifacts:/0/<run>/artifacts} to the proxy path {@code 0/<run>/artifacts}. */
  static String proxyPath(String location) {
    String prefix = "mlflow-artifacts:";
    if (!location.startsWith(prefix)) {
      throw new IllegalArgumentException("Artifact location " + location + " is not served by MLflow's artifact proxy");
    }
    return location.substring(prefix.length()).replaceFirst("^/+", "");
  }

  /** The run of {@code mlflow-artifacts:/<experiment>/<run>/artifacts}; null for any other location. */
  static @Nullable String runIdOf(String location) {
    if (!location.startsWith("mlflow-artifacts:")) {
      return null;
    }
    String[] parts = location.replaceFirst("^mlflow-artifacts:/*", "").split("/");
    return parts.length >= 2 && !parts[1].isEmpty() ? parts[1] : null;
  }

  /** The upload this thread began and has not closed, if any. */
  @Nullable Upload current() {
    return current.get();
  }

  /** Starts a run for the files of a new version of {@code model}; each file is spooled, then PUT. */
  ArtifactUpload begin(String model) {
    Names.checkModelName(model);
    JsonNode run = http.post("runs/create", Map.of("experiment_id", "0", "run_name", "modelreg-" + model,
        "start_time", clock.millis(), "tags", List.of(Map.of("key", RecordTags.PREFIX + "model", "value", model)))).path("run");
    Upload upload = new Upload(run.path("info").path("run_id").asText(), run.path("info").path("artifact_uri").asText(),
        new AtomicBoolean());
    current.set(upload);
    String base = proxyPath(upload.location());
    return new ArtifactUpload() {
      @Override
      public String location() {
        return upload.location();
      }

      @Override
      public Sink open(String path) throws IOException {
        return spool(base + "/" + path, path);
      }

      /** Ends the run: FINISHED when a version was made from it, else FAILED (gc clears it after the grace period). */
      @Override
      public void close() {
        if (current.get() == upload) {
          current.remove();
        }
        history.endRun(upload.runId(), upload.registered().get() ? "FINISHED" : "FAILED");
      }
    };
  }

  /** A sink that writes to a temporary file and PUTs it on commit, so a PUT can be retried without the caller. */
  private ArtifactUpload.Sink spool(String proxyPath, String path) throws IOException {
    Path tmp = Files.createTempFile("modelreg-mlflow", ".part");
    OutputStream file = Files.newOutputStream(tmp);
    return new ArtifactUpload.Sink() {
      @Override
      public void write(int b) throws IOException {
        file.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        file.write(b, off, len);
      }

      @Override
      public void commit(Digest digest, long size) throws IOException {
        file.close();
        if (Files.size(tmp) != size) {
          throw new IntegrityException("Artifact " + path + " has " + Files.size(tmp) + " bytes, " + size + " expected");
        }
        http.putArtifact(proxyPath, tmp);
      }

      @Override
      public void close() throws IOException {
        file.close();
        Files.deleteIfExists(tmp);
      }
    };
  }

  /** Marks this thread's upload as used by a version and mirrors the version's params and metrics onto its run. */
  void registered(VersionRecord version) {
    Upload upload = current.get();
    if (upload == null) {
      return;
    }
    upload.registered().set(true);
    if (!version.metrics().isEmpty() || !version.params().isEmpty()) {
      logToRun(upload.runId(), version.metrics(), version.params(), version.createdAt());
    }
  }

  /** Mirrors metric runs recorded since {@code before} onto the version's run. */
  void metricRunsAdded(VersionRecord before, VersionRecord after) {
    String runId = runIdOf(after.artifactLocation());
    if (runId == null || after.metricRuns().size() <= before.metricRuns().size()) {
      return;
    }
    for (MetricRecord run : after.metricRuns().subList(before.metricRuns().size(), after.metricRuns().size())) {
      logToRun(runId, run.values(), Map.of(), run.time());
    }
  }

  private void logToRun(String runId, Map<String, Double> metrics, Map<String, String> params, Instant at) {
    List<Object> m = new ArrayList<>();
    metrics.forEach((k, v) -> m.add(Map.of("key", k, "value", v, "timestamp", at.toEpochMilli(), "step", 0)));
    List<Object> p = new ArrayList<>();
    params.forEach((k, v) -> p.add(Map.of("key", k, "value", v)));
    try {
      http.post("runs/log-batch", Map.of("run_id", runId, "metrics", m, "params", p));
    } catch (RegistryException | IllegalArgumentException e) {
      // the run is a mirror for the MLflow UI; the version's tags are authoritative
    }
  }

  InputStream open(VersionRecord version, ArtifactEntry entry) {
    return http.getArtifact(proxyPath(version.artifactLocation()) + "/" + entry.path());
  }

  /**
   * Clears the upload runs no version refers to any more — runs of deleted versions and of registrations
   * that never completed — once they are older than the grace period: their artifact files are deleted
   * through the proxy and the run is marked deleted (MLflow's own {@code mlflow gc} can then purge it). The
   * objects counted are runs: {@code deleted} runs cleared, {@code kept} upload runs still referenced or
   * within the grace period. Three kinds of request, each one per page or per file: every version (for the
   * runs they use), every upload run, and the files of the runs cleared.
   */
  GcReport collectGarbage() {
    Set<String> live = new HashSet<>();
    // a plain search leaves out the versions of prompts, whose runs hold their prompt.json
    for (Map<String, Object> query : List.<Map<String, Object>>of(Map.of(), Map.of("filter", RecordTags.PROMPT_FILTER))) {
      for (JsonNode v : http.searchAll("GET", "model-versions/search", "model_versions", query)) {
        live.add(v.path("run_id").asText(""));
        String runId = runIdOf(v.path("source").asText(""));
        if (runId != null) {
          live.add(runId);
        }
      }
    }
    long cutoff = clock.millis() - gcGrace.toMillis();
    int deleted = 0;
    int kept = 0;
    long bytes = 0;
    List<JsonNode> uploads = http.searchAll("POST", "runs/search", "runs",
        Map.of("experiment_ids", List.of("0"), "filter", "tags.`" + RecordTags.PREFIX + "model` LIKE '%'"));
    for (JsonNode run : uploads) {
      JsonNode info = run.path("info");
      String id = info.path("run_id").asText();
      if (live.contains(id) || info.path("start_time").asLong(Long.MAX_VALUE) > cutoff) {
        kept++;
        continue;
      }
      bytes += deleteArtifacts(proxyPath(info.path("artifact_uri").asText()));
      http.post("runs/delete", Map.of("run_id", id));
      deleted++;
    }
    return new GcReport(deleted, bytes, kept);
  }

  /** Deletes every file under an artifact directory; returns their total size. */
  private long deleteArtifacts(String dir) {
    long bytes = 0;
    for (JsonNode f : http.listArtifacts(dir).path("files")) {
      String path = dir + "/" + f.path("path").asText();
      if (f.path("is_dir").asBoolean()) {
        bytes += deleteArtifacts(path);
      } else {
        http.deleteArtifact(path);
        bytes += f.path("file_size").asLong();
      }
    }
    return bytes;
  }
}
