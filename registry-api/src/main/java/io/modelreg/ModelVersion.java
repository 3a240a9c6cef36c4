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
  public static ModelVersion of(VersionRecord record, Stage stage, List<String> aliases) {
    return new ModelVersion(record, stage, aliases);
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

  /** The stored record behind this snapshot. */
  public VersionRecord record() {
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
