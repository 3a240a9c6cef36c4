package io.modelreg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.mem.MemoryRegistryStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelArchiveTest {
  @TempDir Path dir;
  private ModelRegistry target;

  @BeforeEach
  void open() {
    target = ModelRegistries.create(MemoryRegistryStore.create(), RegistryOptions.defaults());
  }

  @AfterEach
  void close() {
    target.close();
  }

  /** The archive format 1 written by the CLI's exporter on 2026-12-02 from {@link #fixture}, committed as is. */
  static Path golden() {
    try {
      return Path.of(ModelArchiveTest.class.getResource("archive/churn-format1.zip").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The registry the golden archive was written from: three versions, every kind of metadata, stages, aliases. */
  static ModelRegistry fixture() {
    RegistryOptions options = RegistryOptions.builder().actor("golden")
        .clock(Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC)).build();
    ModelRegistry r = ModelRegistries.create(MemoryRegistryStore.create(), options);
    r.createModel("churn", "predicts churn", Map.of("team", "growth"));
    r.register("churn", Registration.builder()
        .bytes("model.onnx", utf8("weights of v1\n"))
        .bytes("conf/preprocessor.json", utf8("{\"steps\": []}\n"))
        .semver("1.0.0").description("first").tag("data", "2026-01").param("lr", "0.01").metric("accuracy", 0.81)
        .lineage(Lineage.builder().runId("run-1").sourceUri("s3://bucket/run-1")
            .gitCommit("0123456789abcdef0123456789abcdef01234567", false)
            .dataset("synthetic-churn?seed=1").dependency("tribuo", "4.3.2").build())
        .signature(new Signature(List.of(Signature.Field.column("tenure", "double"),
            new Signature.Field("plan", "string", null, false)), List.of(Signature.Field.tensor(null, "float32", -1, 2))))
        .build());
    r.recordMetrics("churn", 1, new MetricRecord("eval-1", Instant.parse("2026-02-01T00:00:00Z"),
        Map.of("accuracy", 0.8), "fold 1"));
    r.register("churn", Registration.builder().bytes("model.onnx", utf8("weights of v2\n"))
        .semver("1.1.0").metric("accuracy", 0.86).lineage(Lineage.builder().parentVersion(1).build()).build());
    r.register("churn", Registration.builder().bytes("model.onnx", utf8("weights of v3\n")).semver("1.2.0-rc.1").build());
    r.transition("churn", 1, Stage.STAGING);
    r.transition("churn", 1, Stage.PRODUCTION);
    r.transition("churn", 2, Stage.STAGING);
    r.transition("churn", 2, Stage.PRODUCTION);
    r.transition("churn", 3, Stage.STAGING);
    r.setAlias("churn", "champion", 2);
    r.setAlias("churn", "previous", 1);
    return r;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(ModelRegistry r, ModelVersion v, String path) {
    try (InputStream in = r.openArtifact(v, path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Entry name → bytes, index excluded. */
  private static Map<String, String> entries(Path zip) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (ZipFile z = new ZipFile(zip.toFile())) {
      for (ZipEntry e : Collections.list(z.entries())) {
        try (InputStream in = z.getInputStream(e)) {
          out.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ golden file

  @Test
  void theGoldenArchiveImportsWithEveryFactItCarries() throws IOException {
    CopyReport report = ModelArchive.importInto(target, golden(), null);

    assertThat(report.name()).isEqualTo("churn");
    assertThat(report.numbers()).containsExactly(Map.entry(1, 1), Map.entry(2, 2), Map.entry(3, 3));
    RegisteredModel model = target.getModel("churn");
    assertThat(model.description()).contains("predicts churn");
    assertThat(model.tags()).containsExactly(Map.entry("team", "growth"));
    assertThat(model.userAliases()).containsExactly(Map.entry("champion", 2), Map.entry("previous", 1));
    List<ModelVersion> versions = target.listVersions("churn");
    assertThat(versions).extracting(ModelVersion::stage).containsExactly(Stage.ARCHIVED, Stage.PRODUCTION, Stage.STAGING);
    assertThat(versions).extracting(v -> v.semver().orElseThrow().toString()).containsExactly("1.0.0", "1.1.0", "1.2.0-rc.1");
    assertThat(versions).extracting(v -> v.digest().toString()).containsExactly(
        "sha256:6754c9f483c1abb6bd0da7aae69a2fd2d7f90d422011d85077a6f99b4e16d0d7",
        "sha256:7d77ad756e3350b4c607139fc854d09d5fe7f4f14c3dcd6e73003281e442b0e5",
        "sha256:ee02417d8fd637f73863ed1cf3beda377026797226e25e2fdd51f73cfcd6e35c");
    ModelVersion v1 = versions.get(0);
    assertThat(v1.description()).contains("first");
    assertThat(v1.tags()).containsExactly(Map.entry("data", "2026-01"));
    assertThat(v1.params()).containsExactly(Map.entry("lr", "0.01"));
    assertThat(v1.metrics()).containsExactly(Map.entry("accuracy", 0.81));
    assertThat(v1.metricRuns()).containsExactly(new MetricRecord("eval-1", Instant.parse("2026-02-01T00:00:00Z"),
        Map.of("accuracy", 0.8), "fold 1"));
    assertThat(v1.lineage()).isEqualTo(Lineage.builder().runId("run-1").sourceUri("s3://bucket/run-1")
        .gitCommit("0123456789abcdef0123456789abcdef01234567", false).dataset("synthetic-churn?seed=1")
        .dependency("tribuo", "4.3.2").build());
    assertThat(v1.signature().orElseThrow().inputs()).extracting(Signature.Field::name).containsExactly("tenure", "plan");
    assertThat(v1.signature().orElseThrow().outputs().get(0).shape()).containsExactly(-1L, 2L);
    assertThat(text(target, v1, "conf/preprocessor.json")).isEqualTo("{\"steps\": []}\n");
    assertThat(versions.get(1).lineage().parentVersion()).isEqualTo(1);
    assertThat(text(target, versions.get(2), "model.onnx")).isEqualTo("weights of v3\n");
    assertThat(target.verify().isClean()).isTrue();
  }

  @Test
  void exportingTheSameDataWritesExactlyTheGoldenStructure() throws IOException {
    Path written = dir.resolve("churn.zip");
    try (ModelRegistry source = fixture()) {
      ModelArchive.export(source, "churn", written);
    }
    Map<String, String> now = entries(written);
    Map<String, String> then = entries(golden());
    assertThat(now.keySet()).containsExactlyElementsOf(then.keySet());
    assertThat(JsonText.read(now.get(ModelArchive.INDEX), "new")).isEqualTo(JsonText.read(then.get(ModelArchive.INDEX), "golden"));
    now.remove(ModelArchive.INDEX);
    then.remove(ModelArchive.INDEX);
    assertThat(now).isEqualTo(then);
  }

  @Test
  void theReadableCopyOfTheGoldenIndexIsTheIndexInTheZip() throws IOException {
    Path readable = golden().resolveSibling("churn-format1.index.json");
    assertThat(entries(golden()).get(ModelArchive.INDEX)).isEqualTo(Files.readString(readable));
  }

  @Test
  void anExportReadBackIsTheSameModel() throws IOException {
    Path written = dir.resolve("churn.zip");
    try (ModelRegistry source = fixture()) {
      ModelArchive.export(source, "churn", written);
      ModelArchive.importInto(target, written, "churn-copy");
      assertThat(target.listVersions("churn-copy")).extracting(ModelVersion::digest)
          .containsExactlyElementsOf(source.listVersions("churn").stream().map(ModelVersion::digest).toList());
    }
    assertThat(target.resolve("models:/churn-copy@champion").number()).isEqualTo(2);
    assertThat(dir).isDirectoryNotContaining(p -> p.getFileName().toString().endsWith(".part"));
  }

  // ------------------------------------------------------------------ damage imports nothing

  private Path rewritten(Path from, String entry, UnaryOperator<byte[]> edit) throws IOException {
    Path to = dir.resolve("edited-" + Math.abs(entry.hashCode()) + ".zip");
    try (ZipFile in = new ZipFile(from.toFile()); OutputStream raw = Files.newOutputStream(to);
        ZipOutputStream out = new ZipOutputStream(raw)) {
      for (ZipEntry e : Collections.list(in.entries())) {
        byte[] bytes = in.getInputStream(e).readAllBytes();
        out.putNextEntry(new ZipEntry(e.getName()));
        out.write(e.getName().equals(entry) ? edit.apply(bytes) : bytes);
        out.closeEntry();
      }
    }
    return to;
  }

  private static byte[] flipLastBit(byte[] bytes) {
    byte[] copy = bytes.clone();
    copy[copy.length - 1] ^= 1;
    return copy;
  }

  @Test
  void oneFlippedBitInTheLastVersionsFileImportsNothingAndNamesBothDigests() throws IOException {
    Path damaged = rewritten(golden(), "versions/3/model.onnx", ModelArchiveTest::flipLastBit);

    assertThatThrownBy(() -> ModelArchive.importInto(target, damaged, null))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("nothing was imported")
        .hasMessageContaining("model.onnx of version 3 has 14 bytes with SHA-256 ")
        .hasMessageContaining("but the archive lists 14 bytes with SHA-256 d9ffc9888449b7c75717225701da82bbc44d94fccd734b0ccd705a864bf25500");
    assertThat(target.listModels()).isEmpty();
    assertThatThrownBy(() -> target.history("churn")).as("not even an event was written")
        .isInstanceOf(ModelNotFoundException.class);
  }

  @Test
  void intoAnExistingModelADamagedArchiveAddsNoVersion() throws IOException {
    target.register("churn", Registration.builder().bytes("x", utf8("x")).build());
    Path damaged = rewritten(golden(), "versions/3/model.onnx", ModelArchiveTest::flipLastBit);

    assertThatThrownBy(() -> ModelArchive.importInto(target, damaged, null)).isInstanceOf(IntegrityException.class);
    assertThat(target.listVersions("churn")).hasSize(1);
  }

  @Test
  void everyDamagedFileIsNamedAtOnce() throws IOException {
    Path once = rewritten(golden(), "versions/1/model.onnx", ModelArchiveTest::flipLastBit);
    Path twice = rewritten(once, "versions/2/model.onnx", b -> utf8("other length"));

    assertThatThrownBy(() -> ModelArchive.importInto(target, twice, null))
        .hasMessageContaining("model.onnx of version 1 has 14 bytes")
        .hasMessageContaining("model.onnx of version 2 has 12 bytes");
  }

  @Test
  void aFileTheIndexListsButTheZipLacksImportsNothing() throws IOException {
    Path source = dir.resolve("lacking.zip");
    try (ZipFile in = new ZipFile(golden().toFile()); OutputStream raw = Files.newOutputStream(source);
        ZipOutputStream out = new ZipOutputStream(raw)) {
      for (ZipEntry e : Collections.list(in.entries())) {
        if (!e.getName().equals("versions/3/model.onnx")) {
          out.putNextEntry(new ZipEntry(e.getName()));
          out.write(in.getInputStream(e).readAllBytes());
          out.closeEntry();
        }
      }
    }
    assertThatThrownBy(() -> ModelArchive.importInto(target, source, null))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("version 3 lists model.onnx but " + source + " does not contain it");
    assertThat(target.listModels()).isEmpty();
  }

  @Test
  void bytesThatChangeBetweenTheCheckAndTheRegistrationAreRolledBack() throws IOException {
    // four files: reads 1-4 check them, reads 5-8 register them; the eighth (version 3) arrives changed
    AtomicInteger reads = new AtomicInteger();
    UnaryOperator<InputStream> changeTheLastRead = in -> reads.incrementAndGet() == 8
        ? new ByteArrayInputStream(utf8("weights of v4\n")) : in;

    assertThatThrownBy(() -> ModelArchive.importInto(target, golden(), null, changeTheLastRead))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("Version 3 of 'churn' arrived with digest");
    assertThat(reads).hasValue(8);
    assertThat(target.findModel("churn")).isEmpty();
  }

  @Test
  void aRegistrationTheTargetRefusesRemovesTheVersionsRegisteredBefore() throws IOException {
    // semver is not covered by the digest: version 3 claims 1.0.1, below 1.1.0, which the target's rules refuse
    Path backwards = rewritten(golden(), ModelArchive.INDEX,
        b -> new String(b, StandardCharsets.UTF_8).replace("\"1.2.0-rc.1\"", "\"1.0.1\"").getBytes(StandardCharsets.UTF_8));
    target.register("churn", Registration.builder().bytes("x", utf8("x")).semver("0.9.0").build());

    assertThatThrownBy(() -> ModelArchive.importInto(target, backwards, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.0.1");
    assertThat(target.listVersions("churn")).extracting(ModelVersion::number).containsExactly(1);

    try (ModelRegistry empty = ModelRegistries.create(MemoryRegistryStore.create(), RegistryOptions.defaults())) {
      assertThatThrownBy(() -> ModelArchive.importInto(empty, backwards, null)).isInstanceOf(IllegalArgumentException.class);
      assertThat(empty.findModel("churn")).as("the model the import created is deleted again").isEmpty();
    }
  }

  // ------------------------------------------------------------------ bad input

  @Test
  void aFileThatIsNotAnArchiveIsRefusedWithWhatItLacks() throws IOException {
    Path text = Files.writeString(dir.resolve("notes.zip"), "not a zip");
    assertThatThrownBy(() -> ModelArchive.importInto(target, text, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a zip file");
    Path empty = dir.resolve("empty.zip");
    try (OutputStream raw = Files.newOutputStream(empty); ZipOutputStream out = new ZipOutputStream(raw)) {
      out.putNextEntry(new ZipEntry("readme.txt"));
      out.closeEntry();
    }
    assertThatThrownBy(() -> ModelArchive.importInto(target, empty, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("it has no modelreg-export.json");
  }

  @Test
  void anotherFormatIsRefusedNamingTheOneThisCodeReads() throws IOException {
    Path future = rewritten(golden(), ModelArchive.INDEX,
        b -> new String(b, StandardCharsets.UTF_8).replace("\"format\" : 1", "\"format\" : 2").getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> ModelArchive.importInto(target, future, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith("has archive format 2; this modelreg reads 1");
  }

  @Test
  void aPathThatEscapesIsRefusedBeforeAnythingIsRead() throws IOException {
    Path escaping = rewritten(golden(), ModelArchive.INDEX,
        b -> new String(b, StandardCharsets.UTF_8).replace("\"conf/preprocessor.json\"", "\"../../evil\"")
            .getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> ModelArchive.importInto(target, escaping, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("..");
    assertThat(target.listModels()).isEmpty();
  }

  @Test
  void anIndexThatIsNotJsonOrIsHandEditedIsReportedAsDamage() throws IOException {
    Path truncated = rewritten(golden(), ModelArchive.INDEX, b -> java.util.Arrays.copyOf(b, 100));
    assertThatThrownBy(() -> ModelArchive.importInto(target, truncated, null))
        .isInstanceOf(IntegrityException.class).hasMessageContaining("modelreg-export.json) is not valid JSON");
    Path edited = rewritten(golden(), ModelArchive.INDEX,
        b -> new String(b, StandardCharsets.UTF_8).replace("\"size\" : 14", "\"size\" : 15").getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> ModelArchive.importInto(target, edited, null))
        .isInstanceOf(IntegrityException.class).hasMessageContaining("has digest").hasMessageContaining("but the archive says");
    assertThat(target.listModels()).isEmpty();
  }

  @Test
  void anInvalidTargetNameIsRefusedBeforeTheFileIsOpened() {
    assertThatThrownBy(() -> ModelArchive.importInto(target, dir.resolve("absent.zip"), "../x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model name");
  }

  @Test
  void exportingAModelThatDoesNotExistWritesNoFile() {
    Path out = dir.resolve("none.zip");
    assertThatThrownBy(() -> ModelArchive.export(target, "none", out)).isInstanceOf(ModelNotFoundException.class);
    assertThat(out).doesNotExist();
  }
}
