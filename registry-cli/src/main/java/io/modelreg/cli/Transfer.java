package io.modelreg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelreg.ArtifactEntry;
import io.modelreg.ArtifactManifest;
import io.modelreg.CopyReport;
import io.modelreg.Digest;
import io.modelreg.IntegrityException;
import io.modelreg.Lineage;
import io.modelreg.MetricRecord;
import io.modelreg.ModelCopy;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Names;
import io.modelreg.RegisteredModel;
import io.modelreg.Registration;
import io.modelreg.SemanticVersion;
import io.modelreg.Signature;
import io.modelreg.Stage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * Moving a model with its versions: into a single archive file, out of one, or from registry to registry.
 *
 * <p>Archive (zip): {@code modelreg-export.json} (format 1: the model, and per version its number, semver,
 * stage, description, tags, params, metrics, metric runs, lineage, signature, files with size and SHA-256, and
 * digest) and {@code versions/<number>/<artifact path>} with the bytes. Importing reads entries only by the
 * names the JSON lists (validated artifact paths), registers each version in order with its metadata, checks
 * that the new version digest equals the exported one, and replays stages and aliases. Version numbers in the
 * target are the target's; the mapping is reported. History is the target's own (it records the import).
 */
final class Transfer {
  static final String INDEX = "modelreg-export.json";

  private Transfer() {}

  /** Every version of a model in a source registry, read through verified streams counted by {@code progress}. */
  static List<ModelCopy.VersionSource> plan(ModelRegistry source, String name, Progress progress) {
    return ModelCopy.versionsOf(source, name, List.of(), progress::wrap);
  }

  // ------------------------------------------------------------------ archives

