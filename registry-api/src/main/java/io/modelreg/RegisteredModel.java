package io.modelreg;

import io.modelreg.spi.ModelRecord;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** An immutable snapshot of a registered model: name, description, tags and aliases. */
public final class RegisteredModel {
  private final ModelRecord record;
  private final Map<String, Integer> aliases;

  private RegisteredModel(ModelRecord record) {
    this.record = record;
    Map<String, Integer> all = new TreeMap<>(record.aliases());
    Integer production = productionHolder(record);
    if (production != null) {
      all.put(Stage.PRODUCTION.label(), production);
    }
    Integer staging = stagingHolder(record);
    if (staging != null) {
      all.put(Stage.STAGING.label(), staging);
    }
    this.aliases = Collections.unmodifiableMap(all);
  }

  /** A snapshot of a stored record, for the policy layer (the user API never shows SPI types). */
  static RegisteredModel of(ModelRecord record) {
    return new RegisteredModel(record);
  }

  /**
   * A builder for a snapshot that no registry returned: for tests of code that consumes models, and for
   * sources of {@link ModelRegistries#copy copies} that are not registries (archives). Required: the name.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link RegisteredModel}. Not thread-safe. */
  public static final class Builder {
    private @Nullable String name;
    private @Nullable String description;
    private Map<String, String> tags = Map.of();
    private Map<String, Integer> aliases = Map.of();
    private Instant createdAt = Instant.EPOCH;

    private Builder() {}

    public Builder name(String name) {
      this.name = Names.checkModelName(name);
      return this;
    }

    public Builder description(@Nullable String description) {
      this.description = description;
      return this;
    }

    public Builder tags(Map<String, String> tags) {
      this.tags = Map.copyOf(tags);
      return this;
    }

    /** User aliases and the version number each points to (managed aliases follow from stages). */
    public Builder aliases(Map<String, Integer> aliases) {
      aliases.keySet().forEach(Names::checkUserAlias);
      this.aliases = Map.copyOf(aliases);
      return this;
    }

    /** When the model was created (and last updated); default the epoch. */
    public Builder created(Instant at) {
      this.createdAt = at;
      return this;
    }

    /**
     * Builds the snapshot.
     *
     * @throws IllegalStateException when the name is missing
     */
    public RegisteredModel build() {
      if (name == null) {
        throw new IllegalStateException("A RegisteredModel needs a name");
      }
      return new RegisteredModel(ModelRecord.create(name, description, tags, createdAt).withAliases(aliases));
    }
  }

  static @Nullable Integer productionHolder(ModelRecord record) {
    for (Map.Entry<Integer, Stage> e : record.stages().entrySet()) {
      if (e.getValue() == Stage.PRODUCTION) {
        return e.getKey();
      }
    }
    return null;
  }

  /** The managed {@code staging} alias: the highest-numbered version in STAGING. */
  static @Nullable Integer stagingHolder(ModelRecord record) {
    Integer best = null;
    for (Map.Entry<Integer, Stage> e : record.stages().entrySet()) {
      if (e.getValue() == Stage.STAGING && (best == null || e.getKey() > best)) {
        best = e.getKey();
      }
    }
    return best;
  }

  public String name() {
    return record.name();
  }

  public Optional<String> description() {
    return Optional.ofNullable(record.description());
  }

  public Map<String, String> tags() {
    return record.tags();
  }

  /**
   * Every alias and the version it points to, including the managed aliases {@code production} and
   * {@code staging} for the stage holders.
   */
  public Map<String, Integer> aliases() {
    return aliases;
  }

  /** Only the aliases set by users. */
  public Map<String, Integer> userAliases() {
    return record.aliases();
  }

  /** The version in PRODUCTION, if any. */
  public Optional<Integer> productionVersion() {
    return Optional.ofNullable(productionHolder(record));
  }

  /**
   * Earlier PRODUCTION holders, oldest first. {@link ModelRegistry#rollback} returns production to the newest
   * of them that still exists and is not the current holder, so a UI can say which version a rollback brings back.
   */
  public List<Integer> productionHistory() {
    return record.productionHistory();
  }

  /** The stage of a version number of this model (DEVELOPMENT for unknown numbers). */
  public Stage stageOf(int version) {
    return record.stageOf(version);
  }

  public Instant createdAt() {
    return record.createdAt();
  }

  public Instant updatedAt() {
    return record.updatedAt();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof RegisteredModel && ((RegisteredModel) o).record.equals(record);
  }

  @Override
  public int hashCode() {
    return record.hashCode();
  }

  @Override
  public String toString() {
    return "RegisteredModel{" + name() + ", aliases=" + aliases + ", tags=" + tags() + "}";
  }
}
