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
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Versions' files on MLflow's artifact proxy, and the runs that show versions' params and metrics. Each upload is
 * a directory of its own, {@code mlflow-artifacts:/modelreg/files/<model>/<millis>-<id>}, that needs no request to
 * begin: its files are PUT and GET through the proxy, and the version's MLflow {@code source} is that directory. A
 * version with params or metrics also gets a finished run holding them (MLflow's UI shows a version's run), made
 * just before the version. Garbage collection clears the upload directories and runs no version uses any more,
 * including the upload runs of earlier releases (one run per upload, files inside it).
 */
final class ArtifactRuns {
  /** The proxy directory under which every upload of this store lies, one directory per model. */
  static final String FILES = "modelreg/files";

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
  private final Set<String> open = ConcurrentHashMap.newKeySet();
  /**
   * Full blocks of finished uploads, kept for the next ones (at most {@code uploadMemory} bytes): holding 10 MiB in
   * new arrays made G1 grow and fault in fresh heap on every registration, 20-80 ms of a P8-real register.
   */
  private final Queue<byte[]> spare = new ConcurrentLinkedQueue<>();
  /** The threads of early PUTs (see {@link #spool}), one per file being sent; idle ones end after a minute. */
  private final ExecutorService sender = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
      new SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "modelreg-mlflow-upload");
        t.setDaemon(true);
        return t;
      });

  ArtifactRuns(MlflowHttp http, HistoryRuns history, Clock clock, Duration gcGrace, long uploadMemory) {
    this.http = http;
    this.history = history;
    this.clock = clock;
    this.gcGrace = gcGrace;
    this.uploadMemory = uploadMemory;
  }

  /** {@code mlflow-artifacts:/modelreg/files/m/…} to the proxy path {@code modelreg/files/m/…}. */
  static String proxyPath(String location) {
    String prefix = "mlflow-artifacts:";
    if (!location.startsWith(prefix)) {
      throw new IllegalArgumentException("Artifact location " + location + " is not served by MLflow's artifact proxy");
    }
    return location.substring(prefix.length()).replaceFirst("^/+", "");
  }

  /** The run of {@code mlflow-artifacts:/<experiment>/<run>/artifacts}; null for any other location. */
  static @Nullable String runIdOf(String location) {
    if (!location.startsWith("mlflow-artifacts:") || proxyPath(location).startsWith("modelreg/")) {
      return null;
    }
    String[] parts = location.replaceFirst("^mlflow-artifacts:/*", "").split("/");
    return parts.length >= 2 && !parts[1].isEmpty() ? parts[1] : null;
  }

  /** Whether {@code location} is an upload of this store, begun and not closed. */
  boolean inProgress(String location) {
    return open.contains(location);
  }

  /**
   * A directory for the files of a new version of {@code model}, named by the time and a random id: no request (an
   * upload run cost two, {@code runs/create} and {@code runs/update}, the gap to Python's register in P8-real). Each
   * file is held (see {@link #spool}), then PUT.
   */
  ArtifactUpload begin(String model) {
    Names.checkModelName(model);
    String dir = FILES + "/" + model + "/" + clock.millis() + "-" + UUID.randomUUID().toString().replace("-", "");
    String location = "mlflow-artifacts:/" + dir;
    open.add(location);
    return new ArtifactUpload() {
      @Override
      public String location() {
        return location;
      }

      @Override
      public Sink open(String path) {
        return spool(dir + "/" + path, path, -1);
      }

      @Override
      public Sink open(String path, long expectedSize) {
        return spool(dir + "/" + path, path, expectedSize);
      }

      /** Ends the upload; files no version came from stay until gc clears them after the grace period. */
      @Override
      public void close() {
        open.remove(location);
      }
    };
  }

  /**
   * A sink that keeps the bytes until commit and PUTs them with a fixed length, so a PUT can be retried without the
   * caller: in memory up to {@code uploadMemory} bytes (in blocks of at most 256 KiB, allocated as the bytes come or
   * kept from earlier uploads), and in a temporary file from the first byte beyond, the blocks written out first.
   *
   * <p>A file whose size is known beforehand ({@code expectedSize}, at least {@link #EARLY_SEND} bytes and held in
   * memory) is sent as its bytes come: a PUT of that length begins on another thread with the first write and
   * streams the blocks as they are filled, so reading and hashing overlap the transfer (on the real server 10 MiB
   * took 12-14 ms to read and hash before the PUT began, a tenth of a P8-real register). That early PUT is one
   * attempt; {@code commit} waits for it, and when it failed, or the bytes written were not {@code expectedSize} in
   * number, or the file outgrew memory, sends them again the usual way (retries included), over whatever the
   * early one left.
   */
  private ArtifactUpload.Sink spool(String proxyPath, String path, long expectedSize) {
    return new ArtifactUpload.Sink() {
      private long expected = expectedSize;
      private final List<byte[]> blocks = new ArrayList<>(); // guarded by this while an early PUT may read it
      private int last; // bytes used in the last block
      private long held;
      private @Nullable Path tmp;
      private @Nullable OutputStream file;
      private @Nullable Future<Boolean> early;
      /** No more bytes will reach the early PUT: committed, closed, or spooled to a file. */
      private boolean ended;

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
        synchronized (this) {
          while (len > 0) {
            if (blocks.isEmpty() || last == blocks.get(blocks.size() - 1).length) {
              int size = (int) Math.min(MAX_BLOCK, Math.max(len, Math.min(MAX_BLOCK, 2 * held)));
              byte[] reused = size == MAX_BLOCK ? spare.poll() : null;
              blocks.add(reused != null ? reused : new byte[size]);
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
          notifyAll();
        }
        if (early == null && expected >= EARLY_SEND && expected <= uploadMemory) {
          try {
            MlflowHttp.Body asWritten = MlflowHttp.Body.of(expected, this::sendAsWritten);
            early = sender.submit(() -> http.tryPutArtifact(proxyPath, asWritten));
          } catch (RejectedExecutionException closing) {
            expected = -1; // the store is closing: sent at commit, as any file
          }
        }
      }

      /** The early PUT's body: {@code expected} bytes, each block part sent once it is written. */
      private void sendAsWritten(OutputStream to) throws IOException {
        long sent = 0;
        int index = 0;
        int offset = 0;
        while (sent < expected) {
          byte[] block;
          int upto;
          synchronized (this) {
            while (!ended && (index >= blocks.size() || (index == blocks.size() - 1 && last <= offset))) {
              try {
                wait();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("early upload of " + path + " interrupted", e);
              }
            }
            if (ended && (file != null || index >= blocks.size() || (index == blocks.size() - 1 && last <= offset))) {
              // the bytes stopped short of the size expected, or went to a file: this PUT is abandoned
              throw new IOException("early upload of " + path + " ended after " + sent + " of " + expected + " bytes");
            }
            block = blocks.get(index);
            upto = index == blocks.size() - 1 ? last : block.length;
          }
          int n = (int) Math.min(upto - offset, expected - sent);
          to.write(block, offset, n);
          sent += n;
          offset += n;
          if (offset == block.length) {
            index++;
            offset = 0;
          }
        }
      }

      /** Ends the early PUT, if any, and tells whether it stored exactly the bytes held. */
      private boolean finishEarly() throws IOException {
        Future<Boolean> f = early;
        if (f == null) {
          return false;
        }
        synchronized (this) {
          ended = true;
          notifyAll();
        }
        early = null;
        try {
          return f.get() && file == null && held == expected;
        } catch (ExecutionException e) {
          return false;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("Interrupted while uploading " + path, e);
        }
      }

      /** Past the memory budget: what is held goes to a temporary file, and so does everything after it. */
      private OutputStream toFile() throws IOException {
        Path f = Files.createTempFile("modelreg-mlflow", ".part");
        tmp = f;
        OutputStream out = Files.newOutputStream(f);
        file = out;
        finishEarly(); // the early PUT reads the blocks about to be dropped; it ends short and is abandoned
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
          finishEarly();
          throw new IntegrityException("Artifact " + path + " has " + held + " bytes, " + size + " expected");
        }
        if (finishEarly()) {
          return;
        }
        http.putArtifact(proxyPath, MlflowHttp.Body.of(held, this::writeBlocks));
      }

      @Override
      public void close() throws IOException {
        finishEarly(); // before the blocks go back: an early PUT may still be reading them
        for (byte[] block : blocks) {
          if (block.length == MAX_BLOCK && spare.size() < uploadMemory / MAX_BLOCK) {
            spare.offer(block);
          }
        }
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

  /** The smallest file sent as its bytes come: below it, one round trip's worth of bytes, a thread hand-off costs more. */
  static final long EARLY_SEND = 1 << 20;

  /**
   * The largest block an upload held in memory is kept in. Not larger: holding 10 MiB in 1 MiB arrays took 22–36 ms
   * on JDK 17 with G1 once the heap was warm (each array allocated outside the thread's buffer), against 2.3 ms in
   * 256 KiB arrays — a tenth of a whole registration in P8-real.
   */
  private static final int MAX_BLOCK = 256 << 10;

  /**
   * The run that shows a new version's params and metrics in MLflow's UI, made finished before the version (MLflow
   * takes a version's {@code run_id} only when it creates it): {@code runs/create}, {@code runs/log-batch}, {@code
   * runs/update}. Null, and nothing written, for a version with neither; null too when MLflow refused the run, which
   * is a mirror only (the version's tags are authoritative) and never fails a registration. A run whose version
   * never came is cleared by gc.
   */
  @Nullable String mirrorRun(VersionRecord version) {
    if (version.metrics().isEmpty() && version.params().isEmpty()) {
      return null;
    }
    String runId;
    try {
      runId = http.post("runs/create", Map.of("experiment_id", "0", "run_name", "modelreg-" + version.model(),
          "start_time", clock.millis(), "tags", List.of(Map.of("key", RecordTags.PREFIX + "model", "value", version.model()))))
          .path("run").path("info").path("run_id").asText();
    } catch (RegistryException | IllegalArgumentException e) {
      return null;
    }
    logToRun(runId, version.metrics(), version.params(), version.createdAt());
    history.endRun(runId, "FINISHED");
    return runId;
  }

  /**
   * Mirrors metric runs recorded since {@code before} for MLflow's UI: onto the version's MLflow run, or, for a
   * version registered without params and metrics (which has no run, and MLflow takes a version's run only when it
   * creates it), as version tags {@code modelreg.metric.<name>} holding each metric's latest value. A mirror only:
   * the record holds every run, and a refused write fails nothing.
   */
  void metricRunsAdded(String runId, VersionRecord before, VersionRecord after) {
    if (after.metricRuns().size() <= before.metricRuns().size()) {
      return;
    }
    List<MetricRecord> added = after.metricRuns().subList(before.metricRuns().size(), after.metricRuns().size());
    if (!runId.isEmpty()) {
      for (MetricRecord run : added) {
        logToRun(runId, run.values(), Map.of(), run.time());
      }
      return;
    }
    Map<String, Double> latest = new TreeMap<>();
    added.forEach(run -> latest.putAll(run.values()));
    latest.forEach((name, value) -> {
      String key = METRIC_TAG + name;
      if (key.length() <= MAX_TAG_KEY) {
        try {
          http.post("model-versions/set-tag", Map.of("name", after.model(), "version", Integer.toString(after.number()),
              "key", key, "value", Double.toString(value)));
        } catch (RegistryException | IllegalArgumentException e) {
          // a mirror for the MLflow UI; the version's record is authoritative
        }
      }
    });
  }

  /** The version tags that show, in MLflow's UI, the latest metrics of a version that has no run. */
  static final String METRIC_TAG = RecordTags.PREFIX + "metric.";
  /** MLflow's longest tag key. */
  private static final int MAX_TAG_KEY = 250;

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

  /** Stops the threads of early PUTs; each has ended with its upload. */
  void close() {
    sender.shutdown();
  }

  InputStream open(VersionRecord version, ArtifactEntry entry) {
    return http.getArtifact(proxyPath(version.artifactLocation()) + "/" + entry.path());
  }

  /**
   * Clears what no version refers to any more — the upload directories and runs of deleted versions and of
   * registrations that never completed — once it is older than the grace period: files are deleted through the
   * proxy, and a run is marked deleted as well (MLflow's own {@code mlflow gc} can then purge it). The objects
   * counted are uploads: {@code deleted} upload directories and runs cleared, {@code kept} ones still referenced or
   * within the grace period. Requests, each one per page, directory or file: every version (for the sources and runs
   * they use), the upload directories, modelreg's runs, and the files of what is cleared.
   */
  GcReport collectGarbage() {
    Set<String> live = new HashSet<>();
    // a plain search leaves out the versions of prompts, whose uploads hold their prompt.json
    for (Map<String, Object> query : List.<Map<String, Object>>of(Map.of(), Map.of("filter", RecordTags.PROMPT_FILTER))) {
      for (JsonNode v : http.searchAll("GET", "model-versions/search", "model_versions", query)) {
        live.add(v.path("run_id").asText(""));
        String source = v.path("source").asText("");
        live.add(source.replaceAll("/+$", ""));
        String runId = runIdOf(source);
        if (runId != null) {
          live.add(runId);
        }
      }
    }
    long cutoff = clock.millis() - gcGrace.toMillis();
    int[] counts = new int[2]; // deleted, kept
    long bytes = 0;
    for (JsonNode model : http.listArtifacts(FILES).path("files")) {
      String modelDir = FILES + "/" + model.path("path").asText();
      for (JsonNode upload : http.listArtifacts(modelDir).path("files")) {
        String dir = modelDir + "/" + upload.path("path").asText();
        if (live.contains("mlflow-artifacts:/" + dir) || !(startedAt(upload.path("path").asText()) <= cutoff)) {
          counts[1]++;
          continue;
        }
        bytes += deleteDirectory(dir);
        counts[0]++;
      }
    }
    List<JsonNode> runs = http.searchAll("POST", "runs/search", "runs",
        Map.of("experiment_ids", List.of("0"), "filter", "tags.`" + RecordTags.PREFIX + "model` LIKE '%'"));
    for (JsonNode run : runs) {
      JsonNode info = run.path("info");
      String id = info.path("run_id").asText();
      if (live.contains(id) || info.path("start_time").asLong(Long.MAX_VALUE) > cutoff) {
        counts[1]++;
        continue;
      }
      bytes += deleteDirectory(proxyPath(info.path("artifact_uri").asText()));
      http.post("runs/delete", Map.of("run_id", id));
      counts[0]++;
    }
    return new GcReport(counts[0], bytes, counts[1]);
  }

  /** When an upload directory ({@code <millis>-<id>}) was begun; the far future for a name not of that form. */
  private static long startedAt(String name) {
    int dash = name.indexOf('-');
    try {
      return dash > 0 ? Long.parseLong(name.substring(0, dash)) : Long.MAX_VALUE;
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * Deletes an artifact directory and everything in it, in one request (MLflow's proxy removes a directory whole, as
   * its artifact stores delete a prefix); returns the total size of its files, listed first.
   */
  private long deleteDirectory(String dir) {
    long bytes = sizeOf(dir);
    http.deleteArtifact(dir);
    return bytes;
  }

  private long sizeOf(String dir) {
    long bytes = 0;
    for (JsonNode f : http.listArtifacts(dir).path("files")) {
      bytes += f.path("is_dir").asBoolean() ? sizeOf(dir + "/" + f.path("path").asText()) : f.path("file_size").asLong();
    }
    return bytes;
  }
}
