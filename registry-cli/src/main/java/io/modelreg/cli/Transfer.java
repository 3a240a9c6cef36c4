package io.modelreg.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import io.modelreg.ArtifactEntry;
import io.modelreg.ArtifactManifest;
import io.modelreg.CopyReport;
import io.modelreg.IntegrityException;
import io.modelreg.ModelCopy;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Names;
import io.modelreg.RegisteredModel;
import io.modelreg.Registration;
import io.modelreg.SemanticVersion;
import io.modelreg.Stage;
import io.modelreg.spi.RecordTrees;
import io.modelreg.spi.TreeReader;
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
  /** Reads the index as a plain tree (integers as Long) for {@link TreeReader}; no typed binding. */
  private static final ObjectReader TREE = Views.JSON.reader().with(DeserializationFeature.USE_LONG_FOR_INTS);

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
    o.put("metric_runs", RecordTrees.metricRuns(v.metricRuns()));
    o.put("lineage", RecordTrees.lineage(v.lineage()));
    v.signature().ifPresent(s -> o.put("signature", RecordTrees.signature(s)));
    o.put("files", RecordTrees.files(v.manifest()));
    o.put("digest", v.digest().toString());
    return o;
  }

  /** Reads an archive into plans; entries are opened only by the validated names its index lists. */
  static CopyReport importArchive(ModelRegistry target, Path file, @Nullable String as, Progress progress) throws IOException {
    try (ZipFile zip = new ZipFile(file.toFile())) {
      ZipEntry indexEntry = zip.getEntry(INDEX);
      if (indexEntry == null) {
        throw new IllegalArgumentException(file + " is not a modelreg export: it has no " + INDEX);
      }
      Object tree;
      try (InputStream in = zip.getInputStream(indexEntry)) {
        tree = TREE.readValue(in, Object.class);
      }
      String source = file + " (" + INDEX + ")";
      TreeReader index = TreeReader.of(tree, source);
      if (index.lng("format") != 1) {
        throw new IllegalArgumentException(file + " has export format " + index.lng("format") + "; this modelreg reads 1");
      }
      TreeReader m = index.obj("model");
      String exported = index.check("model.name", () -> Names.checkModelName(m.str("name")));
      String name = as != null ? as : exported;
      Map<String, Integer> aliases = new TreeMap<>();
      m.longMap("aliases").forEach((alias, n) -> aliases.put(alias, Math.toIntExact(n)));
      List<ModelCopy.VersionSource> plans = new ArrayList<>();
      for (TreeReader v : index.objects("versions")) {
        int number = v.integer("number");
        for (TreeReader listed : v.objects("files")) {
          Names.checkArtifactPath(listed.str("path")); // a path that escapes is bad input, refused before anything
        }
        List<ArtifactEntry> entries = RecordTrees.files(v, "files");
        Map<String, Registration.ContentSource> files = new LinkedHashMap<>();
        for (ArtifactEntry e : entries) {
          String path = e.path();
          ZipEntry entry = zip.getEntry("versions/" + number + "/" + path);
          if (entry == null) {
            throw new IntegrityException(file + " lists " + path + " of version " + number + " but does not contain it");
          }
          files.put(path, () -> progress.wrap(zip.getInputStream(entry)));
        }
        ArtifactManifest manifest = ArtifactManifest.of(entries);
        if (!manifest.digest().toString().equals(v.str("digest"))) {
          throw new IntegrityException("The manifest of version " + number + " in " + file + " does not match its digest");
        }
        String stage = v.optStr("stage");
        String semver = v.optStr("semver");
        TreeReader signature = v.optObj("signature");
        ModelVersion.Builder meta = ModelVersion.builder().name(exported).number(number).manifest(manifest)
            .stage(v.check("stage", () -> Stage.parse(stage == null ? "development" : stage)))
            .description(v.optStr("description")).tags(v.stringMap("tags")).params(v.stringMap("params"))
            .metrics(v.doubleMap("metrics")).metricRuns(RecordTrees.metricRuns(v, "metric_runs"))
            .lineage(RecordTrees.lineage(v.obj("lineage")));
        if (semver != null) {
          meta.semver(v.check("semver", () -> SemanticVersion.parse(semver)));
        }
        if (signature != null) {
          meta.signature(RecordTrees.signature(signature));
        }
        plans.add(new ModelCopy.VersionSource(meta.build(), files));
      }
      RegisteredModel model = RegisteredModel.builder().name(name).description(m.optStr("description"))
          .tags(m.stringMap("tags")).aliases(aliases).created(Instant.now()).build();
      try {
        return ModelCopy.replay(target, name, model, plans);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      } finally {
        progress.finish();
      }
    }
  }
}
