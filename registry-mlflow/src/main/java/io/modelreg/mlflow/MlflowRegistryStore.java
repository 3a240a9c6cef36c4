package io.modelreg.mlflow;

import static io.modelreg.mlflow.RecordTags.recordTags;
import static io.modelreg.mlflow.RecordTags.staleChunks;
import static io.modelreg.mlflow.RecordTags.stateTags;
import static io.modelreg.mlflow.RecordTags.tagList;
import static io.modelreg.mlflow.RecordTags.tags;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelreg.ArtifactEntry;
import io.modelreg.ConflictException;
import io.modelreg.GcReport;
import io.modelreg.ModelNotFoundException;
import io.modelreg.NotFoundException;
import io.modelreg.RegistryEvent;
import io.modelreg.RegistryException;
import io.modelreg.Stage;
import io.modelreg.Ticker;
import io.modelreg.TransientRegistryException;
import io.modelreg.VersionNotFoundException;
import io.modelreg.spi.AliasTarget;
import io.modelreg.spi.ArtifactUpload;
import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.RecordTrees;
import io.modelreg.spi.RegistryStore;
import io.modelreg.spi.SearchClause;
import io.modelreg.spi.StorageCheck;
import io.modelreg.spi.StoreCapability;
import io.modelreg.spi.VersionRecord;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RegistryStore} over an MLflow tracking server. What MLflow has natively is used natively (model
 * and version names, descriptions, tags, aliases, stages mirrored to MLflow's stages, artifacts in the
 * version's run); what it lacks is kept in reserved {@code modelreg.*} tags, readable in the MLflow UI. See
 * the module README for the mapping table.
 *
 * <p>This class maps the SPI onto MLflow's registry calls; the rest lives beside it: {@link RecordTags} (records
 * as chunked tags that commit atomically through a pointer tag written last), {@link VersionCache} (version lists
 * under the versions token read with the model, so a resolve past the registry's cache costs one round trip, and
 * records parsed once), {@link ArtifactRuns} (files in upload directories through the artifact proxy, runs showing
 * params and metrics, and gc),
 * {@link Adoption} (versions other MLflow clients registered) and {@link HistoryRuns} (events, and the
 * write-once run params that give compare-and-set across processes).
 */
public final class MlflowRegistryStore implements RegistryStore {
  private static final String PREFIX = RecordTags.PREFIX;
  static final String DEFAULT_HISTORY_EXPERIMENT = "modelreg-history";
  static final Duration DEFAULT_VERSION_CACHE_TTL = Duration.ofMinutes(1);
  static final Duration DEFAULT_GC_GRACE = Duration.ofDays(1);
  /** As long as MLflow's Python client waits ({@code await_registration_for}). */
  static final Duration DEFAULT_REGISTRATION_WAIT = Duration.ofMinutes(5);
  /** Files up to this size are held in memory while uploaded, larger ones spool to a temporary file (16 MiB). */
  static final long DEFAULT_UPLOAD_MEMORY = 16L << 20;
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

  /**
   * How the store behaves beyond where it connects.
   *
   * @param historyExperiment the experiment holding history runs
   * @param versionCacheTtl how long a version list may be reused while its change token holds (zero: never)
   * @param gcGrace how old an unreferenced upload must be before {@link #collectGarbage} clears it; longer
   *     than any upload takes, so a registration in flight is never touched
   * @param registrationWait how long to wait for MLflow to move a new version out of {@code PENDING_REGISTRATION}
   * @param uploadMemory how many bytes of one file an upload holds in memory before it spools to a temporary file
   * @param clock for cache ages, run start times and the grace period
   * @param ticker for waiting on a pending registration
   */
  record Config(String historyExperiment, Duration versionCacheTtl, Duration gcGrace, Duration registrationWait,
      long uploadMemory, Clock clock, Ticker ticker) {
    static Config defaults() {
      return new Config(DEFAULT_HISTORY_EXPERIMENT, DEFAULT_VERSION_CACHE_TTL, DEFAULT_GC_GRACE, DEFAULT_REGISTRATION_WAIT,
          DEFAULT_UPLOAD_MEMORY, Clock.systemUTC(), Ticker.system());
    }
  }

