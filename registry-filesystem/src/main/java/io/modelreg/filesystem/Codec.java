package io.modelreg.filesystem;

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
import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.VersionRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The on-disk JSON shapes of models, versions and events (format 1), written with snake_case keys in a
 * fixed order so the files read well and diff cleanly. Every reader validates and names the file.
 */
final class Codec {
  static final int FORMAT = 1;

  private Codec() {}

  // ------------------------------------------------------------------ models

  static byte[] model(ModelRecord m) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("format", FORMAT);
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
    return Json.write(o, true);
  }

  static ModelRecord model(byte[] bytes, String source) {
    Fields f = Fields.of(Json.parse(bytes, source), source);
    checkFormat(f, source);
    Map<String, Integer> aliases = new TreeMap<>();
    f.longMap("aliases").forEach((k, v) -> aliases.put(k, v.intValue()));
    Map<Integer, Stage> stages = new TreeMap<>();
    f.stringMap("stages").forEach((k, v) -> stages.put(
        f.check("stages", () -> Integer.parseInt(k)), f.check("stages." + k, () -> Stage.parse(v))));
    return new ModelRecord(f.str("name"), f.optStr("description"), f.stringMap("tags"), aliases, stages,
        f.ints("production_history"), f.instant("created_at"), f.instant("updated_at"), f.lng("revision"));
  }

  // ------------------------------------------------------------------ versions

  static byte[] version(VersionRecord v) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("format", FORMAT);
    o.put("model", v.model());
    o.put("number", v.number());
    putIfNotNull(o, "semver", v.semver() == null ? null : String.valueOf(v.semver()));
    o.put("status", v.status().name());
    putIfNotNull(o, "description", v.description());
    o.put("tags", v.tags());
    o.put("params", v.params());
    o.put("metrics", v.metrics());
    List<Object> runs = new ArrayList<>();
    for (MetricRecord r : v.metricRuns()) {
      Map<String, Object> run = new LinkedHashMap<>();
      run.put("run_id", r.runId());
      run.put("time", r.time().toString());
      run.put("values", r.values());
      run.put("notes", r.notes());
      runs.add(run);
    }
    o.put("metric_runs", runs);
    o.put("lineage", lineage(v.lineage()));
    Signature sig = v.signature();
    if (sig != null) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("inputs", fields(sig.inputs()));
      s.put("outputs", fields(sig.outputs()));
      o.put("signature", s);
    }
    Map<String, Object> artifacts = new LinkedHashMap<>();
    artifacts.put("digest", v.manifest().digest().toString());
    List<Object> files = new ArrayList<>();
    for (ArtifactEntry e : v.manifest().files()) {
      Map<String, Object> file = new LinkedHashMap<>();
      file.put("path", e.path());
      file.put("size", e.size());
      file.put("sha256", e.digest().hex());
      files.add(file);
    }
    artifacts.put("files", files);
    o.put("artifacts", artifacts);
    o.put("artifact_location", v.artifactLocation());
    o.put("created_at", v.createdAt().toString());
    o.put("created_by", v.createdBy());
    o.put("updated_at", v.updatedAt().toString());
    o.put("revision", v.revision());
    return Json.write(o, true);
  }

  static VersionRecord version(byte[] bytes, String source) {
    Fields f = Fields.of(Json.parse(bytes, source), source);
    checkFormat(f, source);
    String semverText = f.optStr("semver");
    SemanticVersion semver = semverText == null ? null : f.check("semver", () -> SemanticVersion.parse(semverText));
    List<MetricRecord> runs = new ArrayList<>();
    for (Fields r : f.objects("metric_runs")) {
      runs.add(r.check("metric_runs", () -> new MetricRecord(r.str("run_id"), r.instant("time"), r.doubleMap("values"),
          r.str("notes"))));
    }
    Fields sig = f.optObj("signature");
    Signature signature = sig == null ? null
        : sig.check("signature", () -> new Signature(fields(sig, "inputs"), fields(sig, "outputs")));
    Fields a = f.obj("artifacts");
    List<ArtifactEntry> files = new ArrayList<>();
    for (Fields e : a.objects("files")) {
      files.add(e.check("artifacts.files", () -> new ArtifactEntry(e.str("path"), e.lng("size"), new Digest(e.str("sha256")))));
    }
    ArtifactManifest manifest = a.check("artifacts", () -> new ArtifactManifest(files, Digest.parse(a.str("digest"))));
    String status = f.str("status");
    return f.check("version", () -> new VersionRecord(f.str("model"), f.integer("number"), semver,
        VersionStatus.valueOf(status), f.optStr("description"), f.stringMap("tags"), f.stringMap("params"),
        f.doubleMap("metrics"), runs, lineage(f.obj("lineage")), signature, manifest, f.str("artifact_location"),
        f.instant("created_at"), f.str("created_by"), f.instant("updated_at"), f.lng("revision")));
  }

  private static Map<String, Object> lineage(Lineage l) {
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

  private static Lineage lineage(Fields f) {
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

  private static List<Signature.Field> fields(Fields sig, String key) {
    List<Signature.Field> out = new ArrayList<>();
    for (Fields f : sig.objects(key)) {
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

  static byte[] event(RegistryEvent e) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("seq", e.sequence());
    o.put("time", e.time().toString());
    o.put("actor", e.actor());
    o.put("type", e.type().name());
    putIfNotNull(o, "version", e.version());
    o.put("details", e.details());
    return Json.write(o, false);
  }

  static RegistryEvent event(String model, byte[] line, String source) {
    Fields f = Fields.of(Json.parse(line, source), source);
    String type = f.str("type");
    return f.check("event", () -> new RegistryEvent(model, f.lng("seq"), f.instant("time"), f.str("actor"),
        RegistryEvent.Type.valueOf(type), f.optInt("version"), f.stringMap("details")));
  }

  // ------------------------------------------------------------------ helpers

  private static void checkFormat(Fields f, String source) {
    long format = f.lng("format");
    if (format > FORMAT) {
      throw new IntegrityException(source + " has format " + format + " but this modelreg reads format " + FORMAT
          + "; it was written by a newer modelreg: upgrade to read it");
    }
  }

  private static void putIfNotNull(Map<String, Object> o, String key, @Nullable Object value) {
    if (value != null) {
      o.put(key, value);
    }
  }
}
