package io.modelreg.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.GcReport;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.testkit.ChildJvm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM registering multi-chunk artifacts is killed hard (SIGKILL) at random instants, trial after trial,
 * on one registry. After each kill: no half-visible version, every version the child reported committed is
 * there unchanged, {@code verify} is clean, and the next registration goes through. One trial kills the child
 * in the middle of an upload for certain; {@code gc} then reclaims the chunks it left. The same runs, with fewer
 * trials, with the bytes in a blob directory ({@code jdbc.blobs}): there the dead upload leaves a temp file, and
 * a writer killed between renaming a blob into place and committing its row leaves a file no row names; {@code
 * gc} reclaims both.
 */
@ExtendWith(RequiresPostgres.class)
class CrashTest {
  private static final int TRIALS = 6;
  private static final int SIZE = 3 * DatabaseBlobs.CHUNK + 12_345;

  @BeforeEach
  void database() {
    TestDatabase.require(); // each test shows as skipped, with the reason, when there is no server
  }

  @Test
  void killingAWriterAtAnyInstantLeavesAConsistentRegistryAndGcReclaimsWhatItLeft() throws Exception {
    killWriters(TRIALS, null);
  }

  @Test
  void killingAWriterIntoABlobDirectoryLeavesAConsistentRegistryAndGcReclaimsItsFiles(@TempDir Path blobs)
      throws Exception {
    killWriters(2, blobs); // what the directory adds is in the first kill (mid-upload) and the gc at the end
  }

