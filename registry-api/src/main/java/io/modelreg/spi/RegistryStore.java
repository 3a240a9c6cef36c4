package io.modelreg.spi;

import io.modelreg.ArtifactEntry;
import io.modelreg.GcReport;
import io.modelreg.RegistryEvent;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Persistence for one registry: records in and out, atomic version-number allocation, optimistic
 * updates, artifact bytes and the event log. A store holds no business rules: it never validates
 * names, stages or semantic versions (the policy layer did), and it never rejects a change for any
 * reason other than existence and revision.
 *
 * <p>Contract for every implementation (checked by the compatibility kit):
 *
 * <ul>
 *   <li>All methods are thread-safe.
 *   <li>{@code find*} returns empty for what does not exist; {@code update*} and {@code delete*} throw
 *       {@link io.modelreg.ModelNotFoundException} / {@link io.modelreg.VersionNotFoundException}.
 *   <li>{@link #createModel} throws {@link io.modelreg.AlreadyExistsException} for an existing name.
 *   <li>{@code update*} throws {@link io.modelreg.ConflictException} when the stored revision differs
 *       from {@code expectedRevision}, and otherwise stores the record with revision + 1.
 *   <li>Version numbers from {@link #allocateVersionNumber} are 1, 2, 3 … per model, never reused, also
 *       after the model is deleted and created again.
 *   <li>Event sequences are 1, 2, 3 … per model; the log survives deletion of the model.
 *   <li>Backend failures that may pass are {@link io.modelreg.TransientRegistryException}; others are
 *       {@link io.modelreg.RegistryException} with the cause kept.
 * </ul>
 *
 * <p>A store implements the 17 abstract methods. The others have defaults that are correct and only slower
 * or less capable: {@link #withModelLock} and {@link #capabilities} (cross-process exclusion), {@link
 * #surveyForeignVersion} (versions made by other clients of the backend), {@link #verifyStorage} and {@link
 * #collectGarbage} (maintenance), and eleven hooks that exist for speed only, each because one of the shipped
 * stores needs it to avoid a request per model or per poll, or a poll's wait: {@link #changeToken} and {@link
 * #lastEventSequence} ({@code file:}), {@link #eventsChangeToken}, {@link #listModels}, {@link
 * #listVersions(ModelRecord)}, {@link #findVersionByAlias}, {@link #registerVersion} and {@link #searchVersions}
 * ({@code mlflow:}, {@code jdbc:}) with {@link #searchSubjects}, {@link #findModels} and {@link
 * #onEventsChanged} ({@code jdbc:}; {@code mem:} keeps the hooks for tests to signal).
 * The compatibility kit's store-contract group calls a store directly and checks every promise above.
 */
public interface RegistryStore extends AutoCloseable {

  /** What this store can do; the default is none. */
  default Set<StoreCapability> capabilities() {
    return EnumSet.noneOf(StoreCapability.class);
  }

  /** The registry URI, for messages (without secrets). */
  String describe();

  // ---- registered models

  Optional<ModelRecord> findModel(String name);

  /** Every model name, sorted. */
  List<String> listModelNames();

  /**
   * Every model record, sorted by name. The default reads them one by one; remote stores read a page of
   * records per request.
   */
  default List<ModelRecord> listModels() {
    List<ModelRecord> out = new ArrayList<>();
    for (String name : listModelNames()) {
      findModel(name).ifPresent(out::add);
    }
    return out;
  }

  /**
   * The records of those of {@code names} that exist, in any order: what a version search needs of the models
   * owning the versions it found (their stages and aliases). The default reads the one model with {@link
   * #findModel} when one is named, else every model with {@link #listModels} and keeps the named ones (one
   * listing is what remote stores read cheapest); a store that can read just the named records in one query
   * overrides it ({@code jdbc:}).
   */
  default List<ModelRecord> findModels(Set<String> names) {
    if (names.isEmpty()) {
      return List.of();
    }
    if (names.size() == 1) {
      return findModel(names.iterator().next()).map(List::of).orElse(List.of());
    }
    List<ModelRecord> out = new ArrayList<>();
    for (ModelRecord m : listModels()) {
      if (names.contains(m.name())) {
        out.add(m);
      }
    }
    return out;
  }

  /** Stores a new model with revision 1 and returns it. */
  ModelRecord createModel(ModelRecord model);

  /** Replaces a model record if its stored revision is {@code expectedRevision}; returns the stored record. */
  ModelRecord updateModel(ModelRecord model, long expectedRevision);

  /** Deletes a model and all its version records; its event log and version counter remain. */
  void deleteModel(String name);

  // ---- versions

  /** Atomically allocates the next version number of a model. */
  int allocateVersionNumber(String model);

  /** Stores a new version record with revision 1 and returns it. */
  VersionRecord createVersion(VersionRecord version);

  /**
   * Allocates the next version number of {@code model} and stores the record {@code recordFor} builds for that
   * number, with revision 1; returns the stored record. The default is {@link #allocateVersionNumber} then {@link
   * #createVersion}. A store that can send the number and the record in one write overrides it (the MLflow store
   * guesses the number MLflow will assign and sends the record with the version). {@code recordFor} may be called
   * more than once, with different numbers, and must have no side effects; only the record of the number returned
   * is stored. The policy layer reads (and creates) the model first, unless the store declares {@link
   * StoreCapability#REGISTER_CHECKS_MODEL}: then this method is called directly and must refuse an absent model
   * with {@link io.modelreg.ModelNotFoundException}, having written nothing.
   */
  default VersionRecord registerVersion(String model, IntFunction<VersionRecord> recordFor) {
    return createVersion(recordFor.apply(allocateVersionNumber(model)));
  }

  Optional<VersionRecord> findVersion(String model, int number);

  /** Every version record of a model, by ascending number. */
  List<VersionRecord> listVersions(String model);

  /**
   * Every version record of a model the caller has just read with {@link #findModel}, by ascending number. A
   * remote store may answer from a cache when the record's {@link ModelRecord#versionsToken() versions token}
   * (read in the same request as the record) matches the one its cached list was loaded under, so a resolve
   * past the registry's cache costs one round trip. The default ignores the token.
   */
  default List<VersionRecord> listVersions(ModelRecord model) {
    return listVersions(model.name());
  }

  /**
   * Push-down for resolving a user alias ({@code models:/m@champion}) when the registry's cache is off: the version
   * the alias names, read with fewer requests than {@link #findModel} and {@link #listVersions(ModelRecord)}, or empty
   * when the store has no cheaper way (the default) or cannot vouch for its answer — a missing model or alias
   * included. On empty the policy layer reads the model as for any other URI, so its errors are the usual ones. A
   * store answers only when the returned record is exact for the version's view (see {@link AliasTarget}); the
   * managed aliases {@code production} and {@code staging} never come here.
   */
  default Optional<AliasTarget> findVersionByAlias(String model, String alias) {
    return Optional.empty();
  }

  /**
   * A version another client of the backend made without a modelreg record (so without digests), surveyed
   * for adoption: its files read and hashed once, what the backend knows of it (params, metrics, run, source)
   * filled in, status READY, at the revision {@link #findVersion} shows for it. The policy layer commits it
   * with {@link #updateVersion} and records the event. The default: this backend has no such versions.
   *
   * @throws IllegalArgumentException if the version already has a record or cannot be surveyed, saying why
   * @throws io.modelreg.VersionNotFoundException if there is no such version
   */
  default VersionRecord surveyForeignVersion(String model, int number) {
    throw new IllegalArgumentException(describe() + " holds only versions registered through modelreg; there is no"
        + " version of another client to adopt");
  }

  /** Replaces a version record if its stored revision is {@code expectedRevision}. */
  VersionRecord updateVersion(VersionRecord version, long expectedRevision);

  void deleteVersion(String model, int number);

  // ---- artifacts

  /** Starts uploading the artifacts of a version of {@code model} that is not yet registered. */
  ArtifactUpload beginUpload(String model) throws IOException;

  /**
   * Opens the stored bytes of one artifact. The caller verifies size and digest while reading; the
   * store just returns what it has.
   *
   * @throws io.modelreg.NotFoundException if the bytes are missing
   */
  InputStream openArtifact(VersionRecord version, ArtifactEntry entry) throws IOException;

  // ---- events

  /** Appends an event to the model's log and returns it with its assigned sequence. */
  RegistryEvent appendEvent(RegistryEvent event);

  /** Events of a model with a sequence greater than {@code afterSequence}, in order. */
  List<RegistryEvent> readEvents(String model, long afterSequence);

  /**
   * A value that changes whenever any model's event log grows, cheaper to get than reading the logs; null
   * when the store cannot tell (the default). A watch on every model skips a poll while it is unchanged.
   */
  default @Nullable Object eventsChangeToken() {
    return null;
  }

  /**
   * Asks the store to run {@code wake} whenever it learns that an event log may have grown, such as a
   * notification pushed by a database, so a watch reads the logs at once instead of at its next poll. The
   * default does nothing (the store has no such signal and watches poll). The store may call {@code wake} from
   * any thread, any number of times, also when nothing changed; it must not call it while holding a lock a
   * store operation needs, and {@code wake} returns at once (it only schedules a poll). The policy layer calls
   * this at most once per registry, when the first watch starts; the hook lives until the store is closed.
   */
  default void onEventsChanged(Runnable wake) {}

  /** The sequence of the model's newest event, 0 when it has none. Stores may answer this cheaply. */
  default long lastEventSequence(String model) {
    List<RegistryEvent> events = readEvents(model, 0);
    return events.isEmpty() ? 0 : events.get(events.size() - 1).sequence();
  }

  // ---- caching and maintenance

  /**
   * A value that changes whenever anything of the model changes (its record, versions or events) and is
   * cheap to get, such as the size of its event log; null when the store cannot tell. The policy layer
   * uses it to revalidate cached metadata older than the cache TTL instead of reloading it.
   */
  default @Nullable Object changeToken(String model) {
    return null;
  }

  /**
   * Search push-down: the version records, of any model, that match every one of {@code clauses} (an empty
   * list matches every version), or empty when the store cannot read them in bulk more cheaply than model
   * by model (the default; the policy layer then reads each candidate model's versions). A superset is
   * fine — a store drops the clauses it cannot express — because the policy layer still evaluates the
   * whole filter on every record returned. Remote stores answer with one query per page, never one per
   * model or version.
   */
  default Optional<List<VersionRecord>> searchVersions(List<SearchClause> clauses) {
    return Optional.empty();
  }

  /**
   * The {@link SearchClause.Subject subjects} of the clauses {@link #searchVersions} may be offered. The default
   * is the subjects that existed before metric, stage and alias clauses were added ({@code MODEL_NAME},
   * {@code VERSION_NUMBER}, {@code VERSION_TAG}), so a store written against the older SPI is never handed a
   * subject it does not know; a store that evaluates more names them here. Clauses of other subjects are
   * evaluated by the policy layer only.
   */
  default Set<SearchClause.Subject> searchSubjects() {
    return EnumSet.of(SearchClause.Subject.MODEL_NAME, SearchClause.Subject.VERSION_NUMBER,
        SearchClause.Subject.VERSION_TAG);
  }

  /**
   * Checks the store's own structures (files it cannot parse, objects stored under the wrong name) and
   * may re-hash stored content. Content it reports intact is not read again by the policy layer, which
   * checks every manifest and re-hashes the rest.
   */
  default StorageCheck verifyStorage() {
    return new StorageCheck(List.of(), Map.of());
  }

  /**
   * Deletes stored artifact bytes that no version refers to. Must never race a registration: bytes
   * uploaded for a version that is not yet committed are kept.
   */
  default GcReport collectGarbage() {
    return new GcReport(0, 0, 0);
  }

  // ---- concurrency

  /**
   * Runs {@code action} while holding the model's write lock. Stores with {@link
   * StoreCapability#EXCLUSIVE_MODEL_LOCK} exclude other processes; the default runs the action directly
   * (the policy layer already excludes writers in this registry instance).
   */
  default <T> T withModelLock(String model, Supplier<T> action) {
    return action.get();
  }

  /** Releases resources; the store is not used afterwards. */
  @Override
  void close();
}
