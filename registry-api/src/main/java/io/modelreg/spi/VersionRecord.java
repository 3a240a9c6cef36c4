package io.modelreg.spi;

import io.modelreg.ArtifactManifest;
import io.modelreg.Lineage;
import io.modelreg.MetricRecord;
import io.modelreg.SemanticVersion;
import io.modelreg.Signature;
import io.modelreg.VersionStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a store persists for one model version. The manifest, semantic version, lineage, signature and
 * registration metrics never change after registration; tags, description and metric runs may.
 *
 * @param model the registered model name
 * @param number the version number, assigned by {@link RegistryStore#allocateVersionNumber}
 * @param semver the semantic version, or null
 * @param status registration status
 * @param description free text, or null
 * @param tags version tags
 * @param params training parameters
 * @param metrics metrics given at registration
 * @param metricRuns metric runs recorded later, oldest first
 * @param lineage where the version came from
 * @param signature inputs and outputs, or null
 * @param manifest the artifact files and version digest
 * @param artifactLocation the backend's location for the artifacts (from {@link ArtifactUpload#location()})
 * @param createdAt registration time
 * @param createdBy who registered it
 * @param updatedAt last change time
 * @param revision incremented by the store on every successful update; used for optimistic locking
 */
public record VersionRecord(
    String model,
    int number,
    @Nullable SemanticVersion semver,
    VersionStatus status,
    @Nullable String description,
    Map<String, String> tags,
    Map<String, String> params,
    Map<String, Double> metrics,
    List<MetricRecord> metricRuns,
    Lineage lineage,
    @Nullable Signature signature,
    ArtifactManifest manifest,
    String artifactLocation,
    Instant createdAt,
    String createdBy,
    Instant updatedAt,
    long revision) {

  public VersionRecord {
    if (number < 1) {
      throw new IllegalArgumentException("Version numbers start at 1, got " + number);
    }
    tags = Maps.sorted(tags);
    params = Maps.sorted(params);
    metrics = Maps.sorted(metrics);
    metricRuns = Maps.list(metricRuns);
  }

  public VersionRecord withDescription(@Nullable String value) {
    return new VersionRecord(model, number, semver, status, value, tags, params, metrics, metricRuns, lineage,
        signature, manifest, artifactLocation, createdAt, createdBy, updatedAt, revision);
  }

  public VersionRecord withTags(Map<String, String> value) {
    return new VersionRecord(model, number, semver, status, description, value, params, metrics, metricRuns, lineage,
        signature, manifest, artifactLocation, createdAt, createdBy, updatedAt, revision);
  }

  public VersionRecord withMetricRun(MetricRecord run) {
    List<MetricRecord> runs = new ArrayList<>(metricRuns);
    runs.add(run);
    return new VersionRecord(model, number, semver, status, description, tags, params, metrics, runs, lineage,
        signature, manifest, artifactLocation, createdAt, createdBy, updatedAt, revision);
  }

  public VersionRecord withUpdatedAt(Instant value) {
    return new VersionRecord(model, number, semver, status, description, tags, params, metrics, metricRuns, lineage,
        signature, manifest, artifactLocation, createdAt, createdBy, value, revision);
  }

  public VersionRecord withRevision(long value) {
    return new VersionRecord(model, number, semver, status, description, tags, params, metrics, metricRuns, lineage,
        signature, manifest, artifactLocation, createdAt, createdBy, updatedAt, value);
  }
}
