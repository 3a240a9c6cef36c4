package io.modelreg.mlflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.modelreg.ArtifactEntry;
import io.modelreg.ArtifactManifest;
import io.modelreg.ConflictException;
import io.modelreg.Digest;
import io.modelreg.GcReport;
import io.modelreg.IntegrityException;
import io.modelreg.Lineage;
import io.modelreg.MetricRecord;
import io.modelreg.ModelNotFoundException;
import io.modelreg.Names;
import io.modelreg.NotFoundException;
import io.modelreg.RegistryEvent;
import io.modelreg.RegistryException;
import io.modelreg.Stage;
import io.modelreg.TransientRegistryException;
import io.modelreg.VersionNotFoundException;
import io.modelreg.VersionStatus;
import io.modelreg.spi.ArtifactUpload;
import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.RecordTrees;
import io.modelreg.spi.RegistryStore;
import io.modelreg.spi.SearchClause;
import io.modelreg.spi.StorageCheck;
import io.modelreg.spi.StoreCapability;
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
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RegistryStore} over an MLflow tracking server. What MLflow has natively is used natively (model
 * and version names, descriptions, tags, aliases, stages mirrored to MLflow's stages, artifacts in the
 * version's run); what it lacks is kept in reserved {@code modelreg.*} tags, readable in the MLflow UI. See
 * the module README for the mapping table.
 *
 * <p>Records commit atomically through a pointer tag written last; compare-and-set across processes comes
 * from write-once run params (see {@link HistoryRuns}); version lists are cached under a change token read with
 * the model, so a resolve past the registry's cache costs one round trip (see {@link #listVersions}).
 */
public final class MlflowRegistryStore implements RegistryStore {
  static final String PREFIX = Names.RESERVED_TAG_PREFIX;
  static final int TAG_LIMIT = 5000;
  /** Parses to plain trees for {@link RecordTrees}: integers as Long, no polymorphic typing. */
  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);
  static final String DEFAULT_HISTORY_EXPERIMENT = "modelreg-history";
  static final Duration DEFAULT_VERSION_CACHE_TTL = Duration.ofMinutes(1);
  static final Duration DEFAULT_GC_GRACE = Duration.ofDays(1);
  /** As long as MLflow's Python client waits ({@code await_registration_for}). */
  static final Duration DEFAULT_REGISTRATION_WAIT = Duration.ofMinutes(5);
  /** The model tag every version write of this store changes last: the writers' half of the change token. */
  static final String VERSIONS_TAG = PREFIX + "versions";
  /**
   * Sources for versions that hold no files: number probes, placeholders and registrations without artifacts.
   * MLflow refuses made-up schemes ({@code 400 "Invalid model version source"}) and checks that a {@code
   * models:/} source names a logged model, but takes any absolute {@code mlflow-artifacts:} URI as it is.
   */
  static final String PROBE_SOURCE = "mlflow-artifacts:/modelreg/number-probe";
  static final String PLACEHOLDER_SOURCE = "mlflow-artifacts:/modelreg/number-placeholder";
  static final String EMPTY_SOURCE = "mlflow-artifacts:/modelreg/empty";
  /** The history-run tag holding the highest version number a deleted model of that name ever had. */
  static final String NUMBERED_TO_TAG = PREFIX + "numbered_to";

  /** A model's version list and the change token it was loaded under. */
  private record VersionList(String token, List<VersionRecord> versions) {}

  /**
   * How the store behaves beyond where it connects.
   *
   * @param historyExperiment the experiment holding history runs
   * @param versionCacheTtl how long a version list may be reused while its change token holds (zero: never)
   * @param gcGrace how old an unreferenced upload run must be before {@link #collectGarbage} clears it; longer
   *     than any upload takes, so a registration in flight is never touched
   * @param registrationWait how long to wait for MLflow to move a new version out of {@code PENDING_REGISTRATION}
   * @param clock for cache ages, run start times and the grace period
   */
  record Config(String historyExperiment, Duration versionCacheTtl, Duration gcGrace, Duration registrationWait, Clock clock) {
    static Config defaults() {
      return new Config(DEFAULT_HISTORY_EXPERIMENT, DEFAULT_VERSION_CACHE_TTL, DEFAULT_GC_GRACE, DEFAULT_REGISTRATION_WAIT,
          Clock.systemUTC());
    }
  }

  private final MlflowHttp http;
  private final String description;
  private final ThreadLocal<@Nullable Upload> lastUpload = new ThreadLocal<>();
  private final HistoryRuns history;
  private final @Nullable Cache<String, VersionList> versionLists;
  /**
   * Version records parsed from their tags, by model, number, creation time and committed generation: the
   * immutable facts of a version (manifest, digests, semver, lineage) are read from JSON once, however often
   * the list is reloaded; description and user tags, MLflow's own, are applied fresh each time.
   */
  private final Cache<String, VersionRecord> parsedRecords = Caffeine.newBuilder().maximumSize(100_000)
      .executor(Runnable::run).build();
  private final Clock clock;
  private final Duration gcGrace;
  private final Duration registrationWait;

  MlflowRegistryStore(MlflowHttp http) {
    this(http, Config.defaults());
  }

  MlflowRegistryStore(MlflowHttp http, Config config) {
    this.http = http;
    this.history = new HistoryRuns(http, config.historyExperiment(), config.clock());
    this.description = http.base().toString();
    this.clock = config.clock();
    this.gcGrace = config.gcGrace();
    this.registrationWait = config.registrationWait();
    this.versionLists = config.versionCacheTtl().isZero() ? null : Caffeine.newBuilder()
        .maximumSize(10_000)
        .expireAfterWrite(config.versionCacheTtl())
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .executor(Runnable::run)
        .build();
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

  /**
   * A JSON value as tags that commit atomically: the chunks ({@link #TAG_LIMIT} characters each) go under
   * {@code KEY.<generation>.<i>}, and the pointer tag {@code KEY = "<generation>/<count>"} comes last in the
   * map. Written in order, a failure before the pointer leaves the previous value in force; repeating the
   * write completes it.
   */
  static Map<String, String> chunked(String key, Object value, long generation) {
    String json = json(value);
    Map<String, String> out = new LinkedHashMap<>();
    int n = 0;
    for (int i = 0; i < json.length(); i += TAG_LIMIT) {
      out.put(key + "." + generation + "." + n++, json.substring(i, Math.min(json.length(), i + TAG_LIMIT)));
    }
    out.put(key, generation + "/" + n);
    return out;
  }

  /** Chunk tags of {@code key} in {@code tags} that {@code written} replaced; delete them after the pointer moved. */
  static List<String> staleChunks(Map<String, String> tags, String key, Map<String, String> written) {
    List<String> out = new ArrayList<>();
    for (String k : tags.keySet()) {
      if (k.startsWith(key + ".") && !written.containsKey(k)) {
        out.add(k);
      }
    }
    return out;
  }

  /** The JSON value stored by {@link #chunked}, as a plain tree for {@link RecordTrees}; null when absent. */
  static @Nullable Object unchunk(Map<String, String> tags, String key) {
    String pointer = tags.get(key);
    if (pointer == null) {
      return null;
    }
    String[] parts = pointer.split("/", -1);
    long generation;
    int n;
    try {
      if (parts.length != 2) {
        throw new NumberFormatException();
      }
      generation = Long.parseLong(parts[0]);
      n = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IntegrityException("MLflow tag " + key + " must be <generation>/<chunks>, got '" + pointer + "'");
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      String part = tags.get(key + "." + generation + "." + i);
      if (part == null) {
        throw new IntegrityException("MLflow tag " + key + "." + generation + "." + i + " is missing");
      }
      sb.append(part);
    }
    return tree(sb.toString(), "MLflow tags " + key + ".*");
  }

  static @Nullable Object tree(String json, String source) {
    try {
      return JSON.readValue(json, Object.class);
    } catch (IOException e) {
      throw new IntegrityException(source + " do not hold valid JSON", e);
    }
  }

  static String json(Object tree) {
    try {
      return JSON.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
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

  /**
   * A registered model as MLflow holds it: our state tag holds the whole record; name, description, user
   * tags and aliases are MLflow's own, so changes made by MLflow clients show. A model created by MLflow
   * alone has no state yet and starts at revision 1 with no stages.
   */
  private static ModelRecord model(JsonNode m) {
    Map<String, String> tags = tags(m);
    String name = m.path("name").asText();
    Map<String, Integer> aliases = new TreeMap<>();
    for (JsonNode a : m.path("aliases")) {
      aliases.put(a.path("alias").asText(), Integer.parseInt(a.path("version").asText()));
    }
    @Nullable String description = m.hasNonNull("description") ? m.path("description").asText() : null;
    Object state = unchunk(tags, PREFIX + "state");
    if (state == null) {
      Instant created = Instant.ofEpochMilli(m.path("creation_timestamp").asLong());
      return new ModelRecord(name, description, userTags(tags), aliases, Map.of(), List.of(), created,
          Instant.ofEpochMilli(m.path("last_updated_timestamp").asLong()), 1, versionsToken(m));
    }
    ModelRecord stored = RecordTrees.model(state, "MLflow tags " + PREFIX + "state.* of model '" + name + "'");
    return stored.withDescription(description).withTags(userTags(tags)).withAliases(aliases)
        .withVersionsToken(versionsToken(m));
  }

  private static Map<String, String> stateTags(ModelRecord m, long revision) {
    return chunked(PREFIX + "state", RecordTrees.model(m.withRevision(revision)), revision);
  }

  @Override
  public Optional<ModelRecord> findModel(String name) {
    JsonNode m = getModel(name);
    return m == null ? Optional.empty() : Optional.of(model(m));
  }

  /**
   * What changes in a {@code registered-models/get} answer whenever the model's version list may have:
   * the model's identity (creation time), its last update time, the tag this store's version writes change
   * last, and MLflow's newest version per stage (which moves when any client registers, deletes or
   * transitions a version).
   */
  static String versionsToken(JsonNode m) {
    StringBuilder sb = new StringBuilder()
        .append(m.path("creation_timestamp").asLong()).append('|')
        .append(m.path("last_updated_timestamp").asLong()).append('|')
        .append(tags(m).getOrDefault(VERSIONS_TAG, "")).append('|');
    for (JsonNode v : m.path("latest_versions")) {
      sb.append(v.path("version").asText()).append(':').append(v.path("current_stage").asText()).append(':')
          .append(v.path("status").asText()).append(':').append(v.path("last_updated_timestamp").asLong()).append(',');
    }
    return sb.toString();
  }

  /** After a version write: move the change token (the last step), and forget the cached list. */
  private void versionsChanged(String model) {
    forgetVersions(model);
    try {
      http.post("registered-models/set-tag", Map.of("name", model, "key", VERSIONS_TAG, "value", UUID.randomUUID().toString()));
    } finally {
      // a listing that raced the write may have been cached under the old token meanwhile
      forgetVersions(model);
    }
  }

  private void forgetVersions(String model) {
    Cache<String, VersionList> cache = versionLists;
    if (cache != null) {
      cache.invalidate(model);
    }
  }

  @Override
  public List<String> listModelNames() {
    return new ArrayList<>(searchModels().keySet());
  }

  /** Every model record from one {@code registered-models/search} per page, whose answers carry whole models. */
  @Override
  public List<ModelRecord> listModels() {
    List<ModelRecord> out = new ArrayList<>();
    searchModels().values().forEach(m -> out.add(model(m)));
    return out;
  }

  /** Every registered model by name: a plain search hides prompts, so they are asked for as well. */
  private Map<String, JsonNode> searchModels() {
    Map<String, JsonNode> models = new TreeMap<>();
    for (String filter : List.of("", "tags.`mlflow.prompt.is_prompt` = 'true'")) {
      search("registered-models/search", "registered_models", filter).forEach(m -> models.put(m.path("name").asText(), m));
    }
    return models;
  }

  /** Every item under {@code field} that a GET search answers, one request per page of 1000. */
  private List<JsonNode> search(String endpoint, String field, String filter) {
    List<JsonNode> out = new ArrayList<>();
    String token = null;
    do {
      Map<String, String> q = MlflowHttp.params("max_results", "1000");
      if (!filter.isEmpty()) {
        q.put("filter", filter);
      }
      if (token != null) {
        q.put("page_token", token);
      }
      JsonNode page = http.get(endpoint, q);
      page.path(field).forEach(out::add);
      token = page.hasNonNull("next_page_token") ? page.path("next_page_token").asText() : null;
    } while (token != null);
    return out;
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
    forgetVersions(model.name());
    try {
      skipNumbersOfDeletedModel(model.name());
    } catch (RuntimeException e) {
      // a model whose old numbers are not all used up would hand them out again; take it back, a retry starts clean
      try {
        http.delete("registered-models/delete", Map.of("name", model.name()));
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    return model.withRevision(1);
  }

  /**
   * MLflow numbers the versions of a re-created model from 1 again; the registry never reuses a number. So
   * {@link #deleteModel} writes the highest number it ever gave to the model's history run, and a new model
   * of that name uses the numbers up: MLflow keeps deleted versions as tombstones, so registering and
   * deleting placeholder versions up to that number makes the next real one follow it (two requests per
   * number, once per re-creation).
   */
  private void skipNumbersOfDeletedModel(String name) {
    String run = history.run(name, false);
    if (run == null) {
      return;
    }
    int highest = numberedTo(history.data(run).tags());
    int n = 0;
    while (n < highest) {
      n = Integer.parseInt(http.post("model-versions/create", Map.of("name", name, "source", PLACEHOLDER_SOURCE))
          .path("model_version").path("version").asText());
      http.delete("model-versions/delete", Map.of("name", name, "version", Integer.toString(n)));
    }
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
    // the compare-and-set: only the client that claims the next revision writes it
    long revision = history.claimRevision(name, "rev." + current.path("creation_timestamp").asLong() + ".", expectedRevision,
        "Model '" + name + "'");
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
    Map<String, String> state = stateTags(model, revision);
    state.forEach((k, v) -> http.post("registered-models/set-tag", Map.of("name", name, "key", k, "value", v)));
    for (String stale : staleChunks(tags(current), PREFIX + "state", state)) {
      http.delete("registered-models/delete-tag", Map.of("name", name, "key", stale));
    }
    return model.withRevision(revision);
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

  /** The {@link #NUMBERED_TO_TAG} of a history run; 0 when absent or not a number (nothing to skip then). */
  private static int numberedTo(Map<String, String> runTags) {
    String value = runTags.getOrDefault(NUMBERED_TO_TAG, "");
    return value.matches("\\d{1,9}") ? Integer.parseInt(value) : 0;
  }

  /**
   * Deletes the registered model after noting the highest number it ever gave (see {@link
   * #skipNumbersOfDeletedModel}); MLflow answers that with one probe version, which goes with the model.
   */
  @Override
  public void deleteModel(String name) {
    try {
      int probe = Integer.parseInt(http.post("model-versions/create", Map.of("name", name, "source", PROBE_SOURCE))
          .path("model_version").path("version").asText());
      if (probe > 1) {
        String run = history.run(name);
        if (numberedTo(history.data(run).tags()) < probe - 1) {
          http.post("runs/set-tag", Map.of("run_id", run, "key", NUMBERED_TO_TAG, "value", Integer.toString(probe - 1)));
        }
      }
      http.delete("registered-models/delete", Map.of("name", name));
    } catch (NotFoundException e) {
      throw new ModelNotFoundException(name);
    } finally {
      forgetVersions(name);
    }
  }

  // ================================================================== versions

  /**
   * A version as MLflow holds it: our record tag holds the whole record, description and user tags are
   * MLflow's own. One without a record (registered by an MLflow client) is shown as PENDING with no files.
   */
  private VersionRecord version(JsonNode v) {
    Map<String, String> tags = tags(v);
    String model = v.path("name").asText();
    int number = Integer.parseInt(v.path("version").asText());
    @Nullable String description = v.hasNonNull("description") ? v.path("description").asText() : null;
    String pointer = tags.get(PREFIX + "record");
    // a committed record generation never changes: parsed once, kept while its version lives
    String key = pointer == null ? null : model + "\n" + number + "\n" + v.path("creation_timestamp").asLong() + "\n" + pointer;
    VersionRecord known = key == null ? null : parsedRecords.getIfPresent(key);
    if (known != null) {
      return known.withDescription(description).withTags(userTags(tags));
    }
    Object record = unchunk(tags, PREFIX + "record");
    if (record == null) {
      Instant created = Instant.ofEpochMilli(v.path("creation_timestamp").asLong());
      return new VersionRecord(model, number, null, VersionStatus.PENDING, description, userTags(tags), Map.of(), Map.of(),
          List.of(), Lineage.empty(), null, ArtifactManifest.empty(), v.path("source").asText(""), created, "mlflow",
          created, 0);
    }
    String source = "MLflow tags " + PREFIX + "record.* of " + model + " version " + number;
    VersionRecord stored = RecordTrees.version(record, source);
    if (!stored.model().equals(model) || stored.number() != number) {
      throw new IntegrityException(source + " describe " + stored.model() + " version " + stored.number());
    }
    if (key != null) {
      parsedRecords.put(key, stored);
    }
    return stored.withDescription(description).withTags(userTags(tags));
  }

  /** The whole record as chunked JSON tags, plus readable tags MLflow users can search by. */
  private static Map<String, String> recordTags(VersionRecord v, long revision) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(PREFIX + "digest", v.manifest().digest().toString());
    if (v.semver() != null) {
      tags.put(PREFIX + "semver", v.semver().toString());
    }
    tags.putAll(chunked(PREFIX + "record", RecordTrees.version(v.withRevision(revision)), revision));
    return tags;
  }

  @Override
  public int allocateVersionNumber(String model) {
    Upload upload = lastUpload.get();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", model);
    body.put("source", upload != null ? upload.location : EMPTY_SOURCE);
    if (upload != null) {
      body.put("run_id", upload.runId);
    }
    JsonNode v = http.post("model-versions/create", body).path("model_version");
    int number = Integer.parseInt(v.path("version").asText());
    awaitRegistration(model, number, v);
    return number;
  }

  /**
   * MLflow may answer a new version with {@code PENDING_REGISTRATION} (a server copying artifacts) and move it
   * to {@code READY} or {@code FAILED_REGISTRATION} later; like MLflow's clients, wait for the outcome (back-off
   * from 50 ms to 2 s, at most {@link Config#registrationWait}). A failed or endless registration is taken
   * back (the version deleted) so a retry starts clean.
   */
  private void awaitRegistration(String model, int number, JsonNode created) {
    JsonNode v = created;
    long deadline = System.nanoTime() + registrationWait.toNanos();
    long pause = 50;
    while ("PENDING_REGISTRATION".equals(v.path("status").asText())) {
      if (System.nanoTime() > deadline) {
        takeBack(model, number);
        throw new TransientRegistryException("MLflow kept version " + number + " of '" + model + "' in PENDING_REGISTRATION for "
            + registrationWait + " (mlflow.registration-wait); it was deleted, try again", null);
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        takeBack(model, number);
        throw new TransientRegistryException("Interrupted while MLflow registered version " + number + " of '" + model + "'", e);
      }
      pause = Math.min(pause * 2, 2_000);
      v = http.get("model-versions/get", MlflowHttp.params("name", model, "version", Integer.toString(number))).path("model_version");
    }
    if ("FAILED_REGISTRATION".equals(v.path("status").asText())) {
      takeBack(model, number);
      throw new RegistryException("MLflow failed to register version " + number + " of '" + model + "': "
          + v.path("status_message").asText("no reason given") + "; the version was deleted");
    }
  }

  private void takeBack(String model, int number) {
    try {
      http.delete("model-versions/delete", Map.of("name", model, "version", Integer.toString(number)));
    } catch (RuntimeException ignored) {
      // it stays visible as a version without a record (PENDING to modelreg); gc clears its run later
    }
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
    try {
      tags.forEach((k, v) -> http.post("model-versions/set-tag", Map.of("name", name, "version", number, "key", k, "value", v)));
      versionsChanged(name);
    } catch (RuntimeException e) {
      // Without its record pointer the version would linger as PENDING; take it back so a retry starts clean.
      try {
        http.delete("model-versions/delete", Map.of("name", name, "version", number));
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    Upload upload = lastUpload.get();
    if (upload != null) {
      upload.registered().set(true);
      if (!version.metrics().isEmpty() || !version.params().isEmpty()) {
        logToRun(upload.runId(), version.metrics(), version.params(), version.createdAt());
      }
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

  /** Every version, one {@code model-versions/search} per page of 1000. */
  @Override
  public List<VersionRecord> listVersions(String model) {
    return searchVersions(model);
  }

  /**
   * Every version of a model read with {@link #findModel}: the list cached under the record's versions token
   * (read in the same {@code registered-models/get}) is returned without a request, so a resolve past the
   * registry's cache costs one round trip; otherwise one {@code model-versions/search} per page, cached under
   * that token.
   */
  @Override
  public List<VersionRecord> listVersions(ModelRecord model) {
    Cache<String, VersionList> cache = versionLists;
    String token = model.versionsToken();
    if (cache == null || token == null) {
      return searchVersions(model.name());
    }
    VersionList cached = cache.getIfPresent(model.name());
    if (cached != null && cached.token().equals(token)) {
      return cached.versions();
    }
    // the token was read before this listing, so the listing is at least as new as the token says
    List<VersionRecord> fresh = searchVersions(model.name());
    cache.put(model.name(), new VersionList(token, fresh));
    return fresh;
  }

  private List<VersionRecord> searchVersions(String model) {
    TreeMap<Integer, VersionRecord> out = new TreeMap<>();
    for (JsonNode v : search("model-versions/search", "model_versions", "name='" + model.replace("'", "\\'") + "'")) {
      VersionRecord r = version(v);
      out.put(r.number(), r);
    }
    return List.copyOf(out.values());
  }

  /**
   * Push-down: one {@code model-versions/search} per page of 1000 over every model, with the clauses MLflow's
   * grammar expresses exactly ({@code name =, LIKE, IN}; {@code version_number} comparisons; {@code
   * tags.`key` =, LIKE}). A clause whose key has a backtick or whose value has a quote or backslash has no
   * portable quoting there and is left out, which only widens the answer.
   */
  @Override
  public Optional<List<VersionRecord>> searchVersions(List<SearchClause> clauses) {
    StringJoiner filter = new StringJoiner(" AND ");
    for (SearchClause c : clauses) {
      String clause = mlflowClause(c);
      if (clause != null) {
        filter.add(clause);
      }
    }
    List<VersionRecord> out = new ArrayList<>();
    for (JsonNode v : search("model-versions/search", "model_versions", filter.toString())) {
      out.add(version(v));
    }
    return Optional.of(out);
  }

  /** One clause in MLflow's search grammar, or null when it cannot be written there exactly. */
  static @Nullable String mlflowClause(SearchClause c) {
    for (String v : c.values()) {
      if (v.contains("'") || v.contains("\\")) {
        return null;
      }
    }
    String op = switch (c.op()) {
      case EQ -> "=";
      case LT -> "<";
      case LE -> "<=";
      case GT -> ">";
      case GE -> ">=";
      case LIKE -> "LIKE";
      case IN -> "IN";
    };
    switch (c.subject()) {
      case MODEL_NAME:
        if (c.op() == SearchClause.Op.IN) {
          StringJoiner names = new StringJoiner(", ", "(", ")");
          c.values().forEach(v -> names.add("'" + v + "'"));
          return "name IN " + names;
        }
        return c.op() == SearchClause.Op.EQ || c.op() == SearchClause.Op.LIKE ? "name " + op + " '" + c.value() + "'" : null;
      case VERSION_NUMBER:
        return c.op() == SearchClause.Op.LIKE || c.op() == SearchClause.Op.IN || !c.value().matches("-?\\d{1,15}")
            ? null : "version_number " + op + " " + c.value();
      case VERSION_TAG:
        String key = Objects.requireNonNull(c.key());
        return key.contains("`") || (c.op() != SearchClause.Op.EQ && c.op() != SearchClause.Op.LIKE)
            ? null : "tags.`" + key + "` " + op + " '" + c.value() + "'";
      default:
        return null;
    }
  }

  @Override
  public VersionRecord updateVersion(VersionRecord version, long expectedRevision) {
    JsonNode stored;
    try {
      stored = http.get("model-versions/get", MlflowHttp.params("name", version.model(),
          "version", Integer.toString(version.number()))).path("model_version");
    } catch (NotFoundException e) {
      throw new VersionNotFoundException("Version " + version.number() + " of model '" + version.model() + "' not found");
    }
    VersionRecord current = version(stored);
    Map<String, String> currentTags = tags(stored);
    if (current.revision() != expectedRevision) {
      throw new ConflictException("Version " + version.number() + " of '" + version.model() + "' is at revision "
          + current.revision() + ", not " + expectedRevision);
    }
    String name = version.model();
    String number = Integer.toString(version.number());
    long revision = history.claimRevision(name, "vrev." + number + "." + stored.path("creation_timestamp").asLong() + ".",
        expectedRevision,
        "Version " + number + " of '" + name + "'");
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
    Map<String, String> record = recordTags(version, revision);
    record.forEach((k, v) -> http.post("model-versions/set-tag", Map.of("name", name, "version", number, "key", k, "value", v)));
    versionsChanged(name);
    for (String stale : staleChunks(currentTags, PREFIX + "record", record)) {
      http.delete("model-versions/delete-tag", Map.of("name", name, "version", number, "key", stale));
    }
    return version.withRevision(revision);
  }

  @Override
  public void deleteVersion(String model, int number) {
    try {
      http.delete("model-versions/delete", Map.of("name", model, "version", Integer.toString(number)));
    } catch (NotFoundException e) {
      throw new VersionNotFoundException("Version " + number + " of model '" + model + "' not found");
    }
    versionsChanged(model);
  }

  // ================================================================== adoption

  /**
   * Adopts a version another MLflow client registered (Python's {@code mlflow.register_model}), which has no
   * modelreg record and so no digests: its files are listed through the artifact proxy and each streamed
   * once to hash it, params and latest metrics come from its run, and a record (status READY) is committed
   * like any other — from then on the version resolves, serves and verifies like one registered here. The
   * version's MLflow fields stay as they were; Python sees the same version. An event VERSION_REGISTERED
   * with {@code adopted_from} records it.
   *
   * @throws VersionNotFoundException if there is no such version
   * @throws IllegalArgumentException if it already has a modelreg record, is not READY in MLflow, or its
   *     source is not served by the artifact proxy
   */
  VersionRecord adopt(String model, int number, String actor) {
    JsonNode v;
    try {
      v = http.get("model-versions/get", MlflowHttp.params("name", model, "version", Integer.toString(number))).path("model_version");
    } catch (NotFoundException e) {
      throw new VersionNotFoundException("Version " + number + " of model '" + model + "' not found");
    }
    Map<String, String> tags = tags(v);
    if (tags.containsKey(PREFIX + "record")) {
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
    hashTree(proxyPath(location), "", files);
    if (files.isEmpty()) {
      throw new IllegalArgumentException("Version " + number + " of '" + model + "' has no files under " + source);
    }
    Map<String, String> params = new TreeMap<>();
    Map<String, Double> metrics = new TreeMap<>();
    if (!runId.isEmpty()) {
      JsonNode data = http.get("runs/get", MlflowHttp.params("run_id", runId)).path("run").path("data");
      data.path("params").forEach(p -> params.put(p.path("key").asText(), p.path("value").asText()));
      data.path("metrics").forEach(m -> metrics.put(m.path("key").asText(), m.path("value").asDouble()));
    }
    Lineage.Builder lineage = Lineage.builder().sourceUri(source);
    if (!runId.isEmpty()) {
      lineage.runId(runId);
    }
    Instant created = Instant.ofEpochMilli(v.path("creation_timestamp").asLong());
    String by = v.path("user_id").asText("");
    String n = Integer.toString(number);
    long revision = history.claimRevision(model, "vrev." + n + "." + v.path("creation_timestamp").asLong() + ".", 0,
        "Version " + n + " of '" + model + "'");
    VersionRecord record = new VersionRecord(model, number, null, VersionStatus.READY,
        v.hasNonNull("description") ? v.path("description").asText() : null, userTags(tags), params, metrics, List.of(),
        lineage.build(), null, ArtifactManifest.of(files), location, created, by.isEmpty() ? "mlflow" : by, clock.instant(),
        revision);
    recordTags(record, revision).forEach((k, val) -> http.post("model-versions/set-tag",
        Map.of("name", model, "version", n, "key", k, "value", val)));
    versionsChanged(model);
    appendEvent(new RegistryEvent(model, 0, clock.instant(), actor, RegistryEvent.Type.VERSION_REGISTERED, number,
        Map.of("digest", record.manifest().digest().toString(), "files", Integer.toString(files.size()), "adopted_from", source)));
    return record;
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
      dir = http.get("logged-models/" + java.net.URLEncoder.encode(loggedModel, java.nio.charset.StandardCharsets.UTF_8),
          Map.of()).path("model").path("info").path("artifact_uri").asText("");
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
      java.security.MessageDigest md = Digest.newSha256();
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

  // ================================================================== artifacts

  /** An upload run; {@code registered} once a version was made from it. */
  private record Upload(String runId, String location, AtomicBoolean registered) {}



  /** {@code mlflow-artifacts:/0/<run>/artifacts} to the proxy path {@code 0/<run>/artifacts}. */
  static String proxyPath(String location) {
    String prefix = "mlflow-artifacts:";
    if (!location.startsWith(prefix)) {
      throw new IllegalArgumentException("Artifact location " + location + " is not served by MLflow's artifact proxy");
    }
    return location.substring(prefix.length()).replaceFirst("^/+", "");
  }

  /** The run of {@code mlflow-artifacts:/<experiment>/<run>/artifacts}; null for any other location. */
  private static @Nullable String runIdOf(String location) {
    if (!location.startsWith("mlflow-artifacts:")) {
      return null;
    }
    String[] parts = location.replaceFirst("^mlflow-artifacts:/*", "").split("/");
    return parts.length >= 2 && !parts[1].isEmpty() ? parts[1] : null;
  }

  @Override
  public ArtifactUpload beginUpload(String model) {
    Names.checkModelName(model);
    JsonNode run = http.post("runs/create", Map.of("experiment_id", "0", "run_name", "modelreg-" + model,
        "start_time", clock.millis(), "tags", List.of(Map.of("key", PREFIX + "model", "value", model)))).path("run");
    Upload upload = new Upload(run.path("info").path("run_id").asText(), run.path("info").path("artifact_uri").asText(),
        new AtomicBoolean());
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

      /** Ends the run: FINISHED when a version was made from it, else FAILED (gc clears it after the grace period). */
      @Override
      public void close() {
        if (lastUpload.get() == upload) {
          lastUpload.remove();
        }
        history.endRun(upload.runId(), upload.registered().get() ? "FINISHED" : "FAILED");
      }
    };
  }

  @Override
  public InputStream openArtifact(VersionRecord version, ArtifactEntry entry) {
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
  @Override
  public GcReport collectGarbage() {
    Set<String> live = new HashSet<>();
    for (JsonNode v : search("model-versions/search", "model_versions", "")) {
      live.add(v.path("run_id").asText(""));
      String runId = runIdOf(v.path("source").asText(""));
      if (runId != null) {
        live.add(runId);
      }
    }
    long cutoff = clock.millis() - gcGrace.toMillis();
    int deleted = 0;
    int kept = 0;
    long bytes = 0;
    for (JsonNode run : uploadRuns()) {
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

  /** Every live run this store made for uploads (tag {@code modelreg.model}), one request per page. */
  private List<JsonNode> uploadRuns() {
    List<JsonNode> out = new ArrayList<>();
    String token = null;
    do {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("experiment_ids", List.of("0"));
      body.put("filter", "tags.`" + PREFIX + "model` LIKE '%'");
      body.put("max_results", 1000);
      if (token != null) {
        body.put("page_token", token);
      }
      JsonNode page = http.post("runs/search", body);
      page.path("runs").forEach(out::add);
      token = page.hasNonNull("next_page_token") ? page.path("next_page_token").asText() : null;
    } while (token != null);
    return out;
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

  /**
   * Nothing of its own to check (MLflow keeps the bytes), but a verification reads what the server holds
   * now: the parsed records and version lists this instance keeps are dropped first, so record tags edited
   * behind modelreg's back are read, and found, again.
   */
  @Override
  public StorageCheck verifyStorage() {
    parsedRecords.invalidateAll();
    Cache<String, VersionList> lists = versionLists;
    if (lists != null) {
      lists.invalidateAll();
    }
    return RegistryStore.super.verifyStorage();
  }

  // ================================================================== events

  /** The history experiment's events marker (see {@link HistoryRuns#eventsMarker}). */
  @Override
  public @Nullable Object eventsChangeToken() {
    return history.eventsMarker();
  }

  /** See {@link HistoryRuns#append}: a sequence claimed write-once, then the event as a tag. */
  @Override
  public RegistryEvent appendEvent(RegistryEvent event) {
    return history.append(event);
  }

  @Override
  public List<RegistryEvent> readEvents(String model, long afterSequence) {
    List<RegistryEvent> all = history.events(model);
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
    history.clear();
  }
}
