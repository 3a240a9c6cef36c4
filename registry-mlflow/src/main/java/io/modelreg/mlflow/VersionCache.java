package io.modelreg.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.modelreg.ArtifactManifest;
import io.modelreg.IntegrityException;
import io.modelreg.Lineage;
import io.modelreg.VersionStatus;
import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.RecordTrees;
import io.modelreg.spi.VersionRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What the MLflow store keeps of versions between requests, and how a version answer becomes a record.
 *
 * <ul>
 *   <li>Each model's version list, under the {@linkplain ModelRecord#versionsToken() versions token} of the
 *       {@code registered-models/get} answer it was loaded after: a caller holding a model record with the
 *       same token gets the list without a request. Lists expire after {@code mlflow.version-cache-ttl} so
 *       what the token cannot see (a tag changed by another MLflow client on an older version) shows in time.
 *   <li>Each model's record as last read, for the same TTL: an alias answer ({@code registered-models/alias}) is
 *       checked against it, so a resolve by alias past the registry's cache is one small request (see {@link
 *       MlflowRegistryStore#findVersionByAlias}).
 *   <li>Each committed record generation, parsed once: the immutable facts of a version (manifest, digests,
 *       semver, lineage) are read from JSON once however often the list is reloaded; description and user
 *       tags, MLflow's own, are applied fresh each time.
 * </ul>
 */
final class VersionCache {
  /** A model's version list and the token it was loaded under. */
  private record VersionList(String token, List<VersionRecord> versions) {}

  private final @Nullable Cache<String, VersionList> lists;
  /** Each model's record as {@code registered-models/get} last answered it, for checking an alias answer against. */
  private final @Nullable Cache<String, ModelRecord> models;
  private final Cache<String, VersionRecord> parsed = Caffeine.newBuilder().maximumSize(100_000)
      .executor(Runnable::run).build();

  /** @param ttl how long a list may be reused while its token holds; zero turns list caching off */
  VersionCache(Duration ttl, Clock clock) {
    this.lists = ttl.isZero() ? null : Caffeine.newBuilder()
        .maximumSize(10_000)
        .expireAfterWrite(ttl)
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .executor(Runnable::run)
        .build();
    this.models = ttl.isZero() ? null : Caffeine.newBuilder()
        .maximumSize(10_000)
        .expireAfterWrite(ttl)
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .executor(Runnable::run)
        .<String, ModelRecord>build();
  }

  /** Keeps the record {@code registered-models/get} just answered for {@code model.name()}. */
  void modelRead(ModelRecord model) {
    Cache<String, ModelRecord> cache = models;
    if (cache != null) {
      cache.put(model.name(), model);
    }
  }

  /** The record last read of {@code name} within the TTL, or null; never trusted without a check (see callers). */
  @Nullable ModelRecord lastRead(String name) {
    Cache<String, ModelRecord> cache = models;
    return cache == null ? null : cache.getIfPresent(name);
  }

  /**
   * The versions of {@code model}: cached when the record's token matches the cached list's, else {@code
   * load}ed and cached under that token (the token was read before the load, so the list is at least as new
   * as the token says).
   */
  List<VersionRecord> list(ModelRecord model, Supplier<List<VersionRecord>> load) {
    Cache<String, VersionList> cache = lists;
    String token = model.versionsToken();
    if (cache == null || token == null) {
      return load.get();
    }
    VersionList cached = cache.getIfPresent(model.name());
    if (cached != null && cached.token().equals(token)) {
      return cached.versions();
    }
    List<VersionRecord> fresh = load.get();
    cache.put(model.name(), new VersionList(token, fresh));
    return fresh;
  }

  /** Drops a model's cached list and record (after a version write). */
  void forget(String model) {
    Cache<String, VersionList> cache = lists;
    if (cache != null) {
      cache.invalidate(model);
    }
    Cache<String, ModelRecord> records = models;
    if (records != null) {
      records.invalidate(model);
    }
  }

  /** Drops everything, so the next reads see what the server holds now. */
  void clear() {
    parsed.invalidateAll();
    Cache<String, VersionList> cache = lists;
    if (cache != null) {
      cache.invalidateAll();
    }
    Cache<String, ModelRecord> records = models;
    if (records != null) {
      records.invalidateAll();
    }
  }

  /** MLflow's tag holding a prompt version's template. */
  private static final String PROMPT_TEXT = "mlflow.prompt.text";

  /**
   * A version as MLflow holds it: our record tags hold the whole record, description and user tags are
   * MLflow's own. One without a record (registered by another MLflow client) is shown as PENDING with no
   * files until it is adopted — except a prompt version Python's MLflow registered ({@code
   * mlflow.prompt.is_prompt} and its template in {@code mlflow.prompt.text}): it is whole as it is, a
   * template in a tag and no files, so it is READY and resolves as {@code prompts:/name/N}.
   */
  VersionRecord version(JsonNode v) {
    Map<String, String> tags = RecordTags.tags(v);
    String model = v.path("name").asText();
    int number = Integer.parseInt(v.path("version").asText());
    @Nullable String description = v.hasNonNull("description") ? v.path("description").asText() : null;
    String pointer = tags.get(RecordTags.RECORD);
    String status = v.path("status").asText("READY");
    if (pointer == null || status.equals("PENDING_REGISTRATION") || status.equals("FAILED_REGISTRATION")) {
      Instant created = Instant.ofEpochMilli(v.path("creation_timestamp").asLong());
      boolean promptByMlflow = "true".equals(tags.get(RecordTags.IS_PROMPT)) && tags.containsKey(PROMPT_TEXT);
      return new VersionRecord(model, number, null, promptByMlflow ? VersionStatus.READY : VersionStatus.PENDING,
          description, RecordTags.userTags(tags), Map.of(), Map.of(), List.of(), Lineage.empty(), null,
          ArtifactManifest.empty(), v.path("source").asText(""), created, "mlflow", created, 0);
    }
    // a committed record generation never changes: parsed once, kept while its version lives
    String key = model + "\n" + number + "\n" + v.path("creation_timestamp").asLong() + "\n" + RecordTags.generationOf(pointer);
    String source = "MLflow tags " + RecordTags.RECORD + ".* of " + model + " version " + number;
    VersionRecord stored = parsed.get(key, k -> RecordTrees.version(RecordTags.unchunk(tags, RecordTags.RECORD), source));
    if (!stored.model().equals(model) || stored.number() != number) {
      if (stored.model().equals(model) && stored.revision() == 1 && !stored.artifactLocation().isEmpty()
          && stored.artifactLocation().equals(v.path("source").asText(""))) {
        // a registration whose guessed number missed, before its writer corrected the record (registerVersion)
        Instant created = Instant.ofEpochMilli(v.path("creation_timestamp").asLong());
        return new VersionRecord(model, number, null, VersionStatus.PENDING, description, RecordTags.userTags(tags),
            Map.of(), Map.of(), List.of(), Lineage.empty(), null, ArtifactManifest.empty(), v.path("source").asText(""),
            created, "mlflow", created, 0);
      }
      throw new IntegrityException(source + " describe " + stored.model() + " version " + stored.number());
    }
    return stored.withDescription(description).withTags(RecordTags.userTags(tags));
  }
}
