package io.modelreg;

import io.modelreg.spi.StoreCapability;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A model registry: registered models with numbered, immutable versions, stages, aliases, tags,
 * metrics and a full history. Open one with {@link ModelRegistries#open(String)}.
 *
 * <p>Implementations are thread-safe. Every method validates its arguments and throws {@link
 * IllegalArgumentException} saying what was wrong and what is allowed; registry failures are {@link
 * RegistryException}s. Methods named {@code get…} throw {@link NotFoundException} when the thing is
 * absent; {@code find…} return {@link Optional}.
 *
 * <h2>Search grammar</h2>
 *
 * A filter is comparisons joined by {@code AND} (case-insensitive): {@code name = 'churn' AND
 * tags.team = 'growth' AND version_number > 3 AND metrics.accuracy >= 0.9}. Fields: {@code name},
 * {@code version_number}, {@code run_id}, {@code source_path}, {@code tags.<key>}, {@code params.<key>},
 * {@code metrics.<name>}, {@code alias}, {@code stage}, {@code semver}; keys with special characters are
 * back-quoted ({@code tags.`mlflow.prompt.is_prompt`}). Operators: {@code = != < <= > >=}, {@code LIKE}
 * and {@code ILIKE} ({@code %} any run, {@code _} one character), {@code IN ('a', 'b')}. Strings are
 * single- or double-quoted. {@code semver} compares by SemVer precedence; {@code alias} matches when any
 * alias of the version does; a missing tag, param or metric makes its comparison false. Order clauses:
 * {@code name}, {@code version_number}, {@code created_at}, {@code updated_at}, {@code semver}, {@code
 * metrics.<name>}, each optionally {@code ASC} or {@code DESC}; the default is name ascending, then
 * version number descending.
 */
public interface ModelRegistry extends AutoCloseable {

  /** The registry's URI or another description (no secrets), for messages. */
  String describe();

  /**
   * What the store behind this registry declares about itself, for layers built on the registry to adapt
   * to (prompts refuse templates MLflow's Python cannot render where it declares {@link
   * StoreCapability#MLFLOW_PROMPTS}). Empty unless the implementation says otherwise.
   */
  default Set<StoreCapability> capabilities() {
    return Set.of();
  }

  // ---------------------------------------------------------------- registered models

  /**
   * Creates a registered model.
   *
   * @throws AlreadyExistsException when a model with that name exists
   * @throws IllegalArgumentException when the name, a tag key or value breaks the rules in {@link Names}
   */
  RegisteredModel createModel(String name, @Nullable String description, Map<String, String> tags);

  /** Creates a registered model without description or tags. */
  default RegisteredModel createModel(String name) {
    return createModel(name, null, Map.of());
  }

  /**
   * Returns a registered model.
   *
   * @throws ModelNotFoundException when it does not exist
   */
  RegisteredModel getModel(String name);

  Optional<RegisteredModel> findModel(String name);

  /** Every registered model, by name. */
  List<RegisteredModel> listModels();

  /**
   * Searches registered models; the filter may use {@code name}, {@code tags.<key>} and {@code alias}.
   */
  Page<RegisteredModel> searchModels(SearchRequest request);

  /** Sets or clears a model's description. */
  RegisteredModel updateModelDescription(String name, @Nullable String description);

  /**
   * Deletes a model and all its versions. Its history stays readable, and its version numbers are not
   * reused if a model with the same name is created later.
   *
   * @throws ModelNotFoundException when it does not exist
   */
  void deleteModel(String name);

  RegisteredModel setModelTag(String name, String key, String value);

  /** Removes a model tag; removing a tag that is not set does nothing. */
  RegisteredModel deleteModelTag(String name, String key);

  // ---------------------------------------------------------------- versions

  /**
   * Registers a new version of {@code name}, creating the model if needed. Artifacts are streamed to the
   * store while their SHA-256 is computed; the version becomes visible only after every byte is stored.
   * It starts in {@link Stage#DEVELOPMENT} with the next version number.
   *
   * @throws IllegalArgumentException when the semantic version breaks the {@link SemverPolicy}, or an
   *     artifact cannot be read
   */
  ModelVersion register(String name, Registration registration);

  /**
   * Takes over a version another client of a shared backend registered without modelreg (on MLflow: Python's
   * {@code log_model(..., registered_model_name=...)}), which lists as {@link VersionStatus#PENDING} with no
   * files because nothing vouches for its bytes: the backend reads and hashes each file once, and the version
   * gets a manifest and digest, status READY and a {@code VERSION_REGISTERED} event naming where it came from.
   * From then on it resolves, serves and verifies like any other. Explicit, never done on read: it reads every
   * byte of the version.
   *
   * @return the adopted version
   * @throws ModelNotFoundException when the model does not exist
   * @throws VersionNotFoundException when the version does not exist
   * @throws IllegalArgumentException when the version already is modelreg's, cannot be read by the backend, or
   *     the backend has no versions registered by other clients (every store but MLflow's), saying which
   * @throws ConflictException when the version changed while its files were read
   */
  ModelVersion adopt(String name, int number);

  /**
   * Returns one version by number.
   *
   * @throws ModelNotFoundException when the model does not exist
   * @throws VersionNotFoundException when the version does not exist
   */
  ModelVersion getVersion(String name, int number);

  Optional<ModelVersion> findVersion(String name, int number);

  /**
   * Resolves a URI to one version. {@code latest} is the highest number (any stage, like MLflow); a
   * stage is its holder ({@code staging}: the highest-numbered version in STAGING); a range is the highest
   * matching semantic version that is not ARCHIVED.
   *
   * @throws NotFoundException when the model or a matching version does not exist
   */
  ModelVersion resolve(ModelUri uri);

  /** {@link #resolve(ModelUri)} of {@link ModelUri#parse(String)}. */
  default ModelVersion resolve(String uri) {
    return resolve(ModelUri.parse(uri));
  }

  /** Resolves a URI, or returns empty when nothing matches. */
  Optional<ModelVersion> find(ModelUri uri);

  /** Every version of a model, by ascending number. */
  List<ModelVersion> listVersions(String name);

  /** Searches versions of all models; see the class comment for the grammar. */
  Page<ModelVersion> searchVersions(SearchRequest request);

  /** Every version matching {@code filter}, across all pages. */
  default List<ModelVersion> searchVersions(String filter) {
    List<ModelVersion> out = new ArrayList<>();
    SearchRequest request = SearchRequest.of(filter).maxResults(SearchRequest.MAX_PAGE_SIZE);
    while (true) {
      Page<ModelVersion> page = searchVersions(request);
      out.addAll(page.items());
      if (page.nextPageToken() == null) {
        return out;
      }
      request = request.pageToken(page.nextPageToken());
    }
  }

  ModelVersion updateVersionDescription(String name, int version, @Nullable String description);

  /**
   * Deletes a version. Its number is never reused.
   *
   * @throws IllegalStateException when the version is in PRODUCTION or a user alias points to it
   */
  void deleteVersion(String name, int version);

  ModelVersion setVersionTag(String name, int version, String key, String value);

  /** Removes a version tag; removing a tag that is not set does nothing. */
  ModelVersion deleteVersionTag(String name, int version, String key);

  // ---------------------------------------------------------------- aliases and stages

  /**
   * Points an alias at a version, moving it if it pointed elsewhere.
   *
   * @throws IllegalArgumentException for a reserved alias ({@code latest}, {@code v<digits>}, stage names)
   */
  ModelVersion setAlias(String name, String alias, int version);

  /**
   * Removes an alias.
   *
   * @throws NotFoundException when the alias is not set
   */
  void deleteAlias(String name, String alias);

  /**
   * Moves a version to another stage. Allowed: DEVELOPMENT → STAGING → PRODUCTION, any → ARCHIVED,
   * ARCHIVED → STAGING. Moving to PRODUCTION archives the previous holder. Moving to the stage the
   * version is already in does nothing.
   *
   * @throws PromotionRejectedException when the move skips a stage or fails the target's {@link
   *     PromotionPolicy}; the exception lists every reason
   */
  ModelVersion transition(String name, int version, Stage target);

  /**
   * Returns PRODUCTION to the version that held it before the current holder, archiving the current one.
   * Promotion gates are not applied; the rollback is recorded as its own event.
   *
   * @throws IllegalStateException when there is no earlier production version to return to
   */
  ModelVersion rollback(String name);

  // ---------------------------------------------------------------- metrics, history, comparison

  /** Appends a measured metric run to a version. */
  ModelVersion recordMetrics(String name, int version, MetricRecord record);

  /** Every change of a model, oldest first; readable after the model is deleted. */
  List<RegistryEvent> history(String name);

  /** Compares two versions, {@code a} as the baseline. */
  Comparison compare(ModelUri a, ModelUri b);

  /**
   * Delivers future events of one model, including those made by other processes (within the watch poll
   * interval), in order, on a registry thread. Listener exceptions are logged and do not stop delivery.
   */
  Subscription watch(String name, Consumer<RegistryEvent> listener);

  /** Delivers future events of every model; see {@link #watch}. */
  Subscription watchAll(Consumer<RegistryEvent> listener);

  // ---------------------------------------------------------------- artifacts

  /**
   * Opens one artifact of a version. The stream verifies size and SHA-256 as it is read and throws
   * {@link IntegrityException} at the end (or as soon as too many bytes arrive) if they do not match.
   *
   * @throws NotFoundException when the version has no such file
   */
  InputStream openArtifact(ModelVersion version, String path);

  /**
   * Downloads every artifact of a version into {@code directory} (created if needed), verifying each
   * file before it is moved into place; returns the directory.
   *
   * @throws IntegrityException when a file does not match its digest; nothing unverified is left behind
   */
  Path download(ModelVersion version, Path directory);

  // ---------------------------------------------------------------- maintenance

  /**
   * Checks the whole registry: every version's manifest against its digest, every artifact's bytes
   * (re-hashed once per distinct content) and the backend's own structures. Problems are reported, not
   * thrown, so one damaged file does not hide the others.
   */
  VerificationReport verify();

  /**
   * Deletes stored artifact bytes that no version refers to (left by deleted versions or failed
   * registrations). Safe to run while other threads and processes register versions.
   */
  GcReport gc();

  /** Stops watchers and closes the store. */
  @Override
  void close();
}
