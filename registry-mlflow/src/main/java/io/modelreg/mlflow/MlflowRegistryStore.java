package io.modelreg.mlflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelreg.ArtifactEntry;
import io.modelreg.ArtifactManifest;
import io.modelreg.ConflictException;
import io.modelreg.Digest;
import io.modelreg.IntegrityException;
import io.modelreg.Lineage;
import io.modelreg.MetricRecord;
import io.modelreg.ModelNotFoundException;
import io.modelreg.Names;
import io.modelreg.NotFoundException;
import io.modelreg.RegistryEvent;
import io.modelreg.RegistryException;
import io.modelreg.SemanticVersion;
import io.modelreg.Signature;
import io.modelreg.Stage;
import io.modelreg.VersionNotFoundException;
import io.modelreg.VersionStatus;
import io.modelreg.spi.ArtifactUpload;
import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.RegistryStore;
import io.modelreg.spi.StoreCapability;
import io.modelreg.spi.VersionRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RegistryStore} over an MLflow tracking server. What MLflow has natively is used natively (model
 * and version names, descriptions, tags, aliases, stages mirrored to MLflow's stages, artifacts in the
 * version's run); what it lacks is kept in reserved {@code modelreg.*} tags, readable in the MLflow UI. See
 * the module README for the mapping table.
 */
public final class MlflowRegistryStore implements RegistryStore {
  static final String PREFIX = Names.RESERVED_TAG_PREFIX;
  static final int TAG_LIMIT = 5000;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HISTORY_EXPERIMENT = "modelreg-history";

  private final MlflowHttp http;
  private final String description;
  private final ThreadLocal<@Nullable Upload> lastUpload = new ThreadLocal<>();
  private final ConcurrentHashMap<String, String> historyRuns = new ConcurrentHashMap<>();
  private volatile @Nullable String historyExperiment;

  MlflowRegistryStore(MlflowHttp http) {
    this.http = http;
    this.description = http.base().toString();
  }

  @Override
  public Set<StoreCapability> capabilities() {
    return EnumSet.of(StoreCapability.DURABLE, StoreCapability.SHARED);
  }

  @Override
  public String describe() {
    return description;
  }

  // ================================================================== tag helpers

  private static Map<String, String> tags(JsonNode node) {
    Map<String, String> out = new TreeMap<>();
    for (JsonNode t : node.path("tags")) {
      out.put(t.path("key").asText(), t.path("value").asText());
    }
    return out;
  }

  private static Map<String, String> userTags(Map<String, String> all) {
    Map<String, String> out = new TreeMap<>();
    all.forEach((k, v) -> {
      if (!k.startsWith(PREFIX)) {
        out.put(k, v);
      }
    });
    return out;
  }

  /** A JSON value split into tags of at most {@link #TAG_LIMIT} characters: KEY.chunks and KEY.0, KEY.1, … */
  static Map<String, String> chunked(String key, Object value) {
    String json;
    try {
      json = JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    Map<String, String> out = new LinkedHashMap<>();
    int n = 0;
    for (int i = 0; i < json.length(); i += TAG_LIMIT) {
      out.put(key + "." + n++, json.substring(i, Math.min(json.length(), i + TAG_LIMIT)));
    }
    out.put(key + ".chunks", Integer.toString(n));
    return out;
  }

  static @Nullable JsonNode unchunk(Map<String, String> tags, String key) {
    String count = tags.get(key + ".chunks");
    if (count == null) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Integer.parseInt(count); i++) {
      String part = tags.get(key + "." + i);
      if (part == null) {
        throw new IntegrityException("MLflow tag " + key + "." + i + " is missing");
      }
      sb.append(part);
    }
    try {
      return JSON.readTree(sb.toString());
    } catch (IOException e) {
      throw new IntegrityException("MLflow tags " + key + ".* do not hold valid JSON", e);
    }
  }

  private static List<Map<String, String>> tagList(Map<String, String> tags) {
    List<Map<String, String>> out = new ArrayList<>();
    tags.forEach((k, v) -> out.add(Map.of("key", k, "value", v)));
    return out;
  }

  // ================================================================== models

  private @Nullable JsonNode getModel(String name) {
    try {
      return http.get("registered-models/get", MlflowHttp.params("name", name)).path("registered_model");
    } catch (NotFoundException e) {
      return null;
    }
  }

  private static ModelRecord model(JsonNode m) {
    Map<String, String> tags = tags(m);
    Map<String, Integer> aliases = new TreeMap<>();
    for (JsonNode a : m.path("aliases")) {
      aliases.put(a.path("alias").asText(), Integer.parseInt(a.path("version").asText()));
    }
    Map<Integer, Stage> stages = new TreeMap<>();
    List<Integer> history = new ArrayList<>();
    JsonNode state = unchunk(tags, PREFIX + "state");
    long revision = 1;
    Instant created = Instant.ofEpochMilli(m.path("creation_timestamp").asLong());
    Instant updated = Instant.ofEpochMilli(m.path("last_updated_timestamp").asLong());
    if (state != null) {
      state.path("stages").fields().forEachRemaining(e -> stages.put(Integer.parseInt(e.getKey()), Stage.valueOf(e.getValue().asText())));
      state.path("production_history").forEach(h -> history.add(h.asInt()));
      revision = state.path("revision").asLong(1);
      created = Instant.parse(state.path("created_at").asText(created.toString()));
      updated = Instant.parse(state.path("updated_at").asText(updated.toString()));
    }
    return new ModelRecord(m.path("name").asText(), m.hasNonNull("description") ? m.path("description").asText() : null,
        userTags(tags), aliases, stages, history, created, updated, revision);
  }

  private static Map<String, String> stateTags(ModelRecord m, long revision) {
    Map<String, Object> state = new LinkedHashMap<>();
    Map<String, String> stages = new TreeMap<>();
    m.stages().forEach((n, s) -> stages.put(Integer.toString(n), s.name()));
    state.put("stages", stages);
    state.put("production_history", m.productionHistory());
    state.put("revision", revision);
    state.put("created_at", m.createdAt().toString());
    state.put("updated_at", m.updatedAt().toString());
    return chunked(PREFIX + "state", state);
  }

  @Override
  public Optional<ModelRecord> findModel(String name) {
    JsonNode m = getModel(name);
    return m == null ? Optional.empty() : Optional.of(model(m));
  }

  @Override
  public List<String> listModelNames() {
    Set<String> names = new TreeSet<>();
    for (String filter : List.of("", "tags.`mlflow.prompt.is_prompt` = 'true'")) {
      String token = null;
      do {
        Map<String, String> q = MlflowHttp.params("max_results", "1000");
        if (!filter.isEmpty()) {
          q.put("filter", filter);
        }
        if (token != null) {
          q.put("page_token", token);
        }
        JsonNode page = http.get("registered-models/search", q);
        page.path("registered_models").forEach(m -> names.add(m.path("name").asText()));
        token = page.hasNonNull("next_page_token") ? page.path("next_page_token").asText() : null;
      } while (token != null);
    }
    return new ArrayList<>(names);
  }

  @Override
  public ModelRecord createModel(ModelRecord model) {
    Map<String, String> tags = new TreeMap<>(model.tags());
    tags.putAll(stateTags(model, 1));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", model.name());
    if (model.description() != null) {
      body.put("description", model.description());
    }
    body.put("tags", tagList(tags));
    http.post("registered-models/create", body);
    return model.withRevision(1);
  }

  @Override
  public ModelRecord updateModel(ModelRecord model, long expectedRevision) {
    JsonNode current = getModel(model.name());
    if (current == null) {
      throw new ModelNotFoundException(model.name());
    }
    ModelRecord before = model(current);
    if (before.revision() != expectedRevision) {
      throw new ConflictException("Model '" + model.name() + "' is at revision " + before.revision() + ", not " + expectedRevision);
    }
    String name = model.name();
    if (!Objects.equals(before.description(), model.description())) {
      http.patch("registered-models/update", Map.of("name", name, "description", Objects.requireNonNullElse(model.description(), "")));
    }
    syncTags("registered-models", Map.of("name", name), before.tags(), model.tags());
    for (Map.Entry<String, Integer> a : before.aliases().entrySet()) {
      if (!model.aliases().containsKey(a.getKey())) {
        http.delete("registered-models/alias", Map.of("name", name, "alias", a.getKey()));
      }
    }
    model.aliases().forEach((alias, n) -> {
      if (!n.equals(before.aliases().get(alias))) {
        http.post("registered-models/alias", Map.of("name", name, "alias", alias, "version", Integer.toString(n)));
      }
    });
    Set<Integer> moved = new TreeSet<>(before.stages().keySet());
    moved.addAll(model.stages().keySet());
    for (int n : moved) {
      if (before.stageOf(n) != model.stageOf(n)) {
        try {
          http.post("model-versions/transition-stage", Map.of("name", name, "version", Integer.toString(n),
              "stage", mlflowStage(model.stageOf(n)), "archive_existing_versions", false));
        } catch (NotFoundException e) {
          // a deleted version keeps no native stage
        }
      }
    }
    // the state tags carry the revision: written last, they commit the update
    stateTags(model, expectedRevision + 1).forEach((k, v) -> http.post("registered-models/set-tag",
        Map.of("name", name, "key", k, "value", v)));
    return model.withRevision(expectedRevision + 1);
  }

  static String mlflowStage(Stage s) {
    switch (s) {
      case STAGING:
        return "Staging";
      case PRODUCTION:
        return "Production";
      case ARCHIVED:
        return "Archived";
      default:
        return "None";
    }
  }

  private void syncTags(String kind, Map<String, String> id, Map<String, String> before, Map<String, String> after) {
    for (String k : before.keySet()) {
      if (!after.containsKey(k)) {
        Map<String, String> body = new LinkedHashMap<>(id);
        body.put("key", k);
        http.delete(kind + "/delete-tag", body);
      }
    }
    after.forEach((k, v) -> {
      if (!v.equals(before.get(k))) {
        Map<String, String> body = new LinkedHashMap<>(id);
        body.put("key", k);
        body.put("value", v);
        http.post(kind + "/set-tag", body);
      }
    });
  }

  @Override
  public void deleteModel(String name) {
    try {
      http.delete("registered-models/delete", Map.of("name", name));
    } catch (NotFoundException e) {
      throw new ModelNotFoundException(name);
    }
  }

  // ================================================================== versions

  /** A version as MLflow holds it; one without our record tags is an MLflow-native version, shown as PENDING. */
  private static VersionRecord version(JsonNode v) {
    Map<String, String> tags = tags(v);
    String model = v.path("name").asText();
    int number = Integer.parseInt(v.path("version").asText());
    JsonNode r = unchunk(tags, PREFIX + "record");
    String description = v.hasNonNull("description") ? v.path("description").asText() : null;
    Instant created = Instant.ofEpochMilli(v.path("creation_timestamp").asLong());
    if (r == null) {
      return new VersionRecord(model, number, null, VersionStatus.PENDING, description, userTags(tags), Map.of(), Map.of(),
          List.of(), Lineage.empty(), null, ArtifactManifest.empty(), v.path("source").asText(""), created, "mlflow",
          created, 0);
    }
    List<ArtifactEntry> files = new ArrayList<>();
    for (JsonNode f : r.path("files")) {
      files.add(new ArtifactEntry(f.get(0).asText(), f.get(1).asLong(), new Digest(f.get(2).asText())));
    }
    ArtifactManifest manifest = new ArtifactManifest(files, Digest.parse(r.path("digest").asText()));
    List<MetricRecord> runs = new ArrayList<>();
    for (JsonNode run : r.path("metric_runs")) {
      runs.add(new MetricRecord(run.path("run_id").asText(), Instant.parse(run.path("time").asText()),
          doubles(run.path("values")), run.path("notes").asText("")));
    }
    JsonNode l = r.path("lineage");
    List<String> datasets = new ArrayList<>();
    l.path("datasets").forEach(d -> datasets.add(d.asText()));
    Lineage lineage = new Lineage(text(l, "run_id"), text(l, "source_uri"), l.hasNonNull("parent_version") ? l.path("parent_version").asInt() : null,
        text(l, "git_commit"), l.hasNonNull("git_dirty") ? l.path("git_dirty").asBoolean() : null, datasets, strings(l.path("dependencies")));
    Signature signature = null;
    if (r.path("signature").isObject()) {
      signature = new Signature(fields(r.path("signature").path("inputs")), fields(r.path("signature").path("outputs")));
    }
    return new VersionRecord(model, number, r.hasNonNull("semver") ? SemanticVersion.parse(r.path("semver").asText()) : null,
        VersionStatus.valueOf(r.path("status").asText("READY")), description, userTags(tags), strings(r.path("params")),
        doubles(r.path("metrics")), runs, lineage, signature, manifest, r.path("artifact_location").asText(),
        Instant.parse(r.path("created_at").asText()), r.path("created_by").asText(), Instant.parse(r.path("updated_at").asText()),
        r.path("revision").asLong(1));
  }

  private static @Nullable String text(JsonNode n, String field) {
    return n.hasNonNull(field) ? n.path(field).asText() : null;
  }

  private static Map<String, String> strings(JsonNode n) {
    Map<String, String> out = new TreeMap<>();
    n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private static Map<String, Double> doubles(JsonNode n) {
    Map<String, Double> out = new TreeMap<>();
    n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asDouble()));
    return out;
  }

  private static List<Signature.Field> fields(JsonNode list) {
    List<Signature.Field> out = new ArrayList<>();
    for (JsonNode f : list) {
      List<Long> shape = null;
      if (f.path("shape").isArray()) {
        shape = new ArrayList<>();
        for (JsonNode d : f.path("shape")) {
          shape.add(d.asLong());
        }
      }
      out.add(new Signature.Field(text(f, "name"), f.path("type").asText(), shape, f.path("required").asBoolean(true)));
    }
    return out;
  }

  /** Everything of a version MLflow has no field for, as chunked JSON tags, plus readable key tags. */
  private static Map<String, String> recordTags(VersionRecord v, long revision) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("semver", v.semver() == null ? null : v.semver().toString());
    r.put("status", v.status().name());
    r.put("params", v.params());
    r.put("metrics", v.metrics());
    List<Object> runs = new ArrayList<>();
    for (MetricRecord run : v.metricRuns()) {
      runs.add(Map.of("run_id", run.runId(), "time", run.time().toString(), "values", run.values(), "notes", run.notes()));
    }
    r.put("metric_runs", runs);
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("run_id", v.lineage().runId());
    l.put("source_uri", v.lineage().sourceUri());
    l.put("parent_version", v.lineage().parentVersion());
    l.put("git_commit", v.lineage().gitCommit());
    l.put("git_dirty", v.lineage().gitDirty());
    l.put("datasets", v.lineage().datasets());
    l.put("dependencies", v.lineage().dependencies());
    r.put("lineage", l);
    Signature s = v.signature();
    if (s != null) {
      r.put("signature", Map.of("inputs", fieldList(s.inputs()), "outputs", fieldList(s.outputs())));
    }
    List<Object> files = new ArrayList<>();
    for (ArtifactEntry e : v.manifest().files()) {
      files.add(List.of(e.path(), e.size(), e.digest().hex()));
    }
    r.put("files", files);
    r.put("digest", v.manifest().digest().toString());
    r.put("artifact_location", v.artifactLocation());
    r.put("created_at", v.createdAt().toString());
    r.put("created_by", v.createdBy());
    r.put("updated_at", v.updatedAt().toString());
    r.put("revision", revision);
    Map<String, String> tags = new LinkedHashMap<>(chunked(PREFIX + "record", r));
    tags.put(PREFIX + "digest", v.manifest().digest().toString());
    if (v.semver() != null) {
      tags.put(PREFIX + "semver", v.semver().toString());
    }
    return tags;
  }

  private static List<Object> fieldList(List<Signature.Field> fields) {
    List<Object> out = new ArrayList<>();
    for (Signature.Field f : fields) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", f.name());
      m.put("type", f.type());
      m.put("shape", f.shape());
      m.put("required", f.required());
      out.add(m);
    }
    return out;
  }

  @Override
  public int allocateVersionNumber(String model) {
    Upload upload = lastUpload.get();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", model);
    body.put("source", upload != null ? upload.location : "modelreg:empty");
    if (upload != null) {
      body.put("run_id", upload.runId);
    }
    JsonNode v = http.post("model-versions/create", body).path("model_version");
    return Integer.parseInt(v.path("version").asText());
  }

  @Override
  public VersionRecord createVersion(VersionRecord version) {
    String name = version.model();
    String number = Integer.toString(version.number());
    if (version.description() != null) {
      http.patch("model-versions/update", Map.of("name", name, "version", number, "description", version.description()));
    }
    Map<String, String> tags = new LinkedHashMap<>(version.tags());
    tags.putAll(recordTags(version, 1));
    tags.forEach((k, v) -> http.post("model-versions/set-tag", Map.of("name", name, "version", number, "key", k, "value", v)));
    Upload upload = lastUpload.get();
    if (upload != null && (!version.metrics().isEmpty() || !version.params().isEmpty())) {
      logToRun(upload.runId, version.metrics(), version.params(), version.createdAt());
    }
    return version.withRevision(1);
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

  @Override
  public Optional<VersionRecord> findVersion(String model, int number) {
    try {
      return Optional.of(version(http.get("model-versions/get",
          MlflowHttp.params("name", model, "version", Integer.toString(number))).path("model_version")));
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  @Override
  public List<VersionRecord> listVersions(String model) {
    TreeMap<Integer, VersionRecord> out = new TreeMap<>();
    String token = null;
    do {
      Map<String, String> q = MlflowHttp.params("filter", "name='" + model.replace("'", "\\'") + "'", "max_results", "1000");
      if (token != null) {
        q.put("page_token", token);
      }
      JsonNode page = http.get("model-versions/search", q);
      for (JsonNode v : page.path("model_versions")) {
        VersionRecord r = version(v);
        out.put(r.number(), r);
      }
      token = page.hasNonNull("next_page_token") ? page.path("next_page_token").asText() : null;
    } while (token != null);
    return List.copyOf(out.values());
  }

  @Override
  public VersionRecord updateVersion(VersionRecord version, long expectedRevision) {
    VersionRecord current = findVersion(version.model(), version.number()).orElseThrow(() ->
        new VersionNotFoundException("Version " + version.number() + " of model '" + version.model() + "' not found"));
    if (current.revision() != expectedRevision) {
      throw new ConflictException("Version " + version.number() + " of '" + version.model() + "' is at revision "
          + current.revision() + ", not " + expectedRevision);
    }
    String name = version.model();
    String number = Integer.toString(version.number());
    if (!Objects.equals(current.description(), version.description())) {
      http.patch("model-versions/update", Map.of("name", name, "version", number,
          "description", Objects.requireNonNullElse(version.description(), "")));
    }
    syncTags("model-versions", Map.of("name", name, "version", number), current.tags(), version.tags());
    if (version.metricRuns().size() > current.metricRuns().size()) {
      String runId = runIdOf(version.artifactLocation());
      for (MetricRecord run : version.metricRuns().subList(current.metricRuns().size(), version.metricRuns().size())) {
        if (runId != null) {
          logToRun(runId, run.values(), Map.of(), run.time());
        }
      }
    }
    recordTags(version, expectedRevision + 1).forEach((k, v) -> http.post("model-versions/set-tag",
        Map.of("name", name, "version", number, "key", k, "value", v)));
    return version.withRevision(expectedRevision + 1);
  }

  @Override
  public void deleteVersion(String model, int number) {
    try {
      http.delete("model-versions/delete", Map.of("name", model, "version", Integer.toString(number)));
    } catch (NotFoundException e) {
      throw new VersionNotFoundException("Version " + number + " of model '" + model + "' not found");
    }
  }

  // ================================================================== artifacts

  private record Upload(String runId, String location) {}

  /** {@code mlflow-artifacts:/0/<run>/artifacts} to the proxy path {@code 0/<run>/artifacts}. */
  static String proxyPath(String location) {
    String prefix = "mlflow-artifacts:";
    if (!location.startsWith(prefix)) {
      throw new IllegalArgumentException("Artifact location " + location + " is not served by MLflow's artifact proxy");
    }
    return location.substring(prefix.length()).replaceFirst("^/+", "");
  }

  private static @Nullable String runIdOf(String location) {
    String[] parts = location.replaceFirst("^mlflow-artifacts:/*", "").split("/");
    return parts.length >= 2 ? parts[1] : null;
  }

  @Override
  public ArtifactUpload beginUpload(String model) {
    Names.checkModelName(model);
    JsonNode run = http.post("runs/create", Map.of("experiment_id", "0", "run_name", "modelreg-" + model,
        "start_time", System.currentTimeMillis(), "tags", List.of(Map.of("key", PREFIX + "model", "value", model)))).path("run");
    Upload upload = new Upload(run.path("info").path("run_id").asText(), run.path("info").path("artifact_uri").asText());
    lastUpload.set(upload);
    String base = proxyPath(upload.location());
    return new ArtifactUpload() {
      @Override
      public String location() {
        return upload.location();
      }

      @Override
      public Sink open(String path) throws IOException {
        Path tmp = Files.createTempFile("modelreg-mlflow", ".part");
        OutputStream file = Files.newOutputStream(tmp);
        return new Sink() {
          private boolean done;

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
            http.putArtifact(base + "/" + path, tmp);
            done = true;
          }

          @Override
          public void close() throws IOException {
            file.close();
            Files.deleteIfExists(tmp);
            done = true;
          }
        };
      }

      @Override
      public void close() {
        if (lastUpload.get() == upload) {
          lastUpload.remove();
        }
      }
    };
  }

  @Override
  public InputStream openArtifact(VersionRecord version, ArtifactEntry entry) {
    return http.getArtifact(proxyPath(version.artifactLocation()) + "/" + entry.path());
  }

  // ================================================================== events

  private String historyExperiment() {
    String id = historyExperiment;
    if (id != null) {
      return id;
    }
    try {
      id = http.get("experiments/get-by-name", MlflowHttp.params("experiment_name", HISTORY_EXPERIMENT))
          .path("experiment").path("experiment_id").asText();
    } catch (NotFoundException e) {
      try {
        id = http.post("experiments/create", Map.of("name", HISTORY_EXPERIMENT)).path("experiment_id").asText();
      } catch (io.modelreg.AlreadyExistsException raced) {
        id = http.get("experiments/get-by-name", MlflowHttp.params("experiment_name", HISTORY_EXPERIMENT))
            .path("experiment").path("experiment_id").asText();
      }
    }
    historyExperiment = id;
    return id;
  }

  /** The run holding a model's history as tags {@code event.000001 …}; it survives deletion of the model. */
  private @Nullable String historyRun(String model, boolean create) {
    String cached = historyRuns.get(model);
    if (cached != null) {
      return cached;
    }
    String experiment = historyExperiment();
    JsonNode found = http.post("runs/search", Map.of("experiment_ids", List.of(experiment),
        "filter", "tags.`" + PREFIX + "history_of` = '" + model + "'", "max_results", 1)).path("runs");
    String id;
    if (found.size() > 0) {
      id = found.get(0).path("info").path("run_id").asText();
    } else if (create) {
      id = http.post("runs/create", Map.of("experiment_id", experiment, "run_name", "history-" + model,
          "tags", List.of(Map.of("key", PREFIX + "history_of", "value", model)))).path("run").path("info").path("run_id").asText();
    } else {
      return null;
    }
    historyRuns.put(model, id);
    return id;
  }

  private List<RegistryEvent> events(String model) {
    String run = historyRun(model, false);
    if (run == null) {
      return List.of();
    }
    TreeMap<Long, RegistryEvent> out = new TreeMap<>();
    for (JsonNode t : http.get("runs/get", MlflowHttp.params("run_id", run)).path("run").path("data").path("tags")) {
      String key = t.path("key").asText();
      if (key.startsWith("event.")) {
        try {
          JsonNode e = JSON.readTree(t.path("value").asText());
          Map<String, String> details = new HashMap<>();
          e.path("details").fields().forEachRemaining(d -> details.put(d.getKey(), d.getValue().asText()));
          long seq = Long.parseLong(key.substring("event.".length()));
          out.put(seq, new RegistryEvent(model, seq, Instant.parse(e.path("time").asText()), e.path("actor").asText(),
              RegistryEvent.Type.valueOf(e.path("type").asText()), e.hasNonNull("version") ? e.path("version").asInt() : null,
              details));
        } catch (IOException | RuntimeException ex) {
          throw new IntegrityException("History tag " + key + " of model '" + model + "' is not a valid event", ex);
        }
      }
    }
    return List.copyOf(out.values());
  }

  @Override
  public RegistryEvent appendEvent(RegistryEvent event) {
    String run = Objects.requireNonNull(historyRun(event.model(), true));
    long seq = lastEventSequence(event.model()) + 1;
    RegistryEvent stored = event.withSequence(seq);
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("time", stored.time().toString());
    e.put("actor", stored.actor());
    e.put("type", stored.type().name());
    e.put("version", stored.version());
    e.put("details", stored.details());
    try {
      http.post("runs/set-tag", Map.of("run_id", run, "key", String.format("event.%06d", seq), "value", JSON.writeValueAsString(e)));
    } catch (JsonProcessingException ex) {
      throw new UncheckedIOException(ex);
    }
    return stored;
  }

  @Override
  public List<RegistryEvent> readEvents(String model, long afterSequence) {
    List<RegistryEvent> all = events(model);
    List<RegistryEvent> out = new ArrayList<>();
    for (RegistryEvent e : all) {
      if (e.sequence() > afterSequence) {
        out.add(e);
      }
    }
    return out;
  }

  @Override
  public void close() {
    historyRuns.clear();
  }
}
