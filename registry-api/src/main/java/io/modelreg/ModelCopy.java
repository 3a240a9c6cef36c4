package io.modelreg;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Recreates a model's versions in another registry through its public API, so every rule of the target
 * applies: versions are registered in source order with their files, description, tags, params, metrics,
 * metric runs, lineage, signature and semver; each arrives with the source's digest or the copy stops with
 * {@link IntegrityException}; then stages are replayed (Staging before Production, as the rules ask) and
 * aliases set. The target numbers versions itself; its history records the copy as its own events.
 * {@link ModelRegistries#copy} and {@link ModelArchive#importInto} are the public entry points; {@link
 * #replay} also serves sources that are not registries (archives).
 */
final class ModelCopy {
  /** One version to recreate: its metadata as the source has it, and where each file's bytes come from. */
  record VersionSource(ModelVersion version, Map<String, Registration.ContentSource> files) {
    VersionSource {
      Objects.requireNonNull(version, "version");
      files = new LinkedHashMap<>(files);
    }
  }

  private ModelCopy() {}

  /**
   * The versions of {@code name} in {@code source} to copy: all of them when {@code numbers} is empty, else
   * exactly those (a number the source lacks is {@link VersionNotFoundException} before anything is
   * written). Bytes are read through the source's verified streams, passed through {@code wrap} (progress).
   */
  static List<VersionSource> versionsOf(ModelRegistry source, String name, Collection<Integer> numbers,
      UnaryOperator<InputStream> wrap) {
    List<ModelVersion> all = source.listVersions(name);
    List<ModelVersion> chosen = new ArrayList<>();
    if (numbers.isEmpty()) {
      chosen.addAll(all);
    } else {
      for (int n : new TreeSet<>(numbers)) {
        chosen.add(all.stream().filter(v -> v.number() == n).findFirst().orElseThrow(() ->
            new VersionNotFoundException("Model '" + name + "' has no version " + n + " to copy")));
      }
    }
    List<VersionSource> out = new ArrayList<>();
    for (ModelVersion v : chosen) {
      Map<String, Registration.ContentSource> files = new LinkedHashMap<>();
      for (ArtifactEntry e : v.manifest().files()) {
        files.put(e.path(), () -> wrap.apply(source.openArtifact(v, e.path())));
      }
      out.add(new VersionSource(v, files));
    }
    return out;
  }

  /**
   * Recreates {@code versions} as model {@code name} in {@code target}, creating the model (with {@code
   * model}'s description and tags) if it is absent, then replays stages and the aliases of {@code model}
   * that point at copied versions.
   *
   * <p>All or nothing while versions are registered: if one fails (bytes that do not match their digest, a
   * rule of the target), the versions this call registered are deleted again, and the model too when this
   * call created it, before the exception is rethrown (their numbers stay used, and the target's history
   * shows both steps). A failure while stages and aliases are replayed is rethrown as it is.
   */
  static CopyReport replay(ModelRegistry target, String name, @Nullable RegisteredModel model,
      List<VersionSource> versions) {
    return replay(target, name, model == null ? null : model.description().orElse(null),
        model == null ? Map.of() : model.tags(), model == null ? Map.of() : model.userAliases(), versions);
  }

  /** {@link #replay(ModelRegistry, String, RegisteredModel, List)} with the model's parts given one by one. */
  static CopyReport replay(ModelRegistry target, String name, @Nullable String description, Map<String, String> tags,
      Map<String, Integer> aliases, List<VersionSource> versions) {
    Names.checkModelName(name);
    List<String> notes = new ArrayList<>();
    boolean created = target.findModel(name).isEmpty();
    if (created) {
      target.createModel(name, description, tags);
    } else {
      notes.add("Model '" + name + "' already existed in the target: its description and tags were kept");
    }
    Map<Integer, Integer> numbers = new LinkedHashMap<>();
    try {
      for (VersionSource source : versions) {
        ModelVersion m = source.version();
        Registration.Builder b = Registration.builder().description(m.description().orElse(null)).tags(m.tags())
            .params(m.params()).metrics(m.metrics()).lineage(m.lineage());
        m.signature().ifPresent(b::signature);
        m.semver().ifPresent(b::semver);
        source.files().forEach(b::stream);
        ModelVersion registered = target.register(name, b.build());
        numbers.put(m.number(), registered.number());
        if (!registered.digest().equals(m.digest())) {
          throw new IntegrityException("Version " + m.number() + " of '" + m.name() + "' arrived with digest "
              + registered.digest() + " but the source has " + m.digest() + "; the source is damaged");
        }
        for (MetricRecord run : m.metricRuns()) {
          target.recordMetrics(name, registered.number(), run);
        }
        if (registered.number() != m.number()) {
          notes.add("Version " + m.number() + " is version " + registered.number() + " in the target");
        }
      }
    } catch (RuntimeException e) {
      undo(target, name, created, numbers.values(), e);
      throw e;
    }
    for (VersionSource source : versions) {
      Stage stage = source.version().stage();
      int n = Objects.requireNonNull(numbers.get(source.version().number()));
      if (stage == Stage.STAGING || stage == Stage.PRODUCTION) {
        target.transition(name, n, Stage.STAGING);
      }
      if (stage == Stage.PRODUCTION) {
        target.transition(name, n, Stage.PRODUCTION);
      }
      if (stage == Stage.ARCHIVED) {
        target.transition(name, n, Stage.ARCHIVED);
      }
    }
    aliases.forEach((alias, old) -> {
      Integer n = numbers.get(old);
      if (n != null) {
        target.setAlias(name, alias, n);
      } else {
        notes.add("Alias '" + alias + "' points at version " + old + ", which was not copied: it was not set");
      }
    });
    if (!versions.isEmpty()) {
      notes.add("History: the target records the copy as its own events (now, by this actor);"
          + " the source's event times and actors stay in the source");
    }
    return new CopyReport(name, numbers, notes);
  }

  /** Deletes what a failed registration phase left: the model if this copy created it, else its new versions. */
  private static void undo(ModelRegistry target, String name, boolean created, Collection<Integer> registered,
      RuntimeException failure) {
    try {
      if (created) {
        target.deleteModel(name);
      } else {
        for (int n : registered) {
          target.deleteVersion(name, n);
        }
      }
    } catch (RuntimeException e) {
      failure.addSuppressed(new IllegalStateException("Could not remove what the failed copy had registered in '"
          + name + "' (versions " + registered + "): " + e.getMessage(), e));
    }
  }
}
