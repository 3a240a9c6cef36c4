package io.modelreg;

import io.modelreg.spi.RecordTrees;
import io.modelreg.spi.TreeReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * A model with all its versions in one zip file, to move it between registries that cannot reach each other
 * (the file form of {@link ModelRegistries#copy}).
 *
 * <p>{@link #export} writes the archive: {@code modelreg-export.json} (the model's name, description, tags and
 * aliases; per version its number, semver, stage, description, tags, params, metrics, metric runs, lineage,
 * signature, files with size and SHA-256, and digest) and {@code versions/<number>/<path>} with each file's
 * bytes. The format is described in the module README.
 *
 * <p>{@link #importInto} checks the whole archive before it writes anything: the index, every path (no
 * {@code ..}, no absolute paths), every manifest against its digest, and the size and SHA-256 of every
 * file's bytes. A damaged or tampered archive is an {@link IntegrityException} that names every problem, and
 * the target is left as it was. Then the versions are registered in order through the target's public API
 * (its rules apply), stages are replayed and aliases set; if a registration still fails, what was registered
 * is removed again (as {@link ModelRegistries#copy} does). Version numbers in the target are the target's own; the
 * returned {@link CopyReport} maps them.
 */
public final class ModelArchive {
  /** The index entry's name. */
  static final String INDEX = "modelreg-export.json";
  /** The format this code writes and reads. */
  static final int FORMAT = 1;
  /** An index larger than this is refused before it is read (a hostile archive could claim gigabytes). */
  static final long MAX_INDEX_BYTES = 64L << 20;

  private ModelArchive() {}

  /** {@link #export(ModelRegistry, String, Path, UnaryOperator)} without progress reporting. */
  public static void export(ModelRegistry source, String name, Path file) throws IOException {
    export(source, name, file, UnaryOperator.identity());
  }

  /**
   * Writes model {@code name} of {@code source} with all its versions to {@code file}, replacing it. The
   * archive is written to a temporary file next to {@code file}, forced to disk and renamed into place, so
   * {@code file} is either the old one or the complete new one. Each artifact is read through the source's
   * verified stream, passed through {@code wrap} (for progress).
   *
   * @throws ModelNotFoundException when the model does not exist
   * @throws IntegrityException when a stored artifact does not match its digest (no archive is written)
   * @throws IOException when the file cannot be written
   */
  public static void export(ModelRegistry source, String name, Path file, UnaryOperator<InputStream> wrap)
      throws IOException {
    RegisteredModel model = source.getModel(name);
    List<ModelVersion> versions = source.listVersions(name);
    Path target = file.toAbsolutePath();
    Path tmp = Files.createTempFile(target.getParent(), ".modelreg-export", ".part");
    try {
      try (OutputStream raw = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(raw)) {
        zip.putNextEntry(new ZipEntry(INDEX));
        zip.write(JsonText.write(index(model, versions)).getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
        for (ModelVersion v : versions) {
          for (ArtifactEntry e : v.manifest().files()) {
            zip.putNextEntry(new ZipEntry(entryName(v.number(), e.path())));
            try (InputStream in = wrap.apply(source.openArtifact(v, e.path()))) {
              in.transferTo(zip);
            }
            zip.closeEntry();
          }
        }
      }
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** {@link #importInto(ModelRegistry, Path, String, UnaryOperator)} without progress reporting. */
  public static CopyReport importInto(ModelRegistry target, Path file, @Nullable String as) throws IOException {
    return importInto(target, file, as, UnaryOperator.identity());
  }

  /**
   * Registers the versions of the archive {@code file} in {@code target}, as model {@code as} (or the name the
   * archive gives when null), after checking every byte. Each file is read twice, once to check it and once
   * to register it, both times through {@code wrap} (for progress).
   *
   * @return the model's name in the target, archive version numbers → target numbers, and what differs
   * @throws IntegrityException when the archive is damaged or tampered with (nothing is imported)
   * @throws IllegalArgumentException when the file is not a modelreg archive, has a format this code does
   *     not read, names an unsafe path, or {@code as} is not a valid model name (nothing is imported)
   * @throws IOException when the file cannot be read
   */
  public static CopyReport importInto(ModelRegistry target, Path file, @Nullable String as,
      UnaryOperator<InputStream> wrap) throws IOException {
    if (as != null) {
      Names.checkModelName(as);
    }
    try (ZipFile zip = open(file)) {
      Index index = readIndex(zip, file);
      List<String> problems = new ArrayList<>();
      for (ModelCopy.VersionSource v : index.versions()) {
        for (ArtifactEntry e : v.version().manifest().files()) {
          check(zip, file, v.version().number(), e, wrap, problems);
        }
      }
      if (!problems.isEmpty()) {
        throw new IntegrityException(file + " is damaged; nothing was imported: " + String.join("; ", problems));
      }
      List<ModelCopy.VersionSource> plans = new ArrayList<>();
      for (ModelCopy.VersionSource v : index.versions()) {
        Map<String, Registration.ContentSource> files = new LinkedHashMap<>();
        for (ArtifactEntry e : v.version().manifest().files()) {
          ZipEntry entry = zip.getEntry(entryName(v.version().number(), e.path()));
          files.put(e.path(), () -> wrap.apply(zip.getInputStream(entry)));
        }
        plans.add(new ModelCopy.VersionSource(v.version(), files));
      }
      try {
        return ModelCopy.replay(target, as != null ? as : index.name(), index.description(), index.tags(), index.aliases(), plans);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }
  }

  // ------------------------------------------------------------------ the index

  /** The index as a tree: format 1. */
  static Map<String, Object> index(RegisteredModel model, List<ModelVersion> versions) {
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("format", FORMAT);
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    m.put("name", model.name());
    m.put("description", model.description().orElse(null));
    m.put("tags", model.tags());
    m.put("aliases", model.userAliases());
    index.put("model", m);
    List<Object> vs = new ArrayList<>();
    for (ModelVersion v : versions) {
      Map<String, @Nullable Object> o = new LinkedHashMap<>();
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
      vs.add(o);
    }
    index.put("versions", vs);
    return index;
  }

  /** What the index says: the model's parts and, per version, its metadata (files are bound later). */
  private record Index(String name, @Nullable String description, Map<String, String> tags,
      Map<String, Integer> aliases, List<ModelCopy.VersionSource> versions) {}

  private static ZipFile open(Path file) throws IOException {
    try {
      return new ZipFile(file.toFile());
    } catch (java.util.zip.ZipException e) {
      throw new IllegalArgumentException(file + " is not a modelreg archive: it is not a zip file (" + e.getMessage() + ")", e);
    }
  }

  private static Index readIndex(ZipFile zip, Path file) throws IOException {
    ZipEntry entry = zip.getEntry(INDEX);
    if (entry == null) {
      throw new IllegalArgumentException(file + " is not a modelreg archive: it has no " + INDEX);
    }
    String source = file + " (" + INDEX + ")";
    byte[] bytes;
    try (InputStream in = zip.getInputStream(entry)) {
      bytes = in.readNBytes((int) MAX_INDEX_BYTES + 1);
    }
    if (bytes.length > MAX_INDEX_BYTES) {
      throw new IllegalArgumentException(source + " is larger than " + (MAX_INDEX_BYTES >> 20) + " MiB; refused");
    }
    TreeReader index = TreeReader.of(JsonText.read(new String(bytes, StandardCharsets.UTF_8), source), source);
    long format = index.lng("format");
    if (format != FORMAT) {
      throw new IllegalArgumentException(file + " has archive format " + format + "; this modelreg reads " + FORMAT);
    }
    TreeReader m = index.obj("model");
    String name = index.check("model.name", () -> Names.checkModelName(m.str("name")));
    Map<String, Integer> aliases = new TreeMap<>();
    m.longMap("aliases").forEach((alias, n) -> aliases.put(alias, index.check("model.aliases." + alias, () -> Math.toIntExact(n))));
    List<ModelCopy.VersionSource> versions = new ArrayList<>();
    Set<Integer> seen = new HashSet<>();
    for (TreeReader v : index.objects("versions")) {
      int number = v.integer("number");
      if (!seen.add(number)) {
        throw new IntegrityException(source + " lists version " + number + " twice");
      }
      for (TreeReader listed : v.objects("files")) {
        Names.checkArtifactPath(listed.str("path")); // a path that escapes is bad input, refused before anything
      }
      ArtifactManifest manifest = v.check("files", () -> ArtifactManifest.of(RecordTrees.files(v, "files")));
      if (!manifest.digest().toString().equals(v.str("digest"))) {
        throw new IntegrityException("The file list of version " + number + " in " + source + " has digest "
            + manifest.digest() + " but the archive says " + v.str("digest"));
      }
      String stage = v.optStr("stage");
      String semver = v.optStr("semver");
      TreeReader signature = v.optObj("signature");
      ModelVersion.Builder meta = ModelVersion.builder().name(name).number(number).manifest(manifest)
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
      versions.add(new ModelCopy.VersionSource(v.check("version " + number, meta::build), Map.of()));
    }
    return new Index(name, m.optStr("description"), m.stringMap("tags"), aliases, versions);
  }

  // ------------------------------------------------------------------ bytes

  private static String entryName(int number, String path) {
    return "versions/" + number + "/" + path;
  }

  /** Hashes one file of the archive and adds a sentence to {@code problems} when it is missing or differs. */
  private static void check(ZipFile zip, Path file, int number, ArtifactEntry expected, UnaryOperator<InputStream> wrap,
      List<String> problems) throws IOException {
    ZipEntry entry = zip.getEntry(entryName(number, expected.path()));
    if (entry == null) {
      problems.add("version " + number + " lists " + expected.path() + " but " + file + " does not contain it");
      return;
    }
    MessageDigest sha = Digest.newSha256();
    long size = 0;
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = wrap.apply(zip.getInputStream(entry))) {
      for (int n; (n = in.read(buf)) >= 0; ) {
        sha.update(buf, 0, n);
        size += n;
      }
    } catch (java.util.zip.ZipException e) {
      problems.add(expected.path() + " of version " + number + " cannot be unpacked: " + e.getMessage());
      return;
    }
    Digest actual = Digest.fromBytes(sha.digest());
    if (size != expected.size() || !actual.equals(expected.digest())) {
      problems.add(expected.path() + " of version " + number + " has " + size + " bytes with SHA-256 " + actual.hex()
          + " but the archive lists " + expected.size() + " bytes with SHA-256 " + expected.digest().hex());
    }
  }
}