  static void export(ModelRegistry source, String name, Path file, Progress progress) throws IOException {
    RegisteredModel model = source.getModel(name);
    List<ModelVersion> versions = source.listVersions(name);
    Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".modelreg-export", ".part");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(tmp))) {
      Map<String, Object> index = new LinkedHashMap<>();
      index.put("format", 1);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", model.name());
      m.put("description", model.description().orElse(null));
      m.put("tags", model.tags());
      m.put("aliases", model.userAliases());
      index.put("model", m);
      List<Object> vs = new ArrayList<>();
      for (ModelVersion v : versions) {
        vs.add(versionJson(v));
      }
      index.put("versions", vs);
      zip.putNextEntry(new ZipEntry(INDEX));
      zip.write(Views.JSON.writeValueAsBytes(index));
      zip.closeEntry();
      for (ModelVersion v : versions) {
        for (ArtifactEntry e : v.manifest().files()) {
          zip.putNextEntry(new ZipEntry("versions/" + v.number() + "/" + e.path()));
          try (InputStream in = progress.wrap(source.openArtifact(v, e.path()))) {
            in.transferTo(zip);
          }
          zip.closeEntry();
        }
      }
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    progress.finish();
  }

  /** Total artifact bytes of a model, for progress bars. */
  static long totalBytes(ModelRegistry source, String name) {
    long total = 0;
    for (ModelVersion v : source.listVersions(name)) {
      total += v.manifest().totalSize();
    }
    return total;
  }

  private static Map<String, Object> versionJson(ModelVersion v) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("number", v.number());
    o.put("semver", v.semver().map(Object::toString).orElse(null));
    o.put("stage", v.stage().name());
    o.put("description", v.description().orElse(null));
    o.put("tags", v.tags());
    o.put("params", v.params());
    o.put("metrics", v.metrics());
    List<Object> runs = new ArrayList<>();
    for (MetricRecord r : v.metricRuns()) {
      runs.add(Map.of("run_id", r.runId(), "time", r.time().toString(), "values", r.values(), "notes", r.notes()));
    }
    o.put("metric_runs", runs);
    Map<String, Object> lineage = new LinkedHashMap<>();
    lineage.put("run_id", v.lineage().runId());
    lineage.put("source_uri", v.lineage().sourceUri());
    lineage.put("parent_version", v.lineage().parentVersion());
    lineage.put("git_commit", v.lineage().gitCommit());
    lineage.put("git_dirty", v.lineage().gitDirty());
    lineage.put("datasets", v.lineage().datasets());
    lineage.put("dependencies", v.lineage().dependencies());
    o.put("lineage", lineage);
    v.signature().ifPresent(s -> o.put("signature", Map.of("inputs", fields(s.inputs()), "outputs", fields(s.outputs()))));
    List<Object> files = new ArrayList<>();
    for (ArtifactEntry e : v.manifest().files()) {
      files.add(Map.of("path", e.path(), "size", e.size(), "sha256", e.digest().hex()));
    }
    o.put("files", files);
    o.put("digest", v.digest().toString());
    return o;
  }

  private static List<Object> fields(List<Signature.Field> fields) {
    List<Object> out = new ArrayList<>();
    for (Signature.Field f : fields) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", f.name());
      m.put("type", f.type());
      m.put("shape", f.shape());
      m.put("required", f.required());
      out.add(m);
    }
    return out;
  }

  /** Reads an archive into plans; entries are opened only by the validated names its index lists. */
  static CopyReport importArchive(ModelRegistry target, Path file, @Nullable String as, Progress progress) throws IOException {
    try (ZipFile zip = new ZipFile(file.toFile())) {
      ZipEntry indexEntry = zip.getEntry(INDEX);
      if (indexEntry == null) {
        throw new IllegalArgumentException(file + " is not a modelreg export: it has no " + INDEX);
      }
      JsonNode index;
      try (InputStream in = zip.getInputStream(indexEntry)) {
        index = Views.JSON.readTree(in);
      }
      if (index.path("format").asInt(0) != 1) {
        throw new IllegalArgumentException(file + " has export format " + index.path("format") + "; this modelreg reads 1");
      }
      JsonNode m = index.path("model");
      String name = as != null ? as : m.path("name").asText();
      Map<String, String> modelTags = strings(m.path("tags"));
      Map<String, Integer> aliases = new TreeMap<>();
      m.path("aliases").fields().forEachRemaining(e -> aliases.put(e.getKey(), e.getValue().asInt()));
      List<ModelCopy.VersionSource> plans = new ArrayList<>();
      for (JsonNode v : index.path("versions")) {
        int number = v.path("number").asInt();
        List<ArtifactEntry> entries = new ArrayList<>();
        Map<String, Registration.ContentSource> files = new LinkedHashMap<>();
        for (JsonNode f : v.path("files")) {
          String path = Names.checkArtifactPath(f.path("path").asText());
          entries.add(new ArtifactEntry(path, f.path("size").asLong(), new Digest(f.path("sha256").asText())));
          ZipEntry entry = zip.getEntry("versions/" + number + "/" + path);
          if (entry == null) {
            throw new IntegrityException(file + " lists " + path + " of version " + number + " but does not contain it");
          }
          files.put(path, () -> progress.wrap(zip.getInputStream(entry)));
        }
        ArtifactManifest manifest = ArtifactManifest.of(entries);
        if (!manifest.digest().toString().equals(v.path("digest").asText())) {
          throw new IntegrityException("The manifest of version " + number + " in " + file + " does not match its digest");
        }
        ModelVersion.Builder meta = ModelVersion.builder().name(Names.checkModelName(m.path("name").asText())).number(number)
            .manifest(manifest).stage(Stage.parse(v.path("stage").asText("development")))
            .description(v.path("description").isTextual() ? v.path("description").asText() : null)
            .tags(strings(v.path("tags"))).params(strings(v.path("params"))).metrics(doubles(v.path("metrics")))
            .metricRuns(runs(v.path("metric_runs"))).lineage(lineage(v.path("lineage")));
        if (v.path("semver").isTextual()) {
          meta.semver(SemanticVersion.parse(v.path("semver").asText()));
        }
        if (v.path("signature").isObject()) {
          meta.signature(new Signature(signature(v.path("signature").path("inputs")), signature(v.path("signature").path("outputs"))));
        }
        plans.add(new ModelCopy.VersionSource(meta.build(), files));
      }
      RegisteredModel model = RegisteredModel.of(io.modelreg.spi.ModelRecord.create(name,
          m.path("description").isTextual() ? m.path("description").asText() : null, modelTags, Instant.now())
          .withAliases(aliases));
      try {
        return ModelCopy.replay(target, name, model, plans);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      } finally {
        progress.finish();
      }
    }
  }

  private static Map<String, String> strings(JsonNode node) {
    Map<String, String> out = new TreeMap<>();
    node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private static Map<String, Double> doubles(JsonNode node) {
    Map<String, Double> out = new TreeMap<>();
    node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asDouble()));
    return out;
  }

  private static List<MetricRecord> runs(JsonNode node) {
    List<MetricRecord> out = new ArrayList<>();
    for (JsonNode r : node) {
      out.add(new MetricRecord(r.path("run_id").asText(), Instant.parse(r.path("time").asText()), doubles(r.path("values")),
          r.path("notes").asText("")));
    }
    return out;
  }

  private static Lineage lineage(JsonNode l) {
    List<String> datasets = new ArrayList<>();
    l.path("datasets").forEach(d -> datasets.add(d.asText()));
    return new Lineage(l.path("run_id").isTextual() ? l.path("run_id").asText() : null,
        l.path("source_uri").isTextual() ? l.path("source_uri").asText() : null,
        l.path("parent_version").isInt() ? l.path("parent_version").asInt() : null,
        l.path("git_commit").isTextual() ? l.path("git_commit").asText() : null,
        l.path("git_dirty").isBoolean() ? l.path("git_dirty").asBoolean() : null, datasets, strings(l.path("dependencies")));
  }

  private static List<Signature.Field> signature(JsonNode list) {
    List<Signature.Field> out = new ArrayList<>();
    for (JsonNode f : list) {
      List<Long> shape = null;
      if (f.path("shape").isArray()) {
        shape = new ArrayList<>();
        for (JsonNode d : f.path("shape")) {
          shape.add(d.asLong());
        }
      }
      out.add(new Signature.Field(f.path("name").isTextual() ? f.path("name").asText() : null, f.path("type").asText(),
          shape, f.path("required").asBoolean(true)));
    }
    return out;
  }
}
