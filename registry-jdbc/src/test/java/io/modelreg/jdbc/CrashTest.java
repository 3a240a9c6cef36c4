package io.modelreg.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.GcReport;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A child JVM registering multi-chunk artifacts is killed hard (SIGKILL) at random instants, trial after trial,
 * on one registry. After each kill: no half-visible version, every version the child reported committed is
 * there unchanged, {@code verify} is clean, and the next registration goes through. One trial kills the child
 * in the middle of an upload for certain; {@code gc} then reclaims the chunks it left.
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
    String schema = TestDatabase.newSchema("crash");
    String url = TestDatabase.url();
    long seed = System.nanoTime();
    Random random = new Random(seed);
    Map<Integer, String> committed = new HashMap<>();
    for (int trial = 0; trial < TRIALS; trial++) {
      boolean midUpload = trial == 0;
      long delayMillis = midUpload ? 0 : random.nextInt(600);
      String context = "seed " + seed + ", trial " + trial + (midUpload ? ", killed mid-upload"
          : ", killed " + delayMillis + " ms after its first registration");
      String[] args = midUpload
          ? new String[] {url, schema, "crashy", "1", "t" + trial, Integer.toString(SIZE), Integer.toString(2 * DatabaseBlobs.CHUNK + 7)}
          : new String[] {url, schema, "crashy", "100000", "t" + trial, Integer.toString(SIZE)};
      try (ChildProcess child = new ChildProcess(ChildRegistrar.class, args)) {
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
        assertThat(orphanContents(schema)).as("chunks left by the writer killed mid-upload; " + context).isPositive();
      }

      try (ModelRegistry registry = ModelRegistries.open(url, TestDatabase.options(schema).cacheTtl(Duration.ZERO).build())) {
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
        .hasSizeGreaterThanOrEqualTo(2 * TRIALS - 1);

    try (ModelRegistry registry = ModelRegistries.open(url, TestDatabase.options(schema).cacheTtl(Duration.ZERO).build())) {
      // the server drops a killed client's session (and its upload lock) once it notices the closed socket
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      GcReport report;
      do {
        report = registry.gc();
      } while ((orphanContents(schema) > 0 || uploads(schema) > 0) && System.nanoTime() < deadline);
      assertThat(orphanContents(schema)).as("orphaned chunks after gc; last report " + report).isZero();
      assertThat(uploads(schema)).as("upload sessions of dead writers after gc").isZero();
      assertThat(registry.verify().problems()).isEmpty();
      for (ModelVersion v : registry.listVersions("crashy")) {
        try (InputStream in = registry.openArtifact(v, "model.bin")) {
          assertThat(in.readAllBytes()).as("bytes of %s after gc", v.uri()).isNotEmpty();
        }
      }
    }
  }

  private static long orphanContents(String schema) throws SQLException {
    return count(schema, "SELECT count(*) FROM contents c WHERE NOT EXISTS (SELECT 1 FROM blobs b WHERE b.content_id = c.id)");
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