  private final MlflowHttp http;
  private final String description;
  private final HistoryRuns history;
  private final VersionCache versions;
  private final ArtifactRuns artifacts;
  private final Adoption adoption;
  private final Clock clock;
  private final Duration registrationWait;
  private final Ticker ticker;
  /**
   * Per model, the highest version number this store has seen MLflow hand out (0: the model was read or created with
   * none): the guess of {@link #registerVersion}. No entry: the model was not seen yet.
   */
  private final ConcurrentMap<String, Integer> highestSeen = new ConcurrentHashMap<>();

  MlflowRegistryStore(MlflowHttp http) {
    this(http, Config.defaults());
  }

  MlflowRegistryStore(MlflowHttp http, Config config) {
    this.http = http;
    this.history = new HistoryRuns(http, config.historyExperiment(), config.clock());
    this.description = http.base().toString();
    this.clock = config.clock();
    this.registrationWait = config.registrationWait();
    this.ticker = config.ticker();
    this.versions = new VersionCache(config.versionCacheTtl(), clock);
    this.artifacts = new ArtifactRuns(http, history, clock, config.gcGrace(), config.uploadMemory());
    this.adoption = new Adoption(http, clock);
  }

  @Override
  public Set<StoreCapability> capabilities() {
    // MLflow's Python client reads the prompts kept here (mlflow.genai.load_prompt)
    // model-versions/create refuses a missing registered model (404) and writes nothing: REGISTER_CHECKS_MODEL
    return EnumSet.of(StoreCapability.DURABLE, StoreCapability.SHARED, StoreCapability.MLFLOW_PROMPTS,
        StoreCapability.REGISTER_CHECKS_MODEL);
  }

  @Override
  public String describe() {
    return description;
  }

  // ================================================================== models

  private @Nullable JsonNode getModel(String name) {
    try {
      return http.get("registered-models/get", MlflowHttp.params("name", name)).path("registered_model");
    } catch (NotFoundException e) {
      return null;
    }
  }

  @Override
  public Optional<ModelRecord> findModel(String name) {
    JsonNode m = getModel(name);
    if (m == null) {
      return Optional.empty();
    }
    ModelRecord record = RecordTags.model(m);
    versions.modelRead(record);
    seen(name, 0);
    for (JsonNode v : m.path("latest_versions")) {
      seen(name, Integer.parseInt(v.path("version").asText()));
    }
    return Optional.of(record);
  }

  /**
   * A user alias in one request: {@code registered-models/alias} answers the version with its tags (the record),
   * MLflow's {@code current_stage} and every alias on it, and does not load the model's other versions, as {@code
   * registered-models/get} does (on SQLite its cost grows with the version count). The stage and aliases a view
   * shows come from the model's committed state, which only {@code registered-models/get} carries; so the answer
   * is checked against the record last read of the model: the aliases on the version must be the same, and MLflow's
   * stage must be the one modelreg committed (every modelreg stage change transitions MLflow's first). Otherwise —
   * no record read yet, the alias or a stage moved since, a stage MLflow changed alone, or a version in STAGING,
   * whose managed {@code staging} alias depends on the other versions — empty, and the policy layer reads the model.
   * Missing model, alias or version: empty too, so the usual errors come from the usual path.
   */
  @Override
  public Optional<AliasTarget> findVersionByAlias(String model, String alias) {
    ModelRecord known = versions.lastRead(model);
    if (known == null) {
      return Optional.empty();
    }
    JsonNode v;
    try {
      v = http.get("registered-models/alias", MlflowHttp.params("name", model, "alias", alias)).path("model_version");
    } catch (NotFoundException e) {
      return Optional.empty();
    }
    int number = Integer.parseInt(v.path("version").asText());
    Set<String> aliasesNow = new TreeSet<>();
    v.path("aliases").forEach(a -> aliasesNow.add(a.asText()));
    Set<String> aliasesKnown = new TreeSet<>();
    known.aliases().forEach((a, n) -> {
      if (n == number) {
        aliasesKnown.add(a);
      }
    });
    Stage stage = known.stageOf(number);
    if (!aliasesNow.contains(alias) || !aliasesNow.equals(aliasesKnown) || stage == Stage.STAGING
        || !mlflowStage(stage).equals(v.path("current_stage").asText())) {
      return Optional.empty();
    }
    return Optional.of(new AliasTarget(known, versions.version(v)));
  }

