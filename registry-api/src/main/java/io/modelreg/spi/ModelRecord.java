package io.modelreg.spi;

import io.modelreg.Stage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a store persists for one registered model. It also holds the model's mutable cross-version
 * state (aliases, stages, production history), so that a promotion, which touches two versions, is one
 * atomic compare-and-set of this record.
 *
 * @param name the model name
 * @param description free text, or null
 * @param tags model tags
 * @param aliases user alias to version number (managed aliases are derived, not stored)
 * @param stages version number to stage, for every version not in {@link Stage#DEVELOPMENT}
 * @param productionHistory earlier PRODUCTION holders, oldest first; {@code rollback} pops the last
 * @param createdAt creation time
 * @param updatedAt last change time
 * @param revision incremented by the store on every successful update; used for optimistic locking
 * @param versionsToken what the store read with this record that changes whenever the model's version list
 *     may have, or null (never persisted; see {@link RegistryStore#listVersions(ModelRecord)}). A record the
 *     policy layer builds or changes carries none, so it can never vouch for a cached list.
 */
public record ModelRecord(
    String name,
    @Nullable String description,
    Map<String, String> tags,
    Map<String, Integer> aliases,
    Map<Integer, Stage> stages,
    List<Integer> productionHistory,
    Instant createdAt,
    Instant updatedAt,
    long revision,
    @Nullable String versionsToken) {

  /** A record without a versions token: what a store persists and reads back. */
  public ModelRecord(String name, @Nullable String description, Map<String, String> tags, Map<String, Integer> aliases,
      Map<Integer, Stage> stages, List<Integer> productionHistory, Instant createdAt, Instant updatedAt, long revision) {
    this(name, description, tags, aliases, stages, productionHistory, createdAt, updatedAt, revision, null);
  }

  public ModelRecord {
    tags = Maps.sorted(tags);
    aliases = Maps.sorted(aliases);
    stages = Maps.sorted(stages);
    productionHistory = Maps.list(productionHistory);
  }

  /** A new model with no versions, revision 0 (the store sets 1 when it creates it). */
  public static ModelRecord create(String name, @Nullable String description, Map<String, String> tags, Instant now) {
    return new ModelRecord(name, description, tags, Map.of(), Map.of(), List.of(), now, now, 0);
  }

  /** The stage of a version number (DEVELOPMENT unless recorded otherwise). */
  public Stage stageOf(int version) {
    Stage s = stages.get(version);
    return s == null ? Stage.DEVELOPMENT : s;
  }

  public ModelRecord withDescription(@Nullable String value) {
    return new ModelRecord(name, value, tags, aliases, stages, productionHistory, createdAt, updatedAt, revision);
  }

  public ModelRecord withTags(Map<String, String> value) {
    return new ModelRecord(name, description, value, aliases, stages, productionHistory, createdAt, updatedAt, revision);
  }

  public ModelRecord withAliases(Map<String, Integer> value) {
    return new ModelRecord(name, description, tags, value, stages, productionHistory, createdAt, updatedAt, revision);
  }

  public ModelRecord withStages(Map<Integer, Stage> value, List<Integer> history) {
    return new ModelRecord(name, description, tags, aliases, value, history, createdAt, updatedAt, revision);
  }

  public ModelRecord withUpdatedAt(Instant value) {
    return new ModelRecord(name, description, tags, aliases, stages, productionHistory, createdAt, value, revision);
  }

  public ModelRecord withRevision(long value) {
    return new ModelRecord(name, description, tags, aliases, stages, productionHistory, createdAt, updatedAt, value);
  }

  /** This record as read together with the store's versions token (see {@link #versionsToken()}). */
  public ModelRecord withVersionsToken(@Nullable String value) {
    return new ModelRecord(name, description, tags, aliases, stages, productionHistory, createdAt, updatedAt, revision,
        value);
  }
}
