package io.modelreg.spi;

import io.modelreg.ArtifactEntry;
import io.modelreg.ArtifactManifest;
import io.modelreg.Digest;
import io.modelreg.IntegrityException;
import io.modelreg.Lineage;
import io.modelreg.MetricRecord;
import io.modelreg.RegistryEvent;
import io.modelreg.SemanticVersion;
import io.modelreg.Signature;
import io.modelreg.Stage;
import io.modelreg.VersionStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The JSON shapes of model, version and event records as plain trees ({@code Map}, {@code List}, strings,
 * numbers, booleans): snake_case keys in a fixed order, so files and tags read well and diff cleanly. Any
 * JSON library writes the trees; the readers take a parsed tree (integers as {@code Long}, decimals as
 * {@code Double}) and validate it, naming {@code source} in every {@link IntegrityException}.
 * Shared by the stores so that one record has one shape wherever it is kept.
 */
public final class RecordTrees {
  private RecordTrees() {}

  // ------------------------------------------------------------------ models

  public static Map<String, Object> model(ModelRecord m) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("name", m.name());
    putIfNotNull(o, "description", m.description());
    o.put("tags", m.tags());
    o.put("aliases", m.aliases());
    Map<String, Object> stages = new LinkedHashMap<>();
    m.stages().forEach((n, s) -> stages.put(Integer.toString(n), s.name()));
    o.put("stages", stages);
    o.put("production_history", m.productionHistory());
    o.put("created_at", m.createdAt().toString());
    o.put("updated_at", m.updatedAt().toString());
    o.put("revision", m.revision());
    return o;
  }

  public static ModelRecord model(@Nullable Object tree, String source) {
    TreeReader f = TreeReader.of(tree, source);
    Map<String, Integer> aliases = new TreeMap<>();
    f.longMap("aliases").forEach((k, v) -> aliases.put(k, v.intValue()));
    Map<Integer, Stage> stages = new TreeMap<>();
    f.stringMap("stages").forEach((k, v) -> stages.put(
        f.check("stages", () -> Integer.parseInt(k)), f.check("stages." + k, () -> Stage.parse(v))));
    return new ModelRecord(f.str("name"), f.optStr("description"), f.stringMap("tags"), aliases, stages,
        f.ints("production_history"), f.instant("created_at"), f.instant("updated_at"), f.lng("revision"));
  }

  // ------------------------------------------------------------------ versions

  public static Map<String, Object> version(VersionRecord v) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("model", v.model());
    o.put("number", v.number());
    putIfNotNull(o, "semver", v.semver() == null ? null : String.valueOf(v.semver()));
    o.put("status", v.status().name());
    putIfNotNull(o, "description", v.description());
    o.put("tags", v.tags());
    o.put("params", v.params());
    o.put("metrics", v.metrics());
    o.put("metric_runs", metricRuns(v.metricRuns()));
    o.put("lineage", lineage(v.lineage()));
    Signature sig = v.signature();
    if (sig != null) {
      o.put("signature", signature(sig));
    }
    Map<String, Object> artifacts = new LinkedHashMap<>();
    artifacts.put("digest", v.manifest().digest().toString());
    artifacts.put("files", files(v.manifest()));
    o.put("artifacts", artifacts);
    o.put("artifact_location", v.artifactLocation());
    o.put("created_at", v.createdAt().toString());
    o.put("created_by", v.createdBy());
    o.put("updated_at", v.updatedAt().toString());
    o.put("revision", v.revision());
    return o;
  }

  public static VersionRecord version(@Nullable Object tree, String source) {
    TreeReader f = TreeReader.of(tree, source);
    String semverText = f.optStr("semver");
    SemanticVersion semver = semverText == null ? null : f.check("semver", () -> SemanticVersion.parse(semverText));
    List<MetricRecord> runs = metricRuns(f, "metric_runs");
    TreeReader sig = f.optObj("signature");
    Signature signature = sig == null ? null : signature(sig);
    TreeReader a = f.obj("artifacts");
    List<ArtifactEntry> files = files(a, "files", "artifacts.files");
    ArtifactManifest manifest = a.check("artifacts", () -> new ArtifactManifest(files, Digest.parse(a.str("digest"))));
    String status = f.str("status");
    return f.check("version", () -> new VersionRecord(f.str("model"), f.integer("number"), semver,
        VersionStatus.valueOf(status), f.optStr("description"), f.stringMap("tags"), f.stringMap("params"),
        f.doubleMap("metrics"), runs, lineage(f.obj("lineage")), signature, manifest, f.str("artifact_location"),
        f.instant("created_at"), f.str("created_by"), f.instant("updated_at"), f.lng("revision")));
  }

  // ------------------------------------------------------------------ parts, shared with other JSON formats

  /**
   * Metric runs as a list of {@code {run_id, time, values, notes, conditions?}}; {@code conditions} is left out
   * when there are none, so a run without them has the shape it had before conditions existed.
   */
  public static List<Object> metricRuns(List<MetricRecord> runs) {
    List<Object> out = new ArrayList<>();
    for (MetricRecord r : runs) {
      Map<String, Object> run = new LinkedHashMap<>();
      run.put("run_id", r.runId());
      run.put("time", r.time().toString());
      run.put("values", r.values());
      run.put("notes", r.notes());
      if (!r.conditions().isEmpty()) {
        run.put("conditions", r.conditions());
      }
      out.add(run);
    }
    return out;
  }

  public static List<MetricRecord> metricRuns(TreeReader f, String field) {
    List<MetricRecord> runs = new ArrayList<>();
    for (TreeReader r : f.objects(field)) {
      runs.add(r.check(field, () -> new MetricRecord(r.str("run_id"), r.instant("time"), r.doubleMap("values"),
          r.str("notes"), r.stringMap("conditions"))));
    }
    return runs;
  }

  /** Artifact files as a list of {@code {path, size, sha256}}. */
  public static List<Object> files(ArtifactManifest manifest) {
    List<Object> files = new ArrayList<>();
    for (ArtifactEntry e : manifest.files()) {
      Map<String, Object> file = new LinkedHashMap<>();
      file.put("path", e.path());
      file.put("size", e.size());
      file.put("sha256", e.digest().hex());
      files.add(file);
    }
    return files;
  }

  public static List<ArtifactEntry> files(TreeReader f, String field) {
    return files(f, field, field);
  }

  /** {@code label} names the field in errors where it is nested ({@code artifacts.files}). */
  private static List<ArtifactEntry> files(TreeReader f, String field, String label) {
    List<ArtifactEntry> files = new ArrayList<>();
    for (TreeReader e : f.objects(field)) {
      files.add(e.check(label, () -> new ArtifactEntry(e.str("path"), e.lng("size"), new Digest(e.str("sha256")))));
    }
    return files;
  }

  /** A signature as {@code {inputs: [...], outputs: [...]}}, each field {@code {name?, type, shape?, required}}. */
  public static Map<String, Object> signature(Signature sig) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("inputs", fields(sig.inputs()));
    s.put("outputs", fields(sig.outputs()));
    return s;
  }

  public static Signature signature(TreeReader sig) {
    return sig.check("signature", () -> new Signature(fields(sig, "inputs"), fields(sig, "outputs")));
  }

  /** Lineage with only the facts that are known: absent fields are left out. */
  public static Map<String, Object> lineage(Lineage l) {
    Map<String, Object> o = new LinkedHashMap<>();
    putIfNotNull(o, "run_id", l.runId());
    putIfNotNull(o, "source_uri", l.sourceUri());
    putIfNotNull(o, "parent_version", l.parentVersion());
    putIfNotNull(o, "git_commit", l.gitCommit());
    putIfNotNull(o, "git_dirty", l.gitDirty());
    if (!l.datasets().isEmpty()) {
      o.put("datasets", l.datasets());
    }
    if (!l.dependencies().isEmpty()) {
      o.put("dependencies", new TreeMap<>(l.dependencies()));
    }
    return o;
  }

  public static Lineage lineage(TreeReader f) {
    return f.check("lineage", () -> new Lineage(f.optStr("run_id"), f.optStr("source_uri"), f.optInt("parent_version"),
        f.optStr("git_commit"), f.optBool("git_dirty"), f.strings("datasets"), f.stringMap("dependencies")));
  }

  private static List<Object> fields(List<Signature.Field> fields) {
    List<Object> out = new ArrayList<>();
    for (Signature.Field field : fields) {
      Map<String, Object> o = new LinkedHashMap<>();
      putIfNotNull(o, "name", field.name());
      o.put("type", field.type());
      putIfNotNull(o, "shape", field.shape());
      o.put("required", field.required());
      out.add(o);
    }
    return out;
  }

  private static List<Signature.Field> fields(TreeReader sig, String key) {
    List<Signature.Field> out = new ArrayList<>();
    for (TreeReader f : sig.objects(key)) {
      List<Long> shape = null;
      if (f.has("shape")) {
        shape = new ArrayList<>();
        for (Object d : f.list("shape")) {
          if (!(d instanceof Long)) {
            throw new IntegrityException("Corrupt signature: shape entries must be integers");
          }
          shape.add((Long) d);
        }
      }
      out.add(new Signature.Field(f.optStr("name"), f.str("type"), shape, f.bool("required")));
    }
    return out;
  }

  // ------------------------------------------------------------------ events

  public static Map<String, Object> event(RegistryEvent e) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("seq", e.sequence());
    o.put("time", e.time().toString());
    o.put("actor", e.actor());
    o.put("type", e.type().name());
    putIfNotNull(o, "version", e.version());
    o.put("details", e.details());
    return o;
  }

  public static RegistryEvent event(String model, @Nullable Object tree, String source) {
    TreeReader f = TreeReader.of(tree, source);
    String type = f.str("type");
    return f.check("event", () -> new RegistryEvent(model, f.lng("seq"), f.instant("time"), f.str("actor"),
        RegistryEvent.Type.valueOf(type), f.optInt("version"), f.stringMap("details")));
  }

  // ------------------------------------------------------------------ helpers

  private static void putIfNotNull(Map<String, Object> o, String key, @Nullable Object value) {
    if (value != null) {
      o.put(key, value);
    }
  }
}