  /** After a version write: move the change token (the last step), and forget the cached list. */
  private void versionsChanged(String model) {
    versions.forget(model);
    try {
      http.post("registered-models/set-tag", Map.of("name", model, "key", RecordTags.VERSIONS_TAG,
          "value", UUID.randomUUID().toString()));
    } finally {
      // a listing that raced the write may have been cached under the old token meanwhile
      versions.forget(model);
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
    searchModels().values().forEach(m -> out.add(RecordTags.model(m)));
    return out;
  }

  /** Every registered model by name: a plain search hides prompts, so they are asked for as well. */
  private Map<String, JsonNode> searchModels() {
    Map<String, JsonNode> models = new TreeMap<>();
    for (String filter : List.of("", RecordTags.PROMPT_FILTER)) {
      http.searchAll("GET", "registered-models/search", "registered_models", filter(filter))
          .forEach(m -> models.put(m.path("name").asText(), m));
    }
    return models;
  }

  /** A search's query: the filter, unless it is empty. */
  private static Map<String, Object> filter(String filter) {
    return filter.isEmpty() ? Map.of() : Map.of("filter", filter);
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
    versions.forget(model.name());
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
    seen(model.name(), 0);
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
      seen(name, n);
      http.delete("model-versions/delete", Map.of("name", name, "version", Integer.toString(n)));
    }
  }

  @Override
  public ModelRecord updateModel(ModelRecord model, long expectedRevision) {
    JsonNode current = getModel(model.name());
    if (current == null) {
      throw new ModelNotFoundException(model.name());
    }
    ModelRecord before = RecordTags.model(current);
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
    for (String stale : staleChunks(tags(current), RecordTags.STATE, state)) {
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
      versions.forget(name);
    }
  }

  // ================================================================== versions

  /**
   * A number for a version without files of this store's uploads: MLflow assigns numbers by creating the version, so
   * this creates it with the {@link #EMPTY_SOURCE}; {@link #createVersion} then writes its record. A version with
   * files is registered with {@link #registerVersion}, which binds it to its upload (MLflow takes a version's
   * source and run only when it is created).
   */
  @Override
  public int allocateVersionNumber(String model) {
    JsonNode v = createMlflowVersion(model, Map.of("name", model, "source", EMPTY_SOURCE));
    int number = Integer.parseInt(v.path("version").asText());
    seen(model, number);
    awaitRegistration(model, number, v);
    return number;
  }

  /**
   * {@code model-versions/create}: MLflow checks the registered model in the transaction that makes the version and
   * answers 404 for a missing one, which is {@link ModelNotFoundException} here ({@link
   * StoreCapability#REGISTER_CHECKS_MODEL}). It is the only 404 the call has: MLflow does not check {@code run_id}
   * (recorded, case {@code sources}).
   */
  private JsonNode createMlflowVersion(String model, Map<String, ?> body) {
    try {
      return http.post("model-versions/create", body).path("model_version");
    } catch (NotFoundException e) {
      highestSeen.remove(model);
      throw new ModelNotFoundException(model);
    }
  }

  private void seen(String model, int number) {
    highestSeen.merge(model, number, Math::max);
  }

