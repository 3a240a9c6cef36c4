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
 * {@link ModelRegistries#copy} is the entry point; {@link #replay} serves sources that are not registries
 * (the CLI's archives).
 */
public final class ModelCopy {
  /** One version to recreate: its metadata as the source has it, and where each file's bytes come from. */
  public record VersionSource(ModelVersion version, Map<String, Registration.ContentSource> files) {
    public VersionSource {
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
  public static List<VersionSource> versionsOf(ModelRegistry source, String name, Collection<Integer> numbers,
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
   */
  public static CopyReport replay(ModelRegistry target, String name, @Nullable RegisteredModel model,
      List<VersionSource> versions) {
    Names.checkModelName(name);
    List<String> notes = new ArrayList<>();
    if (target.findModel(name).isEmpty()) {
      target.createModel(name, model == null ? null : model.description().orElse(null), model == null ? Map.of() : model.tags());
    } else {
      notes.add("Model '" + name + "' already existed in the target: its description and tags were kept");
    }
    Map<Integer, Integer> numbers = new LinkedHashMap<>();
    for (VersionSource source : versions) {
      ModelVersion m = source.version();
      Registration.Builder b = Registration.builder().description(m.description().orElse(null)).tags(m.tags())
          .params(m.params()).metrics(m.metrics()).lineage(m.lineage());
      m.signature().ifPresent(b::signature);
      m.semver().ifPresent(b::semver);
      source.files().forEach(b::stream);
      ModelVersion created = target.register(name, b.build());
      if (!created.digest().equals(m.digest())) {
        throw new IntegrityException("Version " + m.number() + " of '" + m.name() + "' arrived with digest "
            + created.digest() + " but the source has " + m.digest() + "; the source is damaged");
      }
      for (MetricRecord run : m.metricRuns()) {
        target.recordMetrics(name, created.number(), run);
      }
      numbers.put(m.number(), created.number());
      if (created.number() != m.number()) {
        notes.add("Version " + m.number() + " is version " + created.number() + " in the target");
      }
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
    if (model != null) {
      model.userAliases().forEach((alias, old) -> {
        Integer n = numbers.get(old);
        if (n != null) {
          target.setAlias(name, alias, n);
        } else {
          notes.add("Alias '" + alias + "' points at version " + old + ", which was not copied: it was not set");
        }
      });
    }
    if (!versions.isEmpty()) {
      notes.add("History: the target records the copy as its own events (now, by this actor);"
          + " the source's event times and actors stay in the source");
    }
    return new CopyReport(name, numbers, notes);
  }
}
