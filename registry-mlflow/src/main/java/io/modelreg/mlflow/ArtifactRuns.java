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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
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
  /** How many bytes of one file an upload holds in memory before it spools to a temporary file. */
  private final long uploadMemory;
  /**
   * The uploads begun and not closed, by location. A version is bound to its upload by the location its record
   * names ({@link VersionRecord#artifactLocation}, which the policy layer takes from {@link ArtifactUpload#location}),
   * an explicit value that travels with the registration, whichever thread makes it; never by thread.
   */
  private final ConcurrentMap<String, Upload> open = new ConcurrentHashMap<>();

  ArtifactRuns(MlflowHttp http, HistoryRuns history, Clock clock, Duration gcGrace, long uploadMemory) {
    this.http = http;
    this.history = history;
    this.clock = clock;
    this.gcGrace = gcGrace;
    this.uploadMemory = uploadMemory;
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

  /** The upload of this store, begun and not closed, whose files go to {@code location}; null for any other location. */
  @Nullable Upload upload(String location) {
    return open.get(location);
  }

  /** Starts a run for the files of a new version of {@code model}; each file is held (see {@link #spool}), then PUT. */
  ArtifactUpload begin(String model) {
    Names.checkModelName(model);
    JsonNode run = http.post("runs/create", Map.of("experiment_id", "0", "run_name", "modelreg-" + model,
        "start_time", clock.millis(), "tags", List.of(Map.of("key", RecordTags.PREFIX + "model", "value", model)))).path("run");
    Upload upload = new Upload(run.path("info").path("run_id").asText(), run.path("info").path("artifact_uri").asText(),
        new AtomicBoolean());
    open.put(upload.location(), upload);
    String base = proxyPath(upload.location());
    return new ArtifactUpload() {
      @Override
      public String location() {
        return upload.location();
      }

      @Override
      public Sink open(String path) {
        return spool(base + "/" + path, path);
      }

      /** Ends the run: FINISHED when a version was made from it, else FAILED (gc clears it after the grace period). */
      @Override
      public void close() {
        open.remove(upload.location(), upload);
        history.endRun(upload.runId(), upload.registered().get() ? "FINISHED" : "FAILED");
      }
    };
  }

  /**
   * A sink that keeps the bytes until commit and then PUTs them with a fixed length, so a PUT can be retried
   * without the caller: in memory up to {@code uploadMemory} bytes (in blocks of at most 1 MiB, allocated as the
   * bytes come), and in a temporary file from the first byte beyond, the blocks written out first.
   */
  private ArtifactUpload.Sink spool(String proxyPath, String path) {
    return new ArtifactUpload.Sink() {
      private final List<byte[]> blocks = new ArrayList<>();
      private int last; // bytes used in the last block
      private long held;
      private @Nullable Path tmp;
      private @Nullable OutputStream file;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        OutputStream out = file;
        if (out == null && held + len > uploadMemory) {
          out = toFile();
        }
        if (out != null) {
          out.write(b, off, len);
          return;
        }
        while (len > 0) {
          if (blocks.isEmpty() || last == blocks.get(blocks.size() - 1).length) {
            blocks.add(new byte[(int) Math.min(MAX_BLOCK, Math.max(len, Math.min(MAX_BLOCK, 2 * held)))]);
            last = 0;
          }
          byte[] block = blocks.get(blocks.size() - 1);
          int n = Math.min(len, block.length - last);
          System.arraycopy(b, off, block, last, n);
          last += n;
          held += n;
          off += n;
          len -= n;
        }
      }

      /** Past the memory budget: what is held goes to a temporary file, and so does everything after it. */
      private OutputStream toFile() throws IOException {
        Path f = Files.createTempFile("modelreg-mlflow", ".part");
        tmp = f;
        OutputStream out = Files.newOutputStream(f);
        file = out;
        writeBlocks(out);
        blocks.clear();
        return out;
      }

      private void writeBlocks(OutputStream out) throws IOException {
        for (int i = 0; i < blocks.size(); i++) {
          out.write(blocks.get(i), 0, i == blocks.size() - 1 ? last : blocks.get(i).length);
        }
      }

      @Override
      public void commit(Digest digest, long size) throws IOException {
        OutputStream out = file;
        Path f = tmp;
        if (out != null && f != null) {
          out.close();
          if (Files.size(f) != size) {
            throw new IntegrityException("Artifact " + path + " has " + Files.size(f) + " bytes, " + size + " expected");
          }
          http.putArtifact(proxyPath, f);
          return;
        }
        if (held != size) {
          throw new IntegrityException("Artifact " + path + " has " + held + " bytes, " + size + " expected");
        }
        http.putArtifact(proxyPath, new MlflowHttp.Body() {
          @Override
          public long size() {
            return held;
          }

          @Override
          public void writeTo(OutputStream to) throws IOException {
            writeBlocks(to);
          }
        });
      }

      @Override
      public void close() throws IOException {
        blocks.clear();
        OutputStream out = file;
        if (out != null) {
          out.close();
        }
        Path f = tmp;
        if (f != null) {
          Files.deleteIfExists(f);
        }
      }
    };
  }

  /** The largest block an upload held in memory is kept in. */
  private static final int MAX_BLOCK = 1 << 20;

  /** Marks {@code upload} as used by {@code version} and mirrors the version's params and metrics onto its run. */
  void registered(Upload upload, VersionRecord version) {
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
