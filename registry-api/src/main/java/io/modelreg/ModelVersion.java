package io.modelreg;

import io.modelreg.spi.VersionRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * An immutable snapshot of one model version: its stored facts plus the stage and aliases it had when
 * the snapshot was taken. The artifacts and {@link #digest()} never change; stage, aliases, tags and
 * metric runs may, in later snapshots.
 */
public final class ModelVersion {
  private final VersionRecord record;
  private final Stage stage;
  private final List<String> aliases;

  private ModelVersion(VersionRecord record, Stage stage, List<String> aliases) {
    this.record = record;
    this.stage = stage;
    this.aliases = List.copyOf(aliases);
  }

  /** A snapshot of a stored version with its current stage and aliases (managed ones included). */
  static ModelVersion of(VersionRecord record, Stage stage, List<String> aliases) {
    return new ModelVersion(record, stage, aliases);
  }

  /**
   * A builder for a snapshot, for tests of code that consumes versions and for backends; the registry
   * itself returns snapshots of stored records. Required: name, number and manifest.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this snapshot. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.record = record;
    b.stage = stage;
    b.aliases = aliases;
    return b;
  }

  /** Builder for {@link ModelVersion}. Not thread-safe. */
  public static final class Builder {
    private @Nullable VersionRecord record;
    private @Nullable String name;
    private int number;
    private @Nullable SemanticVersion semver;
    private VersionStatus status = VersionStatus.READY;
    private @Nullable String description;
    private Map<String, String> tags = Map.of();
    private Map<String, String> params = Map.of();
    private Map<String, Double> metrics = Map.of();
    private List<MetricRecord> metricRuns = List.of();
    private Lineage lineage = Lineage.empty();
    private @Nullable Signature signature;
    private @Nullable ArtifactManifest manifest;
    private String artifactLocation = "";
    private Instant createdAt = Instant.EPOCH;
    private String createdBy = "unknown";
    private Stage stage = Stage.DEVELOPMENT;
    private List<String> aliases = List.of();

    private Builder() {}

    private Builder edit() {
      VersionRecord r = record;
      if (r != null) {
        record = null;
        name = r.model();
        number = r.number();
        semver = r.semver();
        status = r.status();
        description = r.description();
        tags = r.tags();
        params = r.params();
        metrics = r.metrics();
        metricRuns = r.metricRuns();
        lineage = r.lineage();
        signature = r.signature();
        manifest = r.manifest();
        artifactLocation = r.artifactLocation();
        createdAt = r.createdAt();
        createdBy = r.createdBy();
      }
      return this;
    }

    public Builder name(String name) {
      edit().name = Names.checkModelName(name);
      return this;
    }

    public Builder number(int number) {
      edit().number = Names.checkVersionNumber(number);
      return this;
    }

    public Builder semver(@Nullable SemanticVersion semver) {
      edit().semver = semver;
      return this;
    }

    public Builder status(VersionStatus status) {
      edit().status = status;
      return this;
    }

    public Builder description(@Nullable String description) {
      edit().description = description;
      return this;
    }

    public Builder tags(Map<String, String> tags) {
      edit().tags = Map.copyOf(tags);
      return this;
    }

    public Builder params(Map<String, String> params) {
      edit().params = Map.copyOf(params);
      return this;
    }

    public Builder metrics(Map<String, Double> metrics) {
      edit().metrics = Map.copyOf(metrics);
      return this;
    }

    public Builder metricRuns(List<MetricRecord> runs) {
      edit().metricRuns = List.copyOf(runs);
      return this;
    }

    public Builder lineage(Lineage lineage) {
      edit().lineage = lineage;
      return this;
    }

    public Builder signature(@Nullable Signature signature) {
      edit().signature = signature;
      return this;
    }

    public Builder manifest(ArtifactManifest manifest) {
      edit().manifest = manifest;
      return this;
    }

    public Builder artifactLocation(String location) {
      edit().artifactLocation = location;
      return this;
    }

    public Builder created(Instant at, String by) {
      edit().createdAt = at;
      createdBy = by;
      return this;
    }

    public Builder stage(Stage stage) {
      this.stage = stage;
      return this;
    }

    public Builder aliases(List<String> aliases) {
      this.aliases = List.copyOf(aliases);
      return this;
    }

    /**
     * Builds the snapshot.
     *
     * @throws IllegalStateException when name, number or manifest is missing
     */
    public ModelVersion build() {
      VersionRecord r = record;
      if (r == null) {
        if (name == null || number < 1 || manifest == null) {
          throw new IllegalStateException("A ModelVersion needs a name, a number and a manifest");
        }
        r = new VersionRecord(name, number, semver, status, description, tags, params, metrics, metricRuns, lineage,
            signature, manifest, artifactLocation, createdAt, createdBy, createdAt, 0);
      }
      return new ModelVersion(r, stage, aliases);
    }
  }

  public String name() {
    return record.model();
  }

  public int number() {
    return record.number();
  }

  /** {@code models:/name/number}: a URI that always names this version. */
  public ModelUri uri() {
    return ModelUri.ofNumber(record.model(), record.number());
  }

  public Optional<SemanticVersion> semver() {
    return Optional.ofNullable(record.semver());
  }

  public Stage stage() {
    return stage;
  }

  public VersionStatus status() {
    return record.status();
  }

  /** Aliases pointing to this version, sorted; includes {@code production}/{@code staging} when held. */
  public List<String> aliases() {
    return aliases;
  }

  public Optional<String> description() {
    return Optional.ofNullable(record.description());
  }

  public Map<String, String> tags() {
    return record.tags();
  }

  public Map<String, String> params() {
    return record.params();
  }

  /** Metrics given at registration. */
  public Map<String, Double> metrics() {
    return record.metrics();
  }

  /** Metric runs recorded after registration, oldest first. */
  public List<MetricRecord> metricRuns() {
    return record.metricRuns();
  }

  /**
   * The current value of a metric: from the newest metric run that has it, else the registration value.
   */
  public OptionalDouble latestMetric(String metric) {
    List<MetricRecord> runs = record.metricRuns();
    for (int i = runs.size() - 1; i >= 0; i--) {
      Double v = runs.get(i).values().get(metric);
      if (v != null) {
        return OptionalDouble.of(v);
      }
    }
    Double v = record.metrics().get(metric);
    return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
  }

  /** Every metric with its current value ({@link #latestMetric}). */
  public Map<String, Double> latestMetrics() {
    Map<String, Double> out = new TreeMap<>(record.metrics());
    for (MetricRecord run : record.metricRuns()) {
      out.putAll(run.values());
    }
    return out;
  }

  public Lineage lineage() {
    return record.lineage();
  }

  public Optional<Signature> signature() {
    return Optional.ofNullable(record.signature());
  }

  public ArtifactManifest manifest() {
    return record.manifest();
  }

  /** The version digest over the artifact manifest. */
  public Digest digest() {
    return record.manifest().digest();
  }

  public Instant createdAt() {
    return record.createdAt();
  }

  public String createdBy() {
    return record.createdBy();
  }

  public Instant updatedAt() {
    return record.updatedAt();
  }

  /** The stored record behind this snapshot, for the policy layer (the user API never shows SPI types). */
  VersionRecord record() {
    return record;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof ModelVersion)) {
      return false;
    }
    ModelVersion v = (ModelVersion) o;
    return v.record.equals(record) && v.stage == stage && v.aliases.equals(aliases);
  }

  @Override
  public int hashCode() {
    return record.hashCode() * 31 + stage.hashCode();
  }

  @Override
  public String toString() {
    return "ModelVersion{" + uri() + (record.semver() == null ? "" : ", semver=" + record.semver())
        + ", stage=" + stage + (aliases.isEmpty() ? "" : ", aliases=" + aliases) + ", digest=" + digest() + "}";
  }
}
