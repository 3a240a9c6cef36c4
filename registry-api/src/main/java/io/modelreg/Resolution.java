package io.modelreg;

import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.VersionRecord;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link ModelUri} names: the rules for {@code latest}, stages, managed and user aliases, exact semantic
 * versions and ranges, applied to a model's cached records.
 */
final class Resolution {
  private final CachedReads reads;

  Resolution(CachedReads reads) {
    this.reads = reads;
  }

  /**
   * The version {@code uri} names.
   *
   * @throws ModelNotFoundException if there is no such model
   * @throws VersionNotFoundException if the model has no version matching {@code uri}
   */
  ModelVersion resolve(ModelUri uri) {
    String name = uri.name();
    if (uri.kind() == ModelUri.Kind.ALIAS && managed(uri.reference()) == null) {
      ModelVersion pushedDown = reads.byAlias(name, uri.reference());
      if (pushedDown != null) {
        return pushedDown;
      }
    }
    ModelRecord m = reads.model(name);
    VersionRecord v = switch (uri.kind()) {
      case NUMBER -> reads.versionOrNull(m, uri.number());
      case LATEST -> latest(m);
      case STAGE -> stageHolder(m, uri.stage());
      case ALIAS -> alias(m, uri.reference());
      case SEMVER -> exactSemver(m, uri.semver());
      case RANGE -> newestInRange(m, uri.range());
    };
    if (v == null) {
      String aliases = uri.kind() == ModelUri.Kind.ALIAS
          ? "; its aliases are " + RegisteredModel.of(m).aliases().keySet() : "";
      throw new VersionNotFoundException("No version of model '" + name + "' matches " + uri + aliases);
    }
    return CachedReads.view(m, v);
  }

  /** {@code latest}: the highest-numbered READY version in any stage (MLflow's meaning). */
  private @Nullable VersionRecord latest(ModelRecord m) {
    List<VersionRecord> list = reads.versions(m);
    for (int i = list.size() - 1; i >= 0; i--) {
      if (list.get(i).status() == VersionStatus.READY) {
        return list.get(i);
      }
    }
    return null;
  }

  /** {@code production} and {@code staging} are managed aliases; any other is the user's. */
  private @Nullable VersionRecord alias(ModelRecord m, String alias) {
    Stage managed = managed(alias);
    if (managed != null) {
      return stageHolder(m, managed);
    }
    Integer n = m.aliases().get(alias);
    return n == null ? null : reads.versionOrNull(m, n);
  }

  /** The stage whose holder a managed alias names ({@code production}, {@code staging}); null for a user alias. */
  private static @Nullable Stage managed(String alias) {
    Stage s = Stage.parseOrNull(alias);
    return s == Stage.PRODUCTION || s == Stage.STAGING ? s : null;
  }

  /**
   * The PRODUCTION holder; the managed {@code staging} alias (highest-numbered in STAGING); for DEVELOPMENT and
   * ARCHIVED the highest-numbered READY version in that stage.
   */
  private @Nullable VersionRecord stageHolder(ModelRecord m, Stage stage) {
    if (stage == Stage.PRODUCTION || stage == Stage.STAGING) {
      Integer n = stage == Stage.PRODUCTION ? RegisteredModel.productionHolder(m) : RegisteredModel.stagingHolder(m);
      return n == null ? null : reads.versionOrNull(m, n);
    }
    List<VersionRecord> list = reads.versions(m);
    for (int i = list.size() - 1; i >= 0; i--) {
      if (m.stageOf(list.get(i).number()) == stage && list.get(i).status() == VersionStatus.READY) {
        return list.get(i);
      }
    }
    return null;
  }

  /** Equal precedence, and equal build metadata when the URI gives some. */
  private @Nullable VersionRecord exactSemver(ModelRecord m, SemanticVersion wanted) {
    for (VersionRecord v : reads.versions(m)) {
      SemanticVersion s = v.semver();
      if (s != null && s.compareTo(wanted) == 0 && (wanted.build().isEmpty() || s.build().equals(wanted.build()))) {
        return v;
      }
    }
    return null;
  }

  /** The highest matching semantic version of a READY version that is not ARCHIVED. */
  private @Nullable VersionRecord newestInRange(ModelRecord m, VersionRange range) {
    VersionRecord best = null;
    for (VersionRecord v : reads.versions(m)) {
      SemanticVersion s = v.semver();
      if (s != null && v.status() == VersionStatus.READY && m.stageOf(v.number()) != Stage.ARCHIVED
          && range.matches(s) && (best == null || s.compareTo(Objects.requireNonNull(best.semver())) > 0)) {
        best = v;
      }
    }
    return best;
  }
}
