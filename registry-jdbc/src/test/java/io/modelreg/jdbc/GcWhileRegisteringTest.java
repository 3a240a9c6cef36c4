package io.modelreg.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gc} running in a loop on one client while two others register (some bytes new, some the same as an
 * earlier version's, some of a version deleted meanwhile, so gc has garbage to collect): every registered version
 * keeps all its bytes. Run with the bytes in the database and in a blob directory ({@code jdbc.blobs}), where a
 * blob's file and row change only under a per-digest lock that gc takes too.
 */
@ExtendWith(RequiresPostgres.class)
class GcWhileRegisteringTest {
  @BeforeEach
  void database() {
    TestDatabase.require(); // each test shows as skipped, with the reason, when there is no server
  }

  @Test
  void gcNeverDeletesBytesARegistrationIsAboutToReference() throws Exception {
    gcWhileRegistering(null);
  }

  @Test
  void gcNeverDeletesFilesARegistrationIsAboutToReferenceInABlobDirectory(@TempDir Path blobs) throws Exception {
    gcWhileRegistering(blobs);
  }

  private void gcWhileRegistering(@Nullable Path blobs) throws Exception {
    String schema = TestDatabase.newSchema("gcrace");
    try (ModelRegistry collector = ModelRegistries.open(TestDatabase.url(), TestDatabase.options(schema, blobs).build());
         ModelRegistry a = ModelRegistries.open(TestDatabase.url(), TestDatabase.options(schema, blobs).cacheTtl(Duration.ZERO).build());
         ModelRegistry b = ModelRegistries.open(TestDatabase.url(), TestDatabase.options(schema, blobs).cacheTtl(Duration.ZERO).build())) {
      AtomicBoolean done = new AtomicBoolean();
      ExecutorService threads = Executors.newFixedThreadPool(3);
      try {
        Future<Integer> gc = threads.submit(() -> {
          int runs = 0;
          while (!done.get()) {
            collector.gc();
            runs++;
          }
          return runs;
        });
        List<Future<?>> writers = new ArrayList<>();
        for (ModelRegistry r : List.of(a, b)) {
          String model = r == a ? "a" : "b";
          writers.add(threads.submit(() -> {
            for (int i = 0; i < 25; i++) {
              // shared content, registered by both writers again and again, and deleted versions' content
              ModelVersion v = r.register(model, Registration.builder()
                  .bytes("shared.bin", ("shared " + (i % 3)).getBytes(StandardCharsets.UTF_8))
                  .bytes("own.bin", (model + " " + i).getBytes(StandardCharsets.UTF_8)).build());
              if (i % 4 == 3) {
                r.deleteVersion(model, v.number());
              }
            }
            return null;
          }));
        }
        for (Future<?> w : writers) {
          w.get();
        }
        done.set(true);
        assertThat(gc.get()).as("gc runs during the registrations").isPositive();
      } finally {
        done.set(true);
        threads.shutdownNow();
      }
      collector.gc();
      for (ModelRegistry r : List.of(a, b)) {
        String model = r == a ? "a" : "b";
        for (ModelVersion v : r.listVersions(model)) {
          for (String path : List.of("shared.bin", "own.bin")) {
            try (InputStream in = r.openArtifact(v, path)) {
              assertThat(in.readAllBytes()).as("%s of %s", path, v.uri()).isNotEmpty();
            }
          }
        }
      }
      assertThat(collector.verify().problems()).isEmpty();
    }
  }
}