  /**
   * A registration in one writing request to the registry instead of three: MLflow assigns the number in {@code
   * model-versions/create}, but the record (which names its number) can only travel in that request if the number
   * is known before. So the store guesses it — one above the highest it has seen MLflow hand out for the model
   * (in this store's last registration or read of the model, whose {@code latest_versions} include the newest
   * version; a model not seen yet is read first, and the policy layer does not read it, see {@link
   * StoreCapability#REGISTER_CHECKS_MODEL}) — and
   * sends the record, the digest and semver tags, the user's tags and the description with the version. The
   * record is the commit point as before: it names model and number, so a version answered with another number
   * (another client registered meanwhile, or the newest version was deleted) carries a record that is not its own.
   * Readers show such a version as PENDING, never as a version ({@link VersionCache#version}); the store then
   * writes the right record under generation {@link #CORRECTED_GENERATION} (readers parse each generation once,
   * so the correction must not reuse generation 1) — the two requests the guess saves, spent only when it missed.
   *
   * <p>When the guess holds, the {@code modelreg.versions} tag is not written either: MLflow's {@code
   * model-versions/create} sets the registered model's {@code last_updated_timestamp} to the version's creation time
   * in the same transaction, and the new version, numbered above every other, becomes the newest of stage {@code
   * None} in {@code latest_versions}; both are part of the {@linkplain RecordTags#versionsToken versions token}, so a
   * list cached before the version existed is never reused after it. A missed guess moves the tag after the
   * correction, since a list read between the create and the correction shows the version PENDING under the token
   * the create already moved.
   */
  @Override
  public VersionRecord registerVersion(String model, IntFunction<VersionRecord> recordFor) {
    if (!highestSeen.containsKey(model) && findModel(model).isEmpty()) {
      // the model not seen yet (on this store the policy layer does not read it before registering, see
      // StoreCapability.REGISTER_CHECKS_MODEL): one read brings its newest version numbers, or finds it absent
      throw new ModelNotFoundException(model);
    }
    int guess = highestSeen.getOrDefault(model, 0) + 1;
    VersionRecord guessed = recordFor.apply(guess);
    // the upload is the one the record names, passed along by the caller: never paired by thread
    String upload = guessed.artifactLocation();
    if (!artifacts.inProgress(upload)) {
      // no upload of this store to bind a guessed record to its version (see VersionCache#version): two steps
      return RegistryStore.super.registerVersion(model, recordFor);
    }
    Map<String, String> tags = new LinkedHashMap<>(guessed.tags());
    tags.putAll(recordTags(guessed, 1));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", model);
    body.put("source", upload);
    String mirror = artifacts.mirrorRun(guessed);
    if (mirror != null) {
      body.put("run_id", mirror);
    }
    if (guessed.description() != null) {
      body.put("description", guessed.description());
    }
    body.put("tags", tagList(tags));
    JsonNode v = createMlflowVersion(model, body);
    int number = Integer.parseInt(v.path("version").asText());
    seen(model, number);
    awaitRegistration(model, number, v);
    VersionRecord record = guessed;
    String n = Integer.toString(number);
    try {
      if (number != guess) {
        record = recordFor.apply(number);
        Map<String, String> fix = RecordTags.chunked(RecordTags.RECORD, RecordTrees.version(record.withRevision(1)),
            CORRECTED_GENERATION);
        fix.forEach((k, val) -> http.post("model-versions/set-tag", Map.of("name", model, "version", n, "key", k, "value", val)));
        for (String stale : staleChunks(tags, RecordTags.RECORD, fix)) {
          http.delete("model-versions/delete-tag", Map.of("name", model, "version", n, "key", stale));
        }
        // a reader may have listed the version as PENDING under the token the create moved: move it again
        versionsChanged(model);
      } else {
        // no token tag: the create itself moved the token (see RecordTags#versionsToken), and the version came
        // with its own record in the same write
        versions.forget(model);
      }
    } catch (RuntimeException e) {
      // without its own record the version would linger as PENDING; take it back so a retry starts clean
      try {
        http.delete("model-versions/delete", Map.of("name", model, "version", n));
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    return record.withRevision(1);
  }

  /**
   * The record generation of a version whose guessed number missed (see {@link #registerVersion}): revisions, and
   * so the generations of every other record write, start at 1.
   */
  static final long CORRECTED_GENERATION = 0;

  /**
   * MLflow may answer a new version with {@code PENDING_REGISTRATION} (a server copying artifacts) and move it
   * to {@code READY} or {@code FAILED_REGISTRATION} later; like MLflow's clients, wait for the outcome (back-off
   * from 50 ms to 2 s, at most {@link Config#registrationWait}). A failed or endless registration is taken
   * back (the version deleted) so a retry starts clean.
   */
  private void awaitRegistration(String model, int number, JsonNode created) {
    JsonNode v = created;
    long deadline = ticker.nanoTime() + registrationWait.toNanos();
    long pause = 50;
    while ("PENDING_REGISTRATION".equals(v.path("status").asText())) {
      if (ticker.nanoTime() > deadline) {
        takeBack(model, number);
        throw new TransientRegistryException("MLflow kept version " + number + " of '" + model + "' in PENDING_REGISTRATION for "
            + registrationWait + " (mlflow.registration-wait); it was deleted, try again", null);
      }
      try {
        ticker.sleep(Duration.ofMillis(pause));
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
      // it stays visible as a version without a record (PENDING to modelreg); gc clears its files later
    }
  }

  @Override
  public VersionRecord createVersion(VersionRecord version) {
    String name = version.model();
    String number = Integer.toString(version.number());
    if (!version.artifactLocation().isEmpty()) {
      // allocateVersionNumber made the MLflow version without these files as its source, and MLflow cannot change a
      // source: gc would clear the files of a live version
      takeBack(name, version.number());
      throw new IllegalArgumentException("Version " + number + " of '" + name + "' names the upload "
          + version.artifactLocation() + ", which is not an upload of this store in progress; a version with files is"
          + " registered with registerVersion, in the upload it names, before the upload is closed");
    }
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
    return version.withRevision(1);
  }

  @Override
  public Optional<VersionRecord> findVersion(String model, int number) {
    try {
      return Optional.of(versions.version(http.get("model-versions/get",
          MlflowHttp.params("name", model, "version", Integer.toString(number))).path("model_version")));
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * Every version, one {@code model-versions/search} per page of 1000. MLflow hides a prompt's versions from
   * that search, so when it finds none they are asked for as a prompt's (a second request only for prompts
   * and models without versions).
   */
  @Override
  public List<VersionRecord> listVersions(String model) {
    List<VersionRecord> plain = searchVersions(model, false);
    return plain.isEmpty() ? searchVersions(model, true) : plain;
  }

  /**
   * Every version of a model read with {@link #findModel}: the list cached under the record's versions token
   * (read in the same {@code registered-models/get}) is returned without a request, so a resolve past the
   * registry's cache costs one round trip; otherwise one {@code model-versions/search} per page, cached under
   * that token.
   */
  @Override
  public List<VersionRecord> listVersions(ModelRecord model) {
    boolean prompt = "true".equals(model.tags().get(RecordTags.IS_PROMPT));
    return versions.list(model, () -> searchVersions(model.name(), prompt));
  }

  /** The versions of {@code model}; a prompt's are only found when asked for as such. */
  private List<VersionRecord> searchVersions(String model, boolean prompt) {
    TreeMap<Integer, VersionRecord> out = new TreeMap<>();
    for (JsonNode v : http.searchAll("GET", "model-versions/search", "model_versions",
        filter("name='" + model.replace("'", "\\'") + "'" + (prompt ? " AND " + RecordTags.PROMPT_FILTER : "")))) {
      VersionRecord r = versions.version(v);
      out.put(r.number(), r);
    }
    return List.copyOf(out.values());
  }

  /** How many names of a {@code name IN (…)} clause are searched one by one before it is left to local evaluation. */
  static final int MAX_NAMES_SEARCHED_ONE_BY_ONE = 25;

  /**
   * Push-down: one {@code model-versions/search} per page of 1000 over every model, and one more for the versions of
   * prompts, which MLflow leaves out unless the filter asks for them with {@link RecordTags#PROMPT_FILTER} (not needed
   * when the filter names that tag, or names one model and the first search found versions of it), with the clauses
   * MLflow's
   * grammar expresses exactly ({@code name =, LIKE}; {@code version_number} comparisons; {@code tags.`key` =,
   * LIKE}). MLflow refuses {@code name IN (…)} (400: only {@code run_id} compares with a list), so a name list of
   * up to {@value #MAX_NAMES_SEARCHED_ONE_BY_ONE} names becomes one search per name. A clause whose key has a
   * backtick or whose value has a quote or backslash has no portable quoting there and is left out, which only
   * widens the answer.
   */
  @Override
  public Optional<List<VersionRecord>> searchVersions(List<SearchClause> clauses) {
    StringJoiner filter = new StringJoiner(" AND ");
    List<String> names = null;
    for (SearchClause c : clauses) {
      String clause = mlflowClause(c);
      if (clause != null) {
        filter.add(clause);
      } else if (names == null && c.subject() == SearchClause.Subject.MODEL_NAME && c.op() == SearchClause.Op.IN
          && c.values().size() <= MAX_NAMES_SEARCHED_ONE_BY_ONE && c.values().stream().allMatch(MlflowRegistryStore::quotable)) {
        names = c.values();
      }
    }
    // MLflow leaves every version of a prompt out of a search that does not ask for prompts: ask again for them
    String rest = filter.toString();
    boolean asksForPrompts = clauses.stream().anyMatch(c -> c.subject() == SearchClause.Subject.VERSION_TAG
        && RecordTags.IS_PROMPT.equals(c.key()));
    boolean oneModelNamed = clauses.stream().anyMatch(c -> c.subject() == SearchClause.Subject.MODEL_NAME
        && c.op() == SearchClause.Op.EQ && mlflowClause(c) != null);
    Map<String, VersionRecord> out = new LinkedHashMap<>();
    for (String name : names == null ? List.of("") : new TreeSet<>(names)) {
      String query = name.isEmpty() ? rest : "name = '" + name + "'" + (rest.isEmpty() ? "" : " AND " + rest);
      int before = out.size();
      search(query, out);
      // one model that showed versions is no prompt; otherwise, and over every model, ask for prompts' versions too
      if (!asksForPrompts && ((name.isEmpty() && !oneModelNamed) || out.size() == before)) {
        search(query.isEmpty() ? RecordTags.PROMPT_FILTER : query + " AND " + RecordTags.PROMPT_FILTER, out);
      }
    }
    return Optional.of(new ArrayList<>(out.values()));
  }

  private void search(String query, Map<String, VersionRecord> out) {
    for (JsonNode v : http.searchAll("GET", "model-versions/search", "model_versions", filter(query))) {
      VersionRecord r = versions.version(v);
      out.putIfAbsent(r.model() + "\n" + r.number(), r);
    }
  }

  private static boolean quotable(String value) {
    return !value.contains("'") && !value.contains("\\");
  }

  /** One clause in MLflow's search grammar, or null when it cannot be written there exactly. */
  static @Nullable String mlflowClause(SearchClause c) {
    if (!c.values().stream().allMatch(MlflowRegistryStore::quotable)) {
      return null;
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
    VersionRecord current = versions.version(stored);
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
    artifacts.metricRunsAdded(stored.path("run_id").asText(""), current, version);
    Map<String, String> record = recordTags(version, revision);
    record.forEach((k, v) -> http.post("model-versions/set-tag", Map.of("name", name, "version", number, "key", k, "value", v)));
    versionsChanged(name);
    for (String stale : staleChunks(currentTags, RecordTags.RECORD, record)) {
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

  /** See {@link Adoption#survey}. */
  @Override
  public VersionRecord surveyForeignVersion(String model, int number) {
    try {
      return adoption.survey(http.get("model-versions/get", MlflowHttp.params("name", model, "version",
          Integer.toString(number))).path("model_version"));
    } catch (NotFoundException e) {
      throw new VersionNotFoundException("Version " + number + " of model '" + model + "' not found");
    }
  }

  // ================================================================== artifacts and maintenance

  @Override
  public ArtifactUpload beginUpload(String model) {
    return artifacts.begin(model);
  }

  @Override
  public InputStream openArtifact(VersionRecord version, ArtifactEntry entry) {
    return artifacts.open(version, entry);
  }

  /** See {@link ArtifactRuns#collectGarbage}: runs no version uses, older than the grace period. */
  @Override
  public GcReport collectGarbage() {
    return artifacts.collectGarbage();
  }

  /**
   * Nothing of its own to check (MLflow keeps the bytes), but a verification reads what the server holds
   * now: the parsed records and version lists this instance keeps are dropped first, so record tags edited
   * behind modelreg's back are read, and found, again.
   */
  @Override
  public StorageCheck verifyStorage() {
    versions.clear();
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
    artifacts.close();
  }
}
