package io.modelreg.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.ArtifactEntry;
import io.modelreg.Digest;
import io.modelreg.IntegrityException;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.RegistryException;
import io.modelreg.RegistryOptions;
import io.modelreg.spi.ArtifactUpload;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artifact bytes in a blob directory ({@code jdbc.blobs}): how the option is validated, that the bytes land in the
 * {@code file:} store's layout and nowhere else, that a directory belongs to one registry, that bytes damaged on
 * disk fail the read, what gc reclaims and keeps, and a registry moving from database bytes to a directory.
 */
@ExtendWith(RequiresPostgres.class)
class SharedDirectoryTest {
  @TempDir Path temp;
  private final List<String> schemas = new ArrayList<>();

  /** A migrated, emptied schema (recycled as the kit's are: a migration per test would cost more than the test). */
  private String schema() {
    String schema = TestDatabase.recycledSchema("dir");
    schemas.add(schema);
    return schema;
  }

  @AfterEach
  void giveSchemasBack() {
    TestDatabase.giveBack(schemas); // every test closed its stores
  }

  private static ModelRegistry open(String schema, Path blobs) {
    return ModelRegistries.open(TestDatabase.url(), TestDatabase.options(schema, blobs).cacheTtl(Duration.ZERO).build());
  }

  @Test
  void aBadDirectoryIsRefusedNamingTheOptionAndWhatIsAllowed() throws Exception {
    URI unreachable = URI.create("jdbc:postgresql://127.0.0.1:1/ml"); // the option is checked before connecting
    Path file = Files.writeString(temp.resolve("a-file"), "x");
    for (String[] bad : new String[][] {
        {"blobs", "relative path"},
        {file.toString(), "is a file"},
        {file.resolve("below").toString(), "cannot be created"},
        {"/tmp/a\0b", "not a path"}}) {
      assertThatThrownBy(() -> new JdbcRegistryProvider().open(unreachable,
          RegistryOptions.builder().storeOption(JdbcRegistryProvider.BLOBS, bad[0]).build()))
          .as(bad[0])
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("jdbc.blobs (URI parameter modelreg.blobs) must be the absolute path of a directory that exists or can be created"
              + " and that this process can write")
          .hasMessageContaining(bad[1]);
    }
  }