  private void killWriters(int trials, @Nullable Path blobs) throws Exception {
    String schema = TestDatabase.newSchema("crash");
    String url = TestDatabase.url();
    long seed = System.nanoTime();
    Random random = new Random(seed);
    Map<Integer, String> committed = new HashMap<>();
    List<String> blobArgs = blobs == null ? List.of() : List.of("-1", blobs.toString());
    for (int trial = 0; trial < trials; trial++) {
      boolean midUpload = trial == 0;
      long delayMillis = midUpload ? 0 : random.nextInt(600);
      String context = "seed " + seed + ", trial " + trial + (midUpload ? ", killed mid-upload"
          : ", killed " + delayMillis + " ms after its first registration");
      List<String> argList = new ArrayList<>(midUpload
          ? List.of(url, schema, "crashy", "1", "t" + trial, Integer.toString(SIZE), Integer.toString(2 * DatabaseBlobs.CHUNK + 7))
          : List.of(url, schema, "crashy", "100000", "t" + trial, Integer.toString(SIZE)));
      if (blobs != null) {
        argList.addAll(midUpload ? List.of(blobs.toString()) : blobArgs);
      }
      String[] args = argList.toArray(new String[0]);
      try (ChildJvm child = new ChildJvm(ChildRegistrar.class, args)) {
        assertThat(child.awaitLine("READY", 120)).as(context + "; output " + child.lines()).isTrue();
        if (midUpload) {
          assertThat(child.awaitLine("HALFWAY", 120)).as(context).isTrue();
        } else {
          // a first commit, so every trial also kills a writer that has made progress (on a loaded machine the
          // first registration can take seconds), then a random instant among the next registrations
          assertThat(child.awaitLine(l -> l.startsWith("REGISTERED "), 120)).as(context).isTrue();
          Thread.sleep(delayMillis); // the instant of the kill is the point of the test, not a wait for a result
        }
        child.kill();
        for (String line : child.lines()) {
          if (line.startsWith("REGISTERED ")) {
            String[] parts = line.split(" ");
            committed.put(Integer.parseInt(parts[1]), parts[2]);
          }
        }
      }
      if (midUpload) {
        assertThat(leftovers(schema, blobs)).as("bytes left by the writer killed mid-upload; " + context).isPositive();
      }

      try (ModelRegistry registry = ModelRegistries.open(url, TestDatabase.options(schema, blobs).cacheTtl(Duration.ZERO).build())) {
        assertThat(registry.verify().problems()).as(context).isEmpty();
        Map<Integer, String> visible = new HashMap<>();
        if (registry.findModel("crashy").isPresent()) {
          for (ModelVersion v : registry.listVersions("crashy")) {
            visible.put(v.number(), v.digest().toString());
            String origin = Objects.requireNonNull(v.tags().get("origin"), "origin tag");
            try (InputStream in = registry.openArtifact(v, "model.bin")) {
              byte[] expected = origin.startsWith("parent ") ? origin.getBytes(StandardCharsets.UTF_8)
                  : ChildRegistrar.payload(origin, SIZE).readAllBytes();
              assertThat(Arrays.equals(in.readAllBytes(), expected)).as("bytes of %s; %s", v.uri(), context).isTrue();
            }
          }
        }
        assertThat(visible).as("every version reported committed is there, unchanged; " + context)
            .containsAllEntriesOf(committed);
        committed.putAll(visible);
        String origin = "parent after trial " + trial;
        ModelVersion next = registry.register("crashy", Registration.builder()
            .bytes("model.bin", origin.getBytes(StandardCharsets.UTF_8)).tag("origin", origin).build());
        committed.put(next.number(), next.digest().toString());
      }
    }
    assertThat(committed).as("the children's and the parent's registrations (seed " + seed + ")")
        .hasSizeGreaterThanOrEqualTo(2 * trials - 1);

    if (blobs != null) {
      // a writer killed after renaming a blob into place and before committing its row leaves a file no row
      // names: one such file, made by hand because the instant is too narrow to hit by chance
      byte[] bytes = "renamed, never committed".getBytes(StandardCharsets.UTF_8);
      Path orphan = blobFile(blobs, io.modelreg.Digest.of(bytes));
      Files.createDirectories(orphan.getParent());
      Files.write(orphan, bytes);
    }
    try (ModelRegistry registry = ModelRegistries.open(url, TestDatabase.options(schema, blobs).cacheTtl(Duration.ZERO).build())) {
      // the server drops a killed client's session (and its upload lock) once it notices the closed socket
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      GcReport report;
      do {
        report = registry.gc();
      } while ((leftovers(schema, blobs) > 0 || uploads(schema) > 0) && System.nanoTime() < deadline);
      assertThat(leftovers(schema, blobs)).as("orphaned chunks or files after gc; last report " + report).isZero();
      assertThat(uploads(schema)).as("upload sessions of dead writers after gc").isZero();
      assertThat(registry.verify().problems()).isEmpty();
      for (ModelVersion v : registry.listVersions("crashy")) {
        try (InputStream in = registry.openArtifact(v, "model.bin")) {
          assertThat(in.readAllBytes()).as("bytes of %s after gc", v.uri()).isNotEmpty();
        }
      }
    }
  }

  /** Chunks no blob names, or with a blob directory, temp files and blob files no row names. */
  private static long leftovers(String schema, @Nullable Path blobs) throws SQLException, IOException {
    long contents = count(schema, "SELECT count(*) FROM contents c WHERE NOT EXISTS (SELECT 1 FROM blobs b WHERE b.content_id = c.id)");
    if (blobs == null) {
      return contents;
    }
    long files = 0;
    try (Stream<Path> temps = Files.list(blobs.resolve("tmp"))) {
      files += temps.count();
    }
    Set<String> rows = new HashSet<>();
    try (Connection c = TestDatabase.connect(schema); Statement s = c.createStatement();
         ResultSet r = s.executeQuery("SELECT digest FROM blobs")) {
      while (r.next()) {
        rows.add(r.getString(1));
      }
    }
    try (Stream<Path> all = Files.walk(blobs.resolve("blobs"))) {
      files += all.filter(Files::isRegularFile).filter(f -> !rows.contains(String.valueOf(f.getFileName()))).count();
    }
    return contents + files;
  }

  static Path blobFile(Path blobs, io.modelreg.Digest digest) {
    return blobs.resolve("blobs").resolve("sha256").resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
  }

  private static long uploads(String schema) throws SQLException {
    return count(schema, "SELECT count(*) FROM uploads");
  }

  static long count(String schema, String sql) throws SQLException {
    try (Connection c = TestDatabase.connect(schema); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }
}
