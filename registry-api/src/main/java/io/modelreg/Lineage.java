package io.modelreg;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Where a model version came from. Every part is optional.
 *
 * @param runId the training run (an MLflow run id on the MLflow backend, any id elsewhere)
 * @param sourceUri where the artifacts were produced (a run artifact URI, a path, a URL)
 * @param parentVersion the version this one was derived from (fine-tuned, retrained), by number
 * @param gitCommit the commit of the training code
 * @param gitDirty whether the training code had uncommitted changes
 * @param datasets references to the data sets used (URIs with digests, table names with snapshots)
 * @param dependencies free-form dependencies, such as {@code tribuo -> 4.3.2}
 */
public record Lineage(
    @Nullable String runId,
    @Nullable String sourceUri,
    @Nullable Integer parentVersion,
    @Nullable String gitCommit,
    @Nullable Boolean gitDirty,
    List<String> datasets,
    Map<String, String> dependencies) {

  private static final Lineage EMPTY = new Lineage(null, null, null, null, null, List.of(), Map.of());

  public Lineage {
    datasets = List.copyOf(datasets);
    dependencies = java.util.Collections.unmodifiableMap(new TreeMap<>(dependencies));
    if (parentVersion != null && parentVersion < 1) {
      throw new IllegalArgumentException("Parent version must be >= 1, got " + parentVersion);
    }
  }

  /** Lineage with nothing known. */
  public static Lineage empty() {
    return EMPTY;
  }

  /** A builder starting from nothing known. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether nothing is known. */
  public boolean isEmpty() {
    return equals(EMPTY);
  }

  /** Builder for {@link Lineage}. */
  public static final class Builder {
    private @Nullable String runId;
    private @Nullable String sourceUri;
    private @Nullable Integer parentVersion;
    private @Nullable String gitCommit;
    private @Nullable Boolean gitDirty;
    private final List<String> datasets = new java.util.ArrayList<>();
    private final Map<String, String> dependencies = new TreeMap<>();

    private Builder() {}

    public Builder runId(String runId) {
      this.runId = runId;
      return this;
    }

    public Builder sourceUri(String sourceUri) {
      this.sourceUri = sourceUri;
      return this;
    }

    public Builder parentVersion(int parentVersion) {
      this.parentVersion = parentVersion;
      return this;
    }

    public Builder gitCommit(String gitCommit, boolean dirty) {
      this.gitCommit = gitCommit;
      this.gitDirty = dirty;
      return this;
    }

    /**
     * Records the commit checked out in the git work tree that contains {@code workingDirectory}, and whether
     * it has uncommitted changes (including untracked files), by running {@code git rev-parse HEAD} and {@code
     * git status --porcelain} there. Leaves both unknown when git is not installed, the directory is not in a
     * work tree, the repository has no commit yet, or git does not answer within 10 seconds: lineage is a
     * record of what is known, and training must not fail for want of it.
     */
    public Builder gitCommitOf(java.nio.file.Path workingDirectory) {
      GitHead.of(workingDirectory).ifPresent(head -> gitCommit(head.commit(), head.dirty()));
      return this;
    }

    public Builder dataset(String reference) {
      datasets.add(reference);
      return this;
    }

    public Builder dependency(String name, String version) {
      dependencies.put(name, version);
      return this;
    }

    public Lineage build() {
      return new Lineage(runId, sourceUri, parentVersion, gitCommit, gitDirty, datasets, dependencies);
    }
  }
}