  @Test
  void theUriParameterNamesTheDirectoryToo() throws Exception {
    String url = "jdbc:postgresql://db:5432/ml?user=me&modelreg.blobs=%2Fmnt%2Fmodel%20blobs&ssl=true";
    assertThat(JdbcRegistryProvider.withoutParameter(url, JdbcRegistryProvider.BLOBS_PARAMETER))
        .isEqualTo("jdbc:postgresql://db:5432/ml?user=me&ssl=true");
    assertThat(JdbcRegistryProvider.blobsOption(url, RegistryOptions.defaults())).isEqualTo("/mnt/model blobs");
    assertThat(JdbcRegistryProvider.withoutParameter("jdbc:postgresql://db/ml?modelreg.blobs=/x", "modelreg.blobs"))
        .isEqualTo("jdbc:postgresql://db/ml");
    assertThatThrownBy(() -> JdbcRegistryProvider.blobsOption(url,
        RegistryOptions.builder().storeOption(JdbcRegistryProvider.BLOBS, "/elsewhere").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("different blob directories");

    TestDatabase.require();
    String schema = schema();
    Path blobs = temp.resolve("by-uri");
    String withParameter = TestDatabase.url() + (TestDatabase.url().contains("?") ? "&" : "?")
        + "modelreg.blobs=" + java.net.URLEncoder.encode(blobs.toString(), StandardCharsets.UTF_8);
    try (ModelRegistry registry = ModelRegistries.open(withParameter, TestDatabase.options(schema).build())) {
      ModelVersion v = registry.register("m", Registration.builder().bytes("a", bytes("by uri")).build());
      assertThat(CrashTest.blobFile(blobs, v.manifest().files().get(0).digest())).hasBinaryContent(bytes("by uri"));
    }
  }

  @Test
  void bytesLandInTheFileStoresLayoutAndNowhereElse() throws Exception {
    TestDatabase.require();
    String schema = schema();
    Path blobs = temp.resolve("shared/blobs-of-ml"); // created with its parents
    byte[] big = new byte[DatabaseBlobs.CHUNK * 3 / 2];
    new Random(7).nextBytes(big);
    try (ModelRegistry registry = open(schema, blobs)) {
      ModelVersion v = registry.register("m", Registration.builder().bytes("model.bin", big)
          .bytes("conf/settings.txt", "c".getBytes(StandardCharsets.UTF_8)).build());
      Set<String> expected = new HashSet<>(Set.of(SharedDirectory.MARKER));
      for (ArtifactEntry e : v.manifest().files()) {
        expected.add("blobs/sha256/" + e.digest().hex().substring(0, 2) + "/" + e.digest().hex());
      }
      try (Stream<Path> files = Files.walk(blobs)) {
        assertThat(files.filter(Files::isRegularFile).map(f -> blobs.relativize(f).toString()).collect(Collectors.toSet()))
            .as("every file in the directory: the marker and one blob per content, no temp file left")
            .isEqualTo(expected);
      }
      assertThat(CrashTest.count(schema, "SELECT count(*) FROM chunks")).as("bytes in the database").isZero();
      assertThat(CrashTest.count(schema, "SELECT count(*) FROM blobs WHERE content_id IS NULL")).isEqualTo(2);
      try (InputStream in = registry.openArtifact(v, "model.bin")) {
        assertThat(in.readAllBytes()).isEqualTo(big);
      }
      assertThat(registry.verify().problems()).isEmpty();
    }
  }

  @Test
  void aDirectoryBelongsToOneRegistry() {
    TestDatabase.require();
    String first = schema();
    String second = schema();
    Path blobs = temp.resolve("blobs");
    try (ModelRegistry registry = open(first, blobs)) {
      registry.register("m", Registration.builder().bytes("a", new byte[] {1}).build());
    }
    assertThatThrownBy(() -> open(second, blobs))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining(blobs.toString())
        .hasMessageContaining("belongs to another registry")
        .hasMessageContaining("give each jdbc: registry a directory of its own");
    try (ModelRegistry again = open(first, blobs)) {
      assertThat(again.listVersions("m")).hasSize(1);
    }
  }

  @Test
  void bytesDamagedOnDiskFailTheReadAndVerify() throws Exception {
    TestDatabase.require();
    String schema = schema();
    Path blobs = temp.resolve("blobs");
    try (ModelRegistry registry = open(schema, blobs)) {
      ModelVersion v = registry.register("m", Registration.builder()
          .bytes("model.bin", "the weights".getBytes(StandardCharsets.UTF_8)).build());
      Path file = CrashTest.blobFile(blobs, v.manifest().files().get(0).digest());
      byte[] bytes = Files.readAllBytes(file);
      bytes[3] ^= 0x10;
      Files.write(file, bytes);
      assertThatThrownBy(() -> {
        try (InputStream in = registry.openArtifact(v, "model.bin")) {
          in.readAllBytes();
        }
      }).isInstanceOf(IntegrityException.class);
      assertThat(registry.verify().problems()).anySatisfy(p -> assertThat(p).contains(file.toString()).contains("damaged"));
    }
  }

  @Test
  void gcReclaimsFilesNoRowNamesAndTempFilesOfEndedUploadsButNotALiveUploadsBytes() throws Exception {
    TestDatabase.require();
    String schema = schema();
    Path blobs = temp.resolve("blobs");
    try (ModelRegistry registry = open(schema, blobs); JdbcRegistryStore store = TestDatabase.open(schema, blobs)) {
      ModelVersion kept = registry.register("m", Registration.builder().bytes("a", bytes("kept")).build());
      ModelVersion gone = registry.register("m", Registration.builder().bytes("a", bytes("gone")).build());
      registry.deleteVersion("m", gone.number());
      Digest orphan = Digest.of(bytes("renamed, never committed"));
      Files.createDirectories(CrashTest.blobFile(blobs, orphan).getParent());
      Files.write(CrashTest.blobFile(blobs, orphan), bytes("renamed, never committed"));
      Path deadTemp = Files.writeString(blobs.resolve("tmp/blob-u999999-0.tmp"), "a dead upload's");
      Path unknownTemp = Files.writeString(blobs.resolve("tmp/hand-made.tmp"), "no writer named, fresh");
      Path oldMarkerTemp = Files.writeString(blobs.resolve("tmp/marker-123-0.tmp"), "left by a crash two days ago");
      Files.setLastModifiedTime(oldMarkerTemp, java.nio.file.attribute.FileTime.from(
          java.time.Instant.now().minus(Duration.ofDays(2))));

      try (ArtifactUpload upload = store.beginUpload("m")) {
        ArtifactUpload.Sink sink = upload.open("pending.bin");
        sink.write(bytes("pending"));
        Path liveTemp;
        try (Stream<Path> t = Files.list(blobs.resolve("tmp"))) {
          liveTemp = t.filter(f -> f.getFileName().toString().startsWith("blob-u") && !f.equals(deadTemp))
              .findFirst().orElseThrow();
        }
        registry.gc();
        assertThat(CrashTest.blobFile(blobs, kept.manifest().files().get(0).digest())).exists();
        assertThat(CrashTest.blobFile(blobs, gone.manifest().files().get(0).digest())).as("a deleted version's").doesNotExist();
        assertThat(CrashTest.blobFile(blobs, orphan)).as("a file no row names").doesNotExist();
        assertThat(deadTemp).as("the temp file of an upload that ended").doesNotExist();
        assertThat(unknownTemp).as("a temp file of an unknown writer, less than a day old").exists();
        assertThat(oldMarkerTemp).as("a temp file not of an upload, older than a day").doesNotExist();
        assertThat(liveTemp).as("the temp file of a live upload").exists();

        Digest pending = Digest.of(bytes("pending"));
        sink.commit(pending, bytes("pending").length);
        registry.gc();
        assertThat(CrashTest.blobFile(blobs, pending)).as("committed by a live upload, named by no version yet").exists();
        sink.close();
      }
      registry.gc();
      assertThat(Files.list(blobs.resolve("blobs/sha256")).flatMap(SharedDirectoryTest::list).count())
          .as("only the kept version's blob is left once the upload closed").isEqualTo(1);
      assertThat(registry.verify().problems()).isEmpty();
    }
  }

  @Test
  void aRegistryMovesFromDatabaseBytesToADirectory() throws Exception {
    TestDatabase.require();
    String schema = schema();
    Path blobs = temp.resolve("blobs");
    ModelVersion before;
    try (ModelRegistry registry = ModelRegistries.open(TestDatabase.url(), TestDatabase.options(schema).build())) {
      before = registry.register("m", Registration.builder().bytes("a", bytes("in the database")).build());
    }
    ModelVersion after;
    try (ModelRegistry registry = open(schema, blobs)) {
      after = registry.register("m", Registration.builder().bytes("a", bytes("in the directory")).build());
      try (InputStream in = registry.openArtifact(before, "a")) {
        assertThat(in.readAllBytes()).isEqualTo(bytes("in the database"));
      }
      try (InputStream in = registry.openArtifact(after, "a")) {
        assertThat(in.readAllBytes()).isEqualTo(bytes("in the directory"));
      }
      assertThat(registry.verify().problems()).isEmpty();
    }
    try (ModelRegistry registry = ModelRegistries.open(TestDatabase.url(), TestDatabase.options(schema).build())) {
      assertThatThrownBy(() -> registry.openArtifact(after, "a").close())
          .isInstanceOf(RegistryException.class).hasMessageContaining("jdbc.blobs");
      registry.gc(); // without the directory, its blobs are left alone
    }
    try (ModelRegistry registry = open(schema, blobs)) {
      try (InputStream in = registry.openArtifact(after, "a")) {
        assertThat(in.readAllBytes()).isEqualTo(bytes("in the directory"));
      }
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static Stream<Path> list(Path dir) {
    try {
      return Files.list(dir).collect(Collectors.toList()).stream();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
