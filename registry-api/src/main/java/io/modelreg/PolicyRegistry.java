package io.modelreg;

import io.modelreg.spi.ArtifactUpload;
import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.RegistryStore;
import io.modelreg.spi.SearchClause;
import io.modelreg.spi.StorageCheck;
import io.modelreg.spi.StoreCapability;
import io.modelreg.spi.VersionRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one implementation of {@link ModelRegistry}: every business rule, over any {@link RegistryStore}.
 *
 * <p>Writes to one model are serialised by an in-process lock plus the store's model lock, and are
 * compare-and-set on the stored revision, retried a bounded number of times, so stores without
 * cross-process locks stay correct. Reads go through a cache of bounded age (see {@link
 * RegistryOptions}); this registry's own writes replace cached entries at once.
 */
final class PolicyRegistry implements ModelRegistry {
  /** Created on first use, so opening a registry does not initialise the logging backend. */
  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(PolicyRegistry.class);
  }
  private static final int MAX_ATTEMPTS = 32;
  private static final int COPY_BUFFER = 64 * 1024;

  private final RegistryStore store;
  private final RegistryOptions options;
  private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  private final RecordCache<String, ModelRecord> models;
  private final RecordCache<String, List<VersionRecord>> versionLists;
  private final RecordCache<String, List<String>> modelNames;
  /** Every model record, for listing; any write through this registry drops it. */
  private final RecordCache<String, List<ModelRecord>> modelList;
  private final Watchers watchers = new Watchers();
  private volatile boolean closed;

  PolicyRegistry(RegistryStore store, RegistryOptions options) {
    this.store = store;
    this.options = options;
    this.models = new RecordCache<>(options.cacheTtl(), options.clock(), 100_000, store::changeToken);
    this.versionLists = new RecordCache<>(options.cacheTtl(), options.clock(), 100_000, store::changeToken);
    this.modelNames = new RecordCache<>(options.cacheTtl(), options.clock(), 1, key -> null);
    this.modelList = new RecordCache<>(options.cacheTtl(), options.clock(), 1, key -> null);
  }

  @Override
  public String describe() {
    return store.describe();
  }

  @Override
  public Set<StoreCapability> capabilities() {
    return store.capabilities();
  }

  // ============================================================== reading

  private @Nullable ModelRecord modelOrNull(String name) {
    return models.get(name, n -> store.findModel(n).orElse(null));
  }

  private ModelRecord model(String name) {
    ModelRecord m = modelOrNull(name);
    if (m == null) {
      throw new ModelNotFoundException(name);
    }
    return m;
  }

  /**
   * The versions of a model whose record the caller holds: the store gets that record, so a remote store can
   * revalidate its cached list with the token it read along with the record, without asking again.
   */
  private List<VersionRecord> versions(ModelRecord m) {
    List<VersionRecord> list = versionLists.get(m.name(), n -> store.listVersions(m));
    return list == null ? List.of() : list;
  }

  private @Nullable VersionRecord versionOrNull(ModelRecord m, int number) {
    List<VersionRecord> list = versions(m);
    int lo = 0;
    int hi = list.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int n = list.get(mid).number();
      if (n == number) {
        return list.get(mid);
      } else if (n < number) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return null;
  }

  private List<String> names() {
    List<String> names = modelNames.get("", k -> List.copyOf(store.listModelNames()));
    return names == null ? List.of() : names;
  }

  private List<ModelRecord> allModels() {
    List<ModelRecord> all = modelList.get("", k -> List.copyOf(store.listModels()));
    return all == null ? List.of() : all;
  }

  private void forget(String name) {
    models.invalidate(name);
    versionLists.invalidate(name);
    modelNames.invalidate("");
    modelList.invalidate("");
  }

  private static ModelVersion view(ModelRecord m, VersionRecord v) {
    int n = v.number();
    Stage stage = m.stageOf(n);
    List<String> aliases = new ArrayList<>(2);
    for (Map.Entry<String, Integer> e : m.aliases().entrySet()) {
      if (e.getValue() == n) {
        aliases.add(e.getKey());
      }
    }
    if (stage == Stage.PRODUCTION) {
      aliases.add(Stage.PRODUCTION.label());
    } else if (stage == Stage.STAGING && Objects.equals(RegisteredModel.stagingHolder(m), n)) {
      aliases.add(Stage.STAGING.label());
    }
    aliases.sort(null);
    return ModelVersion.of(v, stage, aliases);
  }

  // ============================================================== models

  @Override
  public RegisteredModel createModel(String name, @Nullable String description, Map<String, String> tags) {
    Names.checkModelName(name);
    checkDescription(description);
    tags.forEach((k, v) -> Names.checkValue("tag", Names.checkUserKey("tag", k), v));
    requireOpen();
    return write(name, () -> {
      if (store.findModel(name).isPresent()) {
        throw new AlreadyExistsException("Registered model '" + name + "' already exists");
      }
      return RegisteredModel.of(createModelLocked(name, description, tags));
    });
  }

  private ModelRecord createModelLocked(String name, @Nullable String description, Map<String, String> tags) {
    ModelRecord created = store.createModel(ModelRecord.create(name, description, tags, now()));
    forget(name);
    models.put(name, created);
    append(name, RegistryEvent.Type.MODEL_CREATED, null, details("description", description));
    return created;
  }

  /**
   * The model, created on first registration. On a backend without a cross-client model lock another
   * client may create it between our read and our create; its model is then as good as ours.
   */
  private ModelRecord findOrCreateModel(String name) {
    ModelRecord m = store.findModel(name).orElse(null);
    if (m != null) {
      return m;
    }
    try {
      return createModelLocked(name, null, Map.of());
    } catch (AlreadyExistsException raced) {
      return store.findModel(name).orElseThrow(() -> raced);
    }
  }

  @Override
  public RegisteredModel getModel(String name) {
    Names.checkModelName(name);
    return RegisteredModel.of(model(name));
  }

  @Override
  public Optional<RegisteredModel> findModel(String name) {
    Names.checkModelName(name);
    return Optional.ofNullable(modelOrNull(name)).map(RegisteredModel::of);
  }

  @Override
  public List<RegisteredModel> listModels() {
    List<RegisteredModel> out = new ArrayList<>();
    for (ModelRecord m : allModels()) {
      out.add(RegisteredModel.of(m));
    }
    return out;
  }

  @Override
  public Page<RegisteredModel> searchModels(SearchRequest request) {
    Filter filter = Filter.parse(request.filter(), Filter.Target.MODELS);
    Comparator<RegisteredModel> order = Ordering.models(request.orderBy());
    List<RegisteredModel> matches = new ArrayList<>();
    for (RegisteredModel m : listModels()) {
      if (filter.test(m)) {
        matches.add(m);
      }
    }
    matches.sort(order);
    return Ordering.page(matches, request);
  }

  @Override
  public RegisteredModel updateModelDescription(String name, @Nullable String description) {
    Names.checkModelName(name);
    checkDescription(description);
    return RegisteredModel.of(updateModel(name, (m, events) -> {
      if (Objects.equals(m.description(), description)) {
        return m;
      }
      events.add(event(name, RegistryEvent.Type.MODEL_UPDATED, null,
          details("field", "description", "from", m.description(), "to", description)));
      return m.withDescription(description);
    }));
  }

  @Override
  public void deleteModel(String name) {
    Names.checkModelName(name);
    requireOpen();
    write(name, () -> {
      ModelRecord m = store.findModel(name).orElseThrow(() -> new ModelNotFoundException(name));
      store.deleteModel(name);
      forget(name);
      append(name, RegistryEvent.Type.MODEL_DELETED, null, details("aliases", m.aliases().toString()));
      return null;
    });
  }

  @Override
  public RegisteredModel setModelTag(String name, String key, String value) {
    Names.checkModelName(name);
    Names.checkValue("tag", Names.checkUserKey("tag", key), value);
    return RegisteredModel.of(updateModel(name, (m, events) -> {
      Map<String, String> tags = changeTag(m.tags(), key, value);
      if (tags == null) {
        return m;
      }
      events.add(event(name, RegistryEvent.Type.MODEL_TAG_SET, null,
          details("tag", key, "from", m.tags().get(key), "to", value)));
      return m.withTags(tags);
    }));
  }

  @Override
  public RegisteredModel deleteModelTag(String name, String key) {
    Names.checkModelName(name);
    Names.checkUserKey("tag", key);
    return RegisteredModel.of(updateModel(name, (m, events) -> {
      Map<String, String> tags = changeTag(m.tags(), key, null);
      if (tags == null) {
        return m;
      }
      events.add(event(name, RegistryEvent.Type.MODEL_TAG_DELETED, null, details("tag", key, "from", m.tags().get(key))));
      return m.withTags(tags);
    }));
  }

  // ============================================================== registration

  @Override
  public ModelVersion register(String name, Registration registration) {
    Names.checkModelName(name);
    requireOpen();
    SemanticVersion semver = registration.semver();
    ModelRecord existing = semver == null ? null : modelOrNull(name);
    if (semver != null && existing != null) {
      checkSemver(name, semver, versions(existing)); // fail before uploading gigabytes; re-checked under the lock
    }
    ArtifactUpload upload;
    try {
      upload = store.beginUpload(name);
    } catch (IOException e) {
      throw new RegistryException("Cannot start an artifact upload for '" + name + "' in " + store.describe()
          + ": " + e.getMessage(), e);
    }
    try (upload) {
      List<ArtifactEntry> entries = new ArrayList<>();
      for (Registration.Artifact artifact : registration.artifacts()) {
        entries.add(upload(upload, name, artifact));
      }
      ArtifactManifest manifest = ArtifactManifest.of(entries);
      return write(name, () -> {
        ModelRecord m = findOrCreateModel(name);
        if (semver != null) {
          checkSemver(name, semver, store.listVersions(name));
        }
        int number = store.allocateVersionNumber(name);
        Instant now = now();
        VersionRecord record = new VersionRecord(name, number, semver, VersionStatus.READY,
            registration.description(), registration.tags(), registration.params(), registration.metrics(), List.of(),
            registration.lineage(), registration.signature(), manifest, upload.location(), now, options.actor(), now, 0);
        VersionRecord stored = store.createVersion(record);
        versionLists.invalidate(name);
        append(name, RegistryEvent.Type.VERSION_REGISTERED, number, details(
            "semver", semver == null ? null : semver.toString(),
            "digest", manifest.digest().toString(),
            "files", Integer.toString(manifest.files().size()),
            "run_id", registration.lineage().runId()));
        return view(m, stored);
      });
    }
  }

  private ArtifactEntry upload(ArtifactUpload upload, String model, Registration.Artifact artifact) {
    MessageDigest md = Digest.newSha256();
    byte[] buf = new byte[COPY_BUFFER];
    long size = 0;
    InputStream in;
    try {
      in = artifact.source().open();
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read artifact '" + artifact.path() + "' from " + artifact.origin()
          + ": " + e, e);
    }
    try (InputStream source = in; ArtifactUpload.Sink sink = upload.open(artifact.path())) {
      while (true) {
        int n;
        try {
          n = source.read(buf);
        } catch (IOException e) {
          throw new IllegalArgumentException("Cannot read artifact '" + artifact.path() + "' from "
              + artifact.origin() + ": " + e, e);
        }
        if (n < 0) {
          break;
        }
        md.update(buf, 0, n);
        sink.write(buf, 0, n);
        size += n;
      }
      Digest digest = Digest.fromBytes(md.digest());
      sink.commit(digest, size);
      return new ArtifactEntry(artifact.path(), size, digest);
    } catch (IOException e) {
      throw new RegistryException("Cannot store artifact '" + artifact.path() + "' of '" + model + "' in "
          + store.describe() + ": " + e, e);
    }
  }

  private void checkSemver(String name, SemanticVersion semver, List<VersionRecord> existing) {
    SemverPolicy policy = options.semverPolicy();
    if (policy == SemverPolicy.UNCHECKED) {
      return;
    }
    VersionRecord highest = null;
    for (VersionRecord v : existing) {
      SemanticVersion s = v.semver();
      if (s == null) {
        continue;
      }
      if (s.compareTo(semver) == 0) {
        throw new IllegalArgumentException("Semantic version " + semver + " is already used by version "
            + v.number() + " of '" + name + "' (" + s + "); each version needs its own");
      }
      if (highest == null || s.compareTo(Objects.requireNonNull(highest.semver())) > 0) {
        highest = v;
      }
    }
    if (policy == SemverPolicy.STRICTLY_INCREASING && highest != null
        && semver.compareTo(Objects.requireNonNull(highest.semver())) < 0) {
      throw new IllegalArgumentException("Semantic version " + semver + " of '" + name
          + "' must be greater than " + highest.semver() + " (version " + highest.number()
          + "), the highest so far; the registry's SemverPolicy is STRICTLY_INCREASING (use UNIQUE to allow back-ports)");
    }
  }

  // ============================================================== versions

  @Override
  public ModelVersion adopt(String name, int number) {
    Names.checkModelName(name);
    checkNumber(number);
    requireOpen();
    requireVersion(name, number);
    // reads every byte of the version: outside the model's lock, checked against its revision when committed
    VersionRecord surveyed = store.surveyForeignVersion(name, number);
    return updateVersion(name, number, (current, events) -> {
      if (current.revision() != surveyed.revision()) {
        throw new ConflictException("Version " + number + " of '" + name + "' changed while its files were read for"
            + " adoption; adopt it again");
      }
      events.add(event(name, RegistryEvent.Type.VERSION_REGISTERED, number, details(
          "digest", surveyed.manifest().digest().toString(),
          "files", Integer.toString(surveyed.manifest().files().size()),
          "adopted_from", surveyed.lineage().sourceUri())));
      return surveyed;
    });
  }

  @Override
  public ModelVersion getVersion(String name, int number) {
    Names.checkModelName(name);
    checkNumber(number);
    ModelRecord m = model(name);
    VersionRecord v = versionOrNull(m, number);
    if (v == null) {
      throw new VersionNotFoundException("Version " + number + " of model '" + name + "' not found");
    }
    return view(m, v);
  }

  @Override
  public Optional<ModelVersion> findVersion(String name, int number) {
    Names.checkModelName(name);
    checkNumber(number);
    ModelRecord m = modelOrNull(name);
    if (m == null) {
      return Optional.empty();
    }
    VersionRecord v = versionOrNull(m, number);
    return v == null ? Optional.empty() : Optional.of(view(m, v));
  }

  @Override
  public ModelVersion resolve(ModelUri uri) {
    String name = uri.name();
    ModelRecord m = model(name);
    VersionRecord v;
    switch (uri.kind()) {
      case NUMBER:
        v = versionOrNull(m, uri.number());
        break;
      case LATEST:
        v = latest(m);
        break;
      case STAGE:
        v = stageHolder(m, uri.stage());
        break;
      case ALIAS:
        String alias = uri.reference();
        Stage managed = Stage.parseOrNull(alias);
        if (managed == Stage.PRODUCTION || managed == Stage.STAGING) {
          v = stageHolder(m, managed);
        } else {
          Integer n = m.aliases().get(alias);
          v = n == null ? null : versionOrNull(m, n);
        }
        break;
      case SEMVER:
        v = exactSemver(m, uri.semver());
        break;
      case RANGE:
        v = newestInRange(m, uri.range());
        break;
      default:
        throw new AssertionError(uri.kind());
    }
    if (v == null) {
      throw new VersionNotFoundException("No version of model '" + name + "' matches " + uri + describeMiss(m, uri));
    }
    return view(m, v);
  }

  private String describeMiss(ModelRecord m, ModelUri uri) {
    if (uri.kind() == ModelUri.Kind.ALIAS) {
      return "; its aliases are " + RegisteredModel.of(m).aliases().keySet();
    }
    return "";
  }

  private @Nullable VersionRecord latest(ModelRecord m) {
    List<VersionRecord> list = versions(m);
    for (int i = list.size() - 1; i >= 0; i--) {
      if (list.get(i).status() == VersionStatus.READY) {
        return list.get(i);
      }
    }
    return null;
  }

  private @Nullable VersionRecord stageHolder(ModelRecord m, Stage stage) {
    if (stage == Stage.PRODUCTION) {
      Integer n = RegisteredModel.productionHolder(m);
      return n == null ? null : versionOrNull(m, n);
    }
    if (stage == Stage.STAGING) {
      Integer n = RegisteredModel.stagingHolder(m);
      return n == null ? null : versionOrNull(m, n);
    }
    List<VersionRecord> list = versions(m);
    for (int i = list.size() - 1; i >= 0; i--) {
      if (m.stageOf(list.get(i).number()) == stage && list.get(i).status() == VersionStatus.READY) {
        return list.get(i);
      }
    }
    return null;
  }

  private @Nullable VersionRecord exactSemver(ModelRecord m, SemanticVersion wanted) {
    for (VersionRecord v : versions(m)) {
      SemanticVersion s = v.semver();
      if (s != null && s.compareTo(wanted) == 0 && (wanted.build().isEmpty() || s.build().equals(wanted.build()))) {
        return v;
      }
    }
    return null;
  }

  private @Nullable VersionRecord newestInRange(ModelRecord m, VersionRange range) {
    VersionRecord best = null;
    for (VersionRecord v : versions(m)) {
      SemanticVersion s = v.semver();
      if (s != null && v.status() == VersionStatus.READY && m.stageOf(v.number()) != Stage.ARCHIVED
          && range.matches(s) && (best == null || s.compareTo(Objects.requireNonNull(best.semver())) > 0)) {
        best = v;
      }
    }
    return best;
  }

  @Override
  public Optional<ModelVersion> find(ModelUri uri) {
    try {
      return Optional.of(resolve(uri));
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  @Override
  public List<ModelVersion> listVersions(String name) {
    Names.checkModelName(name);
    ModelRecord m = model(name);
    List<ModelVersion> out = new ArrayList<>();
    for (VersionRecord v : versions(m)) {
      out.add(view(m, v));
    }
    return out;
  }

  @Override
  public Page<ModelVersion> searchVersions(SearchRequest request) {
    Filter filter = Filter.parse(request.filter(), Filter.Target.VERSIONS);
    Comparator<ModelVersion> order = Ordering.versions(request.orderBy());
    List<ModelVersion> matches = new ArrayList<>();
    Optional<List<VersionRecord>> pushed = store.searchVersions(pushable(filter));
    if (pushed.isPresent()) {
      Map<String, ModelRecord> owners = owners(pushed.get());
      for (VersionRecord v : pushed.get()) {
        ModelRecord m = owners.get(v.model());
        if (m != null) {
          ModelVersion view = view(m, v);
          if (filter.test(view)) {
            matches.add(view);
          }
        }
      }
    } else {
      for (String name : candidateNames(filter)) {
        ModelRecord m = modelOrNull(name);
        if (m == null) {
          continue;
        }
        for (VersionRecord v : versions(m)) {
          ModelVersion view = view(m, v);
          if (filter.test(view)) {
            matches.add(view);
          }
        }
      }
    }
    matches.sort(order);
    return Ordering.page(matches, request);
  }

  /**
   * The clauses of a version filter a store may evaluate itself (see {@link RegistryStore#searchVersions}):
   * the model name compared exactly, by LIKE or IN; the version number compared with a whole number; version
   * tags compared exactly or by LIKE. Not pushed: {@code !=} (how a backend treats a version without the
   * tag is its own business), ILIKE (case folding differs between databases), and whatever the store
   * cannot know — aliases, stages, metrics, semver, lineage — all evaluated here on what it returns.
   */
  static List<SearchClause> pushable(Filter filter) {
    List<SearchClause> out = new ArrayList<>();
    for (Filter.Clause c : filter.clauses()) {
      SearchClause.@Nullable Op op = switch (c.op()) {
        case EQ -> SearchClause.Op.EQ;
        case LT -> SearchClause.Op.LT;
        case LE -> SearchClause.Op.LE;
        case GT -> SearchClause.Op.GT;
        case GE -> SearchClause.Op.GE;
        case LIKE -> SearchClause.Op.LIKE;
        case IN -> SearchClause.Op.IN;
        default -> null;
      };
      if (op == null) {
        continue;
      }
      List<String> texts = new ArrayList<>();
      for (Object v : c.values()) {
        if (v instanceof String text) {
          texts.add(text);
        } else if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < 1e15) {
          texts.add(Long.toString((long) n.doubleValue()));
        }
      }
      if (texts.size() != c.values().size()) {
        continue;
      }
      String key = c.key();
      if (c.field() == Filter.Field.NAME && (op == SearchClause.Op.EQ || op == SearchClause.Op.LIKE || op == SearchClause.Op.IN)) {
        out.add(new SearchClause(SearchClause.Subject.MODEL_NAME, null, op, texts));
      } else if (c.field() == Filter.Field.VERSION_NUMBER && op != SearchClause.Op.LIKE && op != SearchClause.Op.IN) {
        out.add(new SearchClause(SearchClause.Subject.VERSION_NUMBER, null, op, texts));
      } else if (c.field() == Filter.Field.TAG && key != null && (op == SearchClause.Op.EQ || op == SearchClause.Op.LIKE)) {
        out.add(new SearchClause(SearchClause.Subject.VERSION_TAG, key, op, texts));
      }
    }
    return out;
  }

  /** The records of the models owning {@code versions}: one read when one model, else one listing of all. */
  private Map<String, ModelRecord> owners(List<VersionRecord> versions) {
    Set<String> names = new TreeSet<>();
    versions.forEach(v -> names.add(v.model()));
    Map<String, ModelRecord> out = new HashMap<>();
    if (names.size() == 1) {
      ModelRecord m = modelOrNull(names.iterator().next());
      if (m != null) {
        out.put(m.name(), m);
      }
    } else if (!names.isEmpty()) {
      for (ModelRecord m : allModels()) {
        if (names.contains(m.name())) {
          out.put(m.name(), m);
        }
      }
    }
    return out;
  }

  /** The models a version search must look at when the store reads no versions in bulk. */
  private List<String> candidateNames(Filter filter) {
    for (Filter.Clause c : filter.clauses()) {
      if (c.field() == Filter.Field.NAME && c.op() == Filter.Op.EQ) {
        String name = (String) c.values().get(0);
        return Names.checkModelNameOrNull(name) == null ? List.of() : List.of(name);
      }
    }
    return names();
  }

  @Override
  public ModelVersion updateVersionDescription(String name, int version, @Nullable String description) {
    checkDescription(description);
    return updateVersion(name, version, (v, events) -> {
      if (Objects.equals(v.description(), description)) {
        return v;
      }
      events.add(event(name, RegistryEvent.Type.VERSION_UPDATED, version,
          details("field", "description", "from", v.description(), "to", description)));
      return v.withDescription(description);
    });
  }

  @Override
  public void deleteVersion(String name, int version) {
    Names.checkModelName(name);
    checkNumber(version);
    requireOpen();
    write(name, () -> {
      ModelRecord m = store.findModel(name).orElseThrow(() -> new ModelNotFoundException(name));
      VersionRecord v = store.findVersion(name, version).orElseThrow(
          () -> new VersionNotFoundException("Version " + version + " of model '" + name + "' not found"));
      List<String> blockers = new ArrayList<>();
      if (m.stageOf(version) == Stage.PRODUCTION) {
        blockers.add("it is in PRODUCTION (archive it or promote another version first)");
      }
      m.aliases().forEach((alias, n) -> {
        if (n == version) {
          blockers.add("alias '" + alias + "' points to it (delete or move the alias first)");
        }
      });
      if (!blockers.isEmpty()) {
        throw new IllegalStateException("Cannot delete version " + version + " of '" + name + "': "
            + String.join("; ", blockers));
      }
      Map<Integer, Stage> stages = new TreeMap<>(m.stages());
      stages.remove(version);
      List<Integer> history = new ArrayList<>(m.productionHistory());
      history.removeIf(n -> n == version);
      if (!stages.equals(m.stages()) || !history.equals(m.productionHistory())) {
        ModelRecord updated = store.updateModel(m.withStages(stages, history).withUpdatedAt(now()), m.revision());
        models.put(name, updated);
      }
      store.deleteVersion(name, version);
      versionLists.invalidate(name);
      append(name, RegistryEvent.Type.VERSION_DELETED, version, details("digest", v.manifest().digest().toString()));
      return null;
    });
  }

  @Override
  public ModelVersion setVersionTag(String name, int version, String key, String value) {
    Names.checkValue("tag", Names.checkUserKey("tag", key), value);
    return updateVersion(name, version, (v, events) -> {
      Map<String, String> tags = changeTag(v.tags(), key, value);
      if (tags == null) {
        return v;
      }
      events.add(event(name, RegistryEvent.Type.VERSION_TAG_SET, version,
          details("tag", key, "from", v.tags().get(key), "to", value)));
      return v.withTags(tags);
    });
  }

  @Override
  public ModelVersion deleteVersionTag(String name, int version, String key) {
    Names.checkUserKey("tag", key);
    return updateVersion(name, version, (v, events) -> {
      Map<String, String> tags = changeTag(v.tags(), key, null);
      if (tags == null) {
        return v;
      }
      events.add(event(name, RegistryEvent.Type.VERSION_TAG_DELETED, version, details("tag", key, "from", v.tags().get(key))));
      return v.withTags(tags);
    });
  }

  @Override
  public ModelVersion recordMetrics(String name, int version, MetricRecord record) {
    return updateVersion(name, version, (v, events) -> {
      StringBuilder values = new StringBuilder();
      record.values().forEach((k, x) -> values.append(values.length() == 0 ? "" : ", ").append(k).append('=').append(x));
      events.add(event(name, RegistryEvent.Type.METRICS_RECORDED, version,
          details("run_id", record.runId(), "values", values.toString())));
      return v.withMetricRun(record);
    });
  }

  // ============================================================== aliases and stages

  @Override
  public ModelVersion setAlias(String name, String alias, int version) {
    Names.checkModelName(name);
    Names.checkUserAlias(alias);
    checkNumber(version);
    requireOpen();
    return write(name, () -> {
      VersionRecord v = requireVersion(name, version);
      ModelRecord stored = updateModelLocked(name, (m, events) -> {
        Integer old = m.aliases().get(alias);
        if (old != null && old == version) {
          return m;
        }
        Map<String, Integer> aliases = new TreeMap<>(m.aliases());
        aliases.put(alias, version);
        events.add(event(name, RegistryEvent.Type.ALIAS_SET, version,
            details("alias", alias, "from", old == null ? null : old.toString(), "to", Integer.toString(version))));
        return m.withAliases(aliases);
      });
      return view(stored, v);
    });
  }

  @Override
  public void deleteAlias(String name, String alias) {
    Names.checkModelName(name);
    Names.checkAliasSyntax(alias);
    updateModel(name, (m, events) -> {
      Integer old = m.aliases().get(alias);
      if (old == null) {
        throw new NotFoundException("Alias '" + alias + "' of model '" + name + "' not found; its aliases are "
            + m.aliases().keySet());
      }
      Map<String, Integer> aliases = new TreeMap<>(m.aliases());
      aliases.remove(alias);
      events.add(event(name, RegistryEvent.Type.ALIAS_DELETED, old, details("alias", alias, "from", old.toString())));
      return m.withAliases(aliases);
    });
  }

  @Override
  public ModelVersion transition(String name, int version, Stage target) {
    Names.checkModelName(name);
    checkNumber(version);
    requireOpen();
    return write(name, () -> {
      VersionRecord v = requireVersion(name, version);
      ModelRecord stored = updateModelLocked(name, (m, events) -> {
        Stage from = m.stageOf(version);
        if (from == target) {
          return m;
        }
        String subject = "Moving version " + version + " of '" + name + "' from " + from + " to " + target;
        if (!from.canMoveTo(target)) {
          throw new PromotionRejectedException(subject, List.of(from + " → " + target + " is not allowed; from "
              + from + " a version may move to " + allowedTargets(from)));
        }
        Integer holder = RegisteredModel.productionHolder(m);
        PromotionRequest request = new PromotionRequest(view(m, v), from, target, options.actor(),
            target == Stage.PRODUCTION && holder != null ? viewOrNull(m, holder) : null);
        List<String> violations = options.promotionPolicy(target).violations(request);
        if (!violations.isEmpty()) {
          throw new PromotionRejectedException(subject, violations);
        }
        Map<Integer, Stage> stages = new TreeMap<>(m.stages());
        List<Integer> history = new ArrayList<>(m.productionHistory());
        if (target == Stage.PRODUCTION && holder != null) {
          stages.put(holder, Stage.ARCHIVED);
          history.add(holder);
          events.add(event(name, RegistryEvent.Type.STAGE_CHANGED, holder, details("from", "PRODUCTION",
              "to", "ARCHIVED", "reason", "replaced by version " + version)));
        }
        if (from == Stage.PRODUCTION) {
          history.add(version);
        }
        stages.put(version, target);
        events.add(event(name, RegistryEvent.Type.STAGE_CHANGED, version,
            details("from", from.name(), "to", target.name())));
        return m.withStages(stages, history);
      });
      return view(stored, v);
    });
  }

  private static String allowedTargets(Stage from) {
    List<String> out = new ArrayList<>();
    for (Stage s : Stage.values()) {
      if (from.canMoveTo(s)) {
        out.add(s.name());
      }
    }
    return String.join(" or ", out);
  }

  private @Nullable ModelVersion viewOrNull(ModelRecord m, int number) {
    VersionRecord v = store.findVersion(m.name(), number).orElse(null);
    return v == null ? null : view(m, v);
  }

  @Override
  public ModelVersion rollback(String name) {
    Names.checkModelName(name);
    requireOpen();
    return write(name, () -> {
      ModelRecord before = store.findModel(name).orElseThrow(() -> new ModelNotFoundException(name));
      List<Integer> history = new ArrayList<>(before.productionHistory());
      Integer current = RegisteredModel.productionHolder(before);
      while (!history.isEmpty() && (store.findVersion(name, history.get(history.size() - 1)).isEmpty()
          || Objects.equals(history.get(history.size() - 1), current))) {
        history.remove(history.size() - 1);
      }
      if (history.isEmpty()) {
        throw new IllegalStateException("Cannot roll back '" + name + "': no earlier production version is recorded"
            + (current == null ? "" : "; version " + current + " is the only one that has held PRODUCTION"));
      }
      int previous = history.remove(history.size() - 1);
      VersionRecord v = requireVersion(name, previous);
      ModelRecord stored = updateModelLocked(name, (m, events) -> {
        Map<Integer, Stage> stages = new TreeMap<>(m.stages());
        Integer holder = RegisteredModel.productionHolder(m);
        if (holder != null) {
          stages.put(holder, Stage.ARCHIVED);
        }
        stages.put(previous, Stage.PRODUCTION);
        events.add(event(name, RegistryEvent.Type.ROLLBACK, previous, details(
            "from", holder == null ? null : holder.toString(), "to", Integer.toString(previous),
            "previous_stage", m.stageOf(previous).name())));
        return m.withStages(stages, history);
      });
      return view(stored, v);
    });
  }

  // ============================================================== history, compare, watch

  @Override
  public List<RegistryEvent> history(String name) {
    Names.checkModelName(name);
    List<RegistryEvent> events = store.readEvents(name, 0);
    if (events.isEmpty() && modelOrNull(name) == null) {
      throw new ModelNotFoundException(name);
    }
    return events;
  }

  @Override
  public Comparison compare(ModelUri a, ModelUri b) {
    return Comparison.of(resolve(a), resolve(b));
  }

  @Override
  public Subscription watch(String name, Consumer<RegistryEvent> listener) {
    Names.checkModelName(name);
    requireOpen();
    return watchers.add(name, listener);
  }

  @Override
  public Subscription watchAll(Consumer<RegistryEvent> listener) {
    requireOpen();
    return watchers.add(null, listener);
  }

  // ============================================================== artifacts

  @Override
  public InputStream openArtifact(ModelVersion version, String path) {
    Names.checkArtifactPath(path);
    ArtifactManifest manifest = version.manifest();
    ArtifactEntry entry = manifest.find(path).orElseThrow(() -> new NotFoundException("Version " + version.number()
        + " of '" + version.name() + "' has no artifact '" + path + "'; it has " + pathsOf(manifest)));
    if (!manifest.isConsistent()) {
      throw new IntegrityException("The artifact manifest of " + version.uri() + " does not match its digest "
          + manifest.digest() + "; the version metadata was altered");
    }
    try {
      return new VerifyingInputStream(store.openArtifact(version.record(), entry), entry,
          "Artifact '" + path + "' of " + version.uri());
    } catch (IOException e) {
      throw new RegistryException("Cannot read artifact '" + path + "' of " + version.uri() + " from "
          + store.describe() + ": " + e, e);
    }
  }

  private static String pathsOf(ArtifactManifest manifest) {
    List<String> paths = new ArrayList<>();
    for (ArtifactEntry e : manifest.files()) {
      if (paths.size() == 10) {
        paths.add("… (" + manifest.files().size() + " files)");
        break;
      }
      paths.add(e.path());
    }
    return paths.toString();
  }

  @Override
  public Path download(ModelVersion version, Path directory) {
    Path root = directory.toAbsolutePath().normalize();
    try {
      Files.createDirectories(root);
      for (ArtifactEntry entry : version.manifest().files()) {
        Path target = root.resolve(entry.path()).normalize();
        if (!target.startsWith(root)) {
          throw new IntegrityException("Artifact path '" + entry.path() + "' of " + version.uri() + " escapes " + root);
        }
        Path parent = Objects.requireNonNull(target.getParent());
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, ".modelreg-", ".part");
        try {
          try (InputStream in = openArtifact(version, entry.path()); OutputStream out = Files.newOutputStream(tmp)) {
            in.transferTo(out);
          }
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
      return root;
    } catch (IOException e) {
      throw new RegistryException("Cannot download " + version.uri() + " into " + root + ": " + e, e);
    }
  }

  @Override
  public VerificationReport verify() {
    requireOpen();
    StorageCheck storage = store.verifyStorage();
    List<String> problems = new ArrayList<>(storage.problems());
    Map<Digest, String> hashed = new HashMap<>();
    int models = 0;
    int versions = 0;
    for (String name : store.listModelNames()) {
      List<VersionRecord> records;
      try {
        if (store.findModel(name).isEmpty()) {
          continue; // deleted while we looked
        }
        records = store.listVersions(name);
      } catch (RegistryException e) {
        problems.add("Model '" + name + "': " + e.getMessage());
        continue;
      }
      models++;
      for (VersionRecord v : records) {
        versions++;
        ModelUri uri = ModelUri.ofNumber(name, v.number());
        if (!v.manifest().isConsistent()) {
          problems.add(uri + ": the artifact manifest does not match its digest " + v.manifest().digest());
        }
        for (ArtifactEntry entry : v.manifest().files()) {
          Long intactSize = storage.intact().get(entry.digest());
          String verdict = intactSize != null
              ? (intactSize == entry.size() ? "" : "stored content is " + intactSize + " bytes, " + entry.size() + " recorded")
              : hashed.computeIfAbsent(entry.digest(), d -> rehash(v, entry));
          if (!verdict.isEmpty()) {
            problems.add(uri + " '" + entry.path() + "': " + verdict);
          }
        }
      }
    }
    return new VerificationReport(models, versions, hashed.size() + storage.intact().size(), problems);
  }

  /** Reads one artifact through the verifying stream; empty when it is intact, else what is wrong. */
  private String rehash(VersionRecord version, ArtifactEntry entry) {
    byte[] buf = new byte[COPY_BUFFER];
    try (InputStream in = new VerifyingInputStream(store.openArtifact(version, entry), entry,
        "content " + entry.digest())) {
      while (in.read(buf) >= 0) {
        // the stream checks size and digest at the end
      }
      return "";
    } catch (IntegrityException | NotFoundException e) {
      return String.valueOf(e.getMessage());
    } catch (IOException | RegistryException e) {
      return "cannot be read: " + e;
    }
  }

  @Override
  public GcReport gc() {
    requireOpen();
    return store.collectGarbage();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      watchers.shutdown();
      store.close();
    }
  }

  // ============================================================== write machinery

  private <T> T write(String model, Supplier<T> action) {
    ReentrantLock lock = locks.computeIfAbsent(model, k -> new ReentrantLock());
    lock.lock();
    try {
      return store.withModelLock(model, action);
    } finally {
      modelList.invalidate("");
      lock.unlock();
    }
  }

  /**
   * Between compare-and-set retries: at once the first time, then a random pause growing to 50 ms, so
   * clients racing on a remote store (another process holding the next revision for a few round trips)
   * stop re-reading in lockstep.
   */
  private static void backOff(int attempt) {
    if (attempt < 2) {
      Thread.onSpinWait();
      return;
    }
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, Math.min(50, 1L << Math.min(attempt, 6)) + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientRegistryException("Interrupted while waiting to retry a write", e);
    }
  }

  private ModelRecord updateModel(String name, BiFunction<ModelRecord, List<RegistryEvent>, ModelRecord> change) {
    requireOpen();
    return write(name, () -> updateModelLocked(name, change));
  }

  /**
   * Applies {@code change} to the freshly read record and stores it if its revision is still current,
   * retrying races; then appends the events the change produced. Returning the same record is a no-op.
   */
  private ModelRecord updateModelLocked(String name, BiFunction<ModelRecord, List<RegistryEvent>, ModelRecord> change) {
    for (int attempt = 1; ; attempt++) {
      ModelRecord current = store.findModel(name).orElseThrow(() -> new ModelNotFoundException(name));
      List<RegistryEvent> events = new ArrayList<>();
      ModelRecord next = change.apply(current, events);
      if (next == current) {
        models.put(name, current);
        return current;
      }
      try {
        ModelRecord stored = store.updateModel(next.withUpdatedAt(now()), current.revision());
        models.put(name, stored);
        appendAll(events);
        return stored;
      } catch (ConflictException e) {
        if (attempt >= MAX_ATTEMPTS) {
          throw new ConflictException("Model '" + name + "' kept changing under this update (" + attempt
              + " attempts): " + e.getMessage());
        }
        backOff(attempt);
      }
    }
  }

  private ModelVersion updateVersion(String name, int version,
      BiFunction<VersionRecord, List<RegistryEvent>, VersionRecord> change) {
    Names.checkModelName(name);
    checkNumber(version);
    requireOpen();
    return write(name, () -> {
      for (int attempt = 1; ; attempt++) {
        ModelRecord m = store.findModel(name).orElseThrow(() -> new ModelNotFoundException(name));
        VersionRecord current = requireVersion(name, version);
        List<RegistryEvent> events = new ArrayList<>();
        VersionRecord next = change.apply(current, events);
        if (next == current) {
          return view(m, current);
        }
        try {
          VersionRecord stored = store.updateVersion(next.withUpdatedAt(now()), current.revision());
          versionLists.invalidate(name);
          appendAll(events);
          return view(m, stored);
        } catch (ConflictException e) {
          if (attempt >= MAX_ATTEMPTS) {
            throw new ConflictException("Version " + version + " of '" + name + "' kept changing under this update ("
                + attempt + " attempts): " + e.getMessage());
          }
          backOff(attempt);
        }
      }
    });
  }

  private VersionRecord requireVersion(String name, int version) {
    if (store.findModel(name).isEmpty()) {
      throw new ModelNotFoundException(name);
    }
    return store.findVersion(name, version).orElseThrow(
        () -> new VersionNotFoundException("Version " + version + " of model '" + name + "' not found"));
  }

  private RegistryEvent event(String model, RegistryEvent.Type type, @Nullable Integer version, Map<String, String> details) {
    return new RegistryEvent(model, 0, now(), options.actor(), type, version, details);
  }

  private void append(String model, RegistryEvent.Type type, @Nullable Integer version, Map<String, String> details) {
    appendAll(List.of(event(model, type, version, details)));
  }

  private void appendAll(List<RegistryEvent> events) {
    for (RegistryEvent e : events) {
      store.appendEvent(e);
      watchers.wake();
    }
  }

  /** The tags with {@code key} set to {@code value} (null removes it), or null when that changes nothing. */
  private static @Nullable Map<String, String> changeTag(Map<String, String> tags, String key, @Nullable String value) {
    if (Objects.equals(tags.get(key), value)) {
      return null;
    }
    Map<String, String> out = new TreeMap<>(tags);
    if (value == null) {
      out.remove(key);
    } else {
      out.put(key, value);
    }
    return out;
  }

  /** Key/value pairs, skipping null values. */
  private static Map<String, String> details(@Nullable String... keyValues) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      String k = keyValues[i];
      String v = keyValues[i + 1];
      if (k != null && v != null) {
        out.put(k, v);
      }
    }
    return out;
  }

  private Instant now() {
    return options.clock().instant();
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("The registry " + store.describe() + " is closed");
    }
  }

  private static void checkNumber(int number) {
    if (number < 1) {
      throw new IllegalArgumentException("Version numbers start at 1, got " + number);
    }
  }

  private static void checkDescription(@Nullable String description) {
    if (description != null) {
      Names.checkValue("description", "description", description);
    }
  }

  // ============================================================== watch

  /**
   * Delivers events from the store's logs on one daemon thread: at every poll interval, and at once after
   * a write through this registry. Each subscription keeps its own cursor per model, so it sees each
   * event once, in order, from the moment it subscribed.
   */
  private final class Watchers {
    private static final long FULL_POLL_NANOS = 30_000_000_000L;
    private final List<Sub> subs = new CopyOnWriteArrayList<>();
    private @Nullable ScheduledExecutorService executor;

    synchronized Subscription add(@Nullable String model, Consumer<RegistryEvent> listener) {
      Map<String, Long> cursors = new HashMap<>();
      for (String name : model != null ? List.of(model) : store.listModelNames()) {
        cursors.put(name, store.lastEventSequence(name));
      }
      Sub sub = new Sub(model, listener, cursors);
      subs.add(sub);
      if (executor == null) {
        ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "modelreg-watch " + store.describe());
          t.setDaemon(true);
          return t;
        });
        long period = options.watchPollInterval().toNanos();
        ex.scheduleWithFixedDelay(this::poll, period, period, TimeUnit.NANOSECONDS);
        executor = ex;
      }
      return sub;
    }

    void wake() {
      ScheduledExecutorService ex = executor;
      if (ex != null && !subs.isEmpty()) {
        try {
          ex.execute(this::poll);
        } catch (java.util.concurrent.RejectedExecutionException e) {
          // shutting down
        }
      }
    }

    private void poll() {
      for (Sub sub : subs) {
        try {
          sub.poll();
        } catch (RuntimeException e) {
          Log.LOG.warn("Watching {} failed; retrying at the next poll: {}", store.describe(), e.toString());
        }
      }
    }

    synchronized void shutdown() {
      subs.clear();
      ScheduledExecutorService ex = executor;
      if (ex != null) {
        ex.shutdownNow();
      }
    }

    private final class Sub implements Subscription {
      private final @Nullable String model;
      private final Consumer<RegistryEvent> listener;
      private final Map<String, Long> cursors;
      private volatile boolean active = true;
      /** For a watch on every model: the store's events token when the last complete poll began. */
      private @Nullable Object seenToken;
      private long lastFullPoll;

      Sub(@Nullable String model, Consumer<RegistryEvent> listener, Map<String, Long> cursors) {
        this.model = model;
        this.listener = listener;
        this.cursors = cursors;
      }

      void poll() {
        List<String> names = new ArrayList<>();
        // read before the poll, kept after it: a change made during the poll is seen by the next one; and a
        // full poll at least every half minute, whatever the token says
        Object token = model == null ? store.eventsChangeToken() : null;
        long now = System.nanoTime();
        if (token != null && token.equals(seenToken) && now - lastFullPoll < FULL_POLL_NANOS) {
          return;
        }
        if (model != null) {
          names.add(model);
        } else {
          names.addAll(store.listModelNames());
          for (String known : cursors.keySet()) {
            if (!names.contains(known)) {
              names.add(known);
            }
          }
        }
        for (String name : names) {
          long cursor = cursors.getOrDefault(name, 0L);
          List<RegistryEvent> events = store.readEvents(name, cursor);
          if (!events.isEmpty()) {
            forget(name); // a listener that reads the registry must see the change the event reports
          }
          for (RegistryEvent e : events) {
            if (!active) {
              return;
            }
            cursors.put(name, e.sequence());
            try {
              listener.accept(e);
            } catch (RuntimeException ex) {
              Log.LOG.warn("A registry event listener failed on {}", e, ex);
            }
          }
        }
        seenToken = token;
        lastFullPoll = now;
      }

      @Override
      public void close() {
        active = false;
        subs.remove(this);
      }
    }
  }

  /** Parsing of order clauses and offset page tokens. */
  static final class Ordering {
    private Ordering() {}

    static Comparator<ModelVersion> versions(List<String> clauses) {
      Comparator<ModelVersion> order = null;
      for (String clause : clauses) {
        String[] parts = clause.trim().split("\\s+");
        boolean desc = direction(clause, parts);
        String field = parts[0].toLowerCase(Locale.ROOT);
        Comparator<ModelVersion> c;
        if (field.startsWith("metrics.")) {
          String metric = parts[0].substring("metrics.".length());
          c = nullsLast(v -> v.latestMetric(metric).isPresent() ? v.latestMetric(metric).getAsDouble() : null, desc);
        } else {
          switch (field) {
            case "name":
              c = nullsLast(ModelVersion::name, desc);
              break;
            case "version_number":
            case "version":
              c = nullsLast(ModelVersion::number, desc);
              break;
            case "created_at":
            case "creation_timestamp":
              c = nullsLast(ModelVersion::createdAt, desc);
              break;
            case "updated_at":
            case "last_updated_timestamp":
              c = nullsLast(ModelVersion::updatedAt, desc);
              break;
            case "semver":
              c = nullsLast(v -> v.semver().orElse(null), desc);
              break;
            default:
              throw new IllegalArgumentException("Cannot order by '" + parts[0] + "'; allowed: name, version_number,"
                  + " created_at, updated_at, semver, metrics.<name>, each optionally ASC or DESC");
          }
        }
        order = order == null ? c : order.thenComparing(c);
      }
      Comparator<ModelVersion> dflt = Comparator.comparing(ModelVersion::name)
          .thenComparing(Comparator.comparingInt(ModelVersion::number).reversed());
      return order == null ? dflt : order.thenComparing(dflt);
    }

    static Comparator<RegisteredModel> models(List<String> clauses) {
      Comparator<RegisteredModel> order = null;
      for (String clause : clauses) {
        String[] parts = clause.trim().split("\\s+");
        boolean desc = direction(clause, parts);
        Comparator<RegisteredModel> c;
        switch (parts[0].toLowerCase(Locale.ROOT)) {
          case "name":
            c = nullsLast(RegisteredModel::name, desc);
            break;
          case "created_at":
          case "creation_timestamp":
            c = nullsLast(RegisteredModel::createdAt, desc);
            break;
          case "updated_at":
          case "last_updated_timestamp":
            c = nullsLast(RegisteredModel::updatedAt, desc);
            break;
          default:
            throw new IllegalArgumentException("Cannot order models by '" + parts[0]
                + "'; allowed: name, created_at, updated_at, each optionally ASC or DESC");
        }
        order = order == null ? c : order.thenComparing(c);
      }
      Comparator<RegisteredModel> dflt = Comparator.comparing(RegisteredModel::name);
      return order == null ? dflt : order.thenComparing(dflt);
    }

    private static boolean direction(String clause, String[] parts) {
      if (parts.length == 1 || parts[0].isEmpty()) {
        if (parts[0].isEmpty()) {
          throw new IllegalArgumentException("Empty order clause");
        }
        return false;
      }
      if (parts.length == 2 && parts[1].equalsIgnoreCase("ASC")) {
        return false;
      }
      if (parts.length == 2 && parts[1].equalsIgnoreCase("DESC")) {
        return true;
      }
      throw new IllegalArgumentException("Invalid order clause '" + clause + "'; expected FIELD [ASC|DESC]");
    }

    private static <T, U extends Comparable<? super U>> Comparator<T> nullsLast(
        java.util.function.Function<T, @Nullable U> key, boolean desc) {
      Comparator<U> natural = desc ? Comparator.<U>reverseOrder() : Comparator.<U>naturalOrder();
      return (x, y) -> {
        U a = key.apply(x);
        U b = key.apply(y);
        if (a == null || b == null) {
          return a == null ? (b == null ? 0 : 1) : -1;
        }
        return natural.compare(a, b);
      };
    }

    static <T> Page<T> page(List<T> sorted, SearchRequest request) {
      String fingerprint = Integer.toHexString(Objects.hash(request.filter(), request.orderBy()));
      int offset = 0;
      String token = request.pageToken();
      if (token != null) {
        offset = decode(token, fingerprint);
      }
      int end = Math.min(sorted.size(), offset + request.maxResults());
      List<T> items = offset >= sorted.size() ? List.of() : sorted.subList(offset, end);
      String next = end < sorted.size() ? encode(end, fingerprint) : null;
      return new Page<>(items, next);
    }

    private static String encode(int offset, String fingerprint) {
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString((offset + ":" + fingerprint).getBytes(StandardCharsets.UTF_8));
    }

    private static int decode(String token, String fingerprint) {
      try {
        String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        int colon = text.indexOf(':');
        if (colon > 0 && text.substring(colon + 1).equals(fingerprint)) {
          int offset = Integer.parseInt(text.substring(0, colon));
          if (offset >= 0) {
            return offset;
          }
        }
      } catch (IllegalArgumentException e) {
        // reported below
      }
      throw new IllegalArgumentException("Invalid page token '" + Names.printable(token)
          + "': pass the token returned by the previous page of the same search");
    }
  }
}
