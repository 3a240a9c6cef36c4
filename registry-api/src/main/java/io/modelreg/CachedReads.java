package io.modelreg;

import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.RegistryStore;
import io.modelreg.spi.VersionRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The registry's reads of model and version records, through caches of bounded age (see {@link
 * RecordCache}), and the snapshots ({@link RegisteredModel}, {@link ModelVersion}) made from them. Writes go
 * to the store directly and then tell this class what they changed, so this registry sees its own writes at
 * once.
 */
final class CachedReads {
  private final RegistryStore store;
  private final RecordCache<String, ModelRecord> models;
  private final RecordCache<String, List<VersionRecord>> versionLists;
  private final RecordCache<String, List<String>> modelNames;
  /** Every model record, for listing; any write through this registry drops it. */
  private final RecordCache<String, List<ModelRecord>> modelList;
  /** The registry's cache is off ({@code cacheTtl} zero): every read asks the store. */
  private final boolean uncached;

  CachedReads(RegistryStore store, RegistryOptions options) {
    this.store = store;
    this.uncached = options.cacheTtl().isZero();
    this.models = new RecordCache<>(options.cacheTtl(), options.clock(), 100_000, store::changeToken);
    this.versionLists = new RecordCache<>(options.cacheTtl(), options.clock(), 100_000, store::changeToken);
    this.modelNames = new RecordCache<>(options.cacheTtl(), options.clock(), 1, key -> null);
    this.modelList = new RecordCache<>(options.cacheTtl(), options.clock(), 1, key -> null);
  }

  @Nullable ModelRecord modelOrNull(String name) {
    return models.get(name, n -> store.findModel(n).orElse(null));
  }

  ModelRecord model(String name) {
    ModelRecord m = modelOrNull(name);
    if (m == null) {
      throw new ModelNotFoundException(name);
    }
    return m;
  }

  /**
   * The versions of a model whose record the caller holds, by ascending number: the store gets that record,
   * so a remote store can revalidate its cached list with the token it read along with the record, without
   * asking again.
   */
  List<VersionRecord> versions(ModelRecord m) {
    List<VersionRecord> list = versionLists.get(m.name(), n -> store.listVersions(m));
    return list == null ? List.of() : list;
  }

  /**
   * With the registry's cache off, the version a user alias names as the store's push-down answers it ({@link
   * RegistryStore#findVersionByAlias}: one request on a remote store instead of the model and its versions); null
   * when the store has no answer, and always while the cache is on, where the model read once serves every
   * resolve until it expires (and the push-down's record, exact only for this view, must not enter the cache).
   */
  @Nullable ModelVersion byAlias(String name, String alias) {
    if (!uncached) {
      return null;
    }
    return store.findVersionByAlias(name, alias).map(t -> view(t.model(), t.version())).orElse(null);
  }

  @Nullable VersionRecord versionOrNull(ModelRecord m, int number) {
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

  /**
   * The records of those of {@code names} that exist, by name: the cached ones, and the others in one read
   * ({@link RegistryStore#findModels}).
   */
  Map<String, ModelRecord> models(Set<String> names) {
    return models.getAll(names, missing -> {
      Map<String, ModelRecord> found = new HashMap<>();
      for (ModelRecord m : store.findModels(missing)) {
        if (missing.contains(m.name())) {
          found.put(m.name(), m);
        }
      }
      return found;
    });
  }

  /** Every model name, sorted. */
  List<String> names() {
    List<String> names = modelNames.get("", k -> List.copyOf(store.listModelNames()));
    return names == null ? List.of() : names;
  }

  /** Every model record, sorted by name. */
  List<ModelRecord> allModels() {
    List<ModelRecord> all = modelList.get("", k -> List.copyOf(store.listModels()));
    return all == null ? List.of() : all;
  }

  /** This registry just stored {@code m}. */
  void stored(ModelRecord m) {
    models.put(m.name(), m);
  }

  /**
   * This registry just changed a version of {@code name}. The model record goes too: a record read from the
   * store carries the versions token of that moment, and a store that keeps version lists under tokens
   * ({@code jdbc:}) would answer the list from before this write if handed that record again.
   */
  void versionsChanged(String name) {
    versionLists.invalidate(name);
    models.invalidate(name);
  }

  /** This registry wrote something of some model: the listing of every model is stale. */
  void listingChanged() {
    modelList.invalidate("");
  }

  /** Forgets everything cached about {@code name}. */
  void forget(String name) {
    models.invalidate(name);
    versionLists.invalidate(name);
    modelNames.invalidate("");
    modelList.invalidate("");
  }

  /** A snapshot of version {@code v} with the stage and aliases (managed ones included) {@code m} gives it. */
  static ModelVersion view(ModelRecord m, VersionRecord v) {
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
}
