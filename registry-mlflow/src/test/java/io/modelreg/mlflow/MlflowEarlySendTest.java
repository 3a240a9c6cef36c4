package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A file whose size is known is PUT as its bytes come (issue 12, P8-real register): the transfer overlaps reading
 * and hashing, and whatever goes wrong with that early PUT — a failure, a size that was not the one announced, a
 * registration abandoned midway — ends with exactly the bytes written stored, or nothing.
 */
class MlflowEarlySendTest extends StandInServerTest {
  private static final int MIB = 1 << 20;
  private ModelRegistry registry;
  private final List<String> puts = new CopyOnWriteArrayList<>();

  @BeforeEach
  void open() {
    registry = ModelRegistries.open(server.uri().toString(), RegistryOptions.builder().cacheTtl(Duration.ZERO).build());
    server.onArrival = r -> {
      if (r.startsWith("PUT ")) {
        puts.add(r);
      }
    };
  }

  @AfterEach
  void close() {
    server.onArrival = null;
    server.failMatching = null;
    registry.close();
  }

  private static byte[] random(int size, int seed) {
    byte[] bytes = new byte[size];
    new SplittableRandom(seed).nextBytes(bytes);
    return bytes;
  }

  /** A source that says it has {@code announced} bytes and gives {@code bytes}, calling {@code midway} halfway. */
  private static Registration.ContentSource source(byte[] bytes, long announced, Runnable midway) {
    return new Registration.ContentSource() {
      @Override
      public InputStream open() {
        int half = bytes.length / 2;
        InputStream second = new InputStream() {
          private final InputStream rest = new ByteArrayInputStream(bytes, half, bytes.length - half);
          private boolean called;

          @Override
          public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (!called) {
              called = true;
              midway.run();
            }
            return rest.read(b, off, len);
          }
        };
        return new SequenceInputStream(new ByteArrayInputStream(bytes, 0, half), second);
      }

      @Override
      public long size() {
        return announced;
      }
    };
  }

  private byte[] stored(ModelVersion v) throws IOException {
    try (InputStream in = registry.openArtifact(v, "model.bin")) {
      return in.readAllBytes();
    }
  }

  @Test
  void aFileOfKnownSizeIsPutWhileItIsStillBeingReadAndOnlyOnce() throws Exception {
    byte[] bytes = random(3 * MIB, 1);
    CountDownLatch putBegun = new CountDownLatch(1);
    server.onArrival = r -> {
      if (r.startsWith("PUT ")) {
        puts.add(r);
        putBegun.countDown();
      }
    };
    boolean[] sawPutMidway = new boolean[1];
    ModelVersion v = registry.register("early", Registration.builder().stream("model.bin", source(bytes, bytes.length, () -> {
      try {
        // the PUT is on its way before the second half of the file has been read
        sawPutMidway[0] = putBegun.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    })).build());
    assertThat(sawPutMidway[0]).isTrue();
    assertThat(puts).hasSize(1);
    assertThat(stored(v)).isEqualTo(bytes);
    assertThat(registry.verify().isClean()).isTrue();
  }

  @Test
  void aSmallFileOrOneOfUnknownSizeIsPutOnceWhenCommitted() throws Exception {
    byte[] small = random(MIB / 2, 2);
    byte[] unknown = random(3 * MIB, 3);
    int[] putsMidway = {-1, -1};
    ModelVersion a = registry.register("late", Registration.builder().stream("model.bin",
        source(small, small.length, () -> putsMidway[0] = puts.size())).build());
    ModelVersion b = registry.register("late", Registration.builder().stream("model.bin",
        source(unknown, -1, () -> putsMidway[1] = puts.size())).build());
    assertThat(putsMidway).containsExactly(0, 1); // neither PUT had begun while its file was read
    assertThat(puts).hasSize(2);
    assertThat(stored(a)).isEqualTo(small);
    assertThat(stored(b)).isEqualTo(unknown);
  }

  @Test
  void aSizeThatWasNotTheOneAnnouncedStoresTheBytesWritten() throws Exception {
    byte[] longer = random(3 * MIB + 11, 4);
    byte[] shorter = random(2 * MIB - 7, 5);
    ModelVersion a = registry.register("sizes", Registration.builder().stream("model.bin",
        source(longer, 2 * MIB, () -> { })).build());
    ModelVersion b = registry.register("sizes", Registration.builder().stream("model.bin",
        source(shorter, 3 * MIB, () -> { })).build());
    assertThat(stored(a)).isEqualTo(longer);
    assertThat(stored(b)).isEqualTo(shorter);
    assertThat(a.manifest().files().get(0).size()).isEqualTo(longer.length);
    assertThat(registry.verify().isClean()).isTrue();
  }

  @Test
  void aFailedEarlyPutIsSentAgainAndALargerFileGoesThroughItsSpoolFile() throws Exception {
    byte[] bytes = random(3 * MIB, 6);
    AtomicInteger failed = new AtomicInteger();
    server.failMatching = r -> r.startsWith("PUT ") && failed.incrementAndGet() == 1;
    ModelVersion v = registry.register("again", Registration.builder().bytes("model.bin", bytes).build());
    server.failMatching = null;
    assertThat(puts).hasSize(2);
    assertThat(stored(v)).isEqualTo(bytes);
    try (ModelRegistry small = ModelRegistries.open(server.uri().toString(), RegistryOptions.builder()
        .cacheTtl(Duration.ZERO).storeOption("mlflow.upload-memory-mib", "2").build())) {
      // announced within memory, then past it: the early PUT is abandoned and the spool file sent
      byte[] grown = random(5 * MIB, 7);
      ModelVersion g = small.register("again", Registration.builder().stream("model.bin",
          source(grown, MIB + 1, () -> { })).build());
      try (InputStream in = small.openArtifact(g, "model.bin")) {
        assertThat(in.readAllBytes()).isEqualTo(grown);
      }
    }
  }

  @Test
  void aRegistrationAbandonedMidwayStoresNoVersionAndNoFile() throws Exception {
    byte[] bytes = random(3 * MIB, 8);
    Registration.ContentSource failing = source(bytes, bytes.length, () -> {
      throw new java.io.UncheckedIOException(new IOException("disk on fire"));
    });
    assertThatThrownBy(() -> registry.register("abandoned", Registration.builder().stream("model.bin", failing).build()))
        .hasMessageContaining("disk on fire");
    assertThat(registry.findModel("abandoned").map(m -> registry.listVersions("abandoned"))).isEmpty();
    JsonNode uploads = MlflowStoreCompatibilityTest.httpOn(server.uri()).listArtifacts(ArtifactRuns.FILES + "/abandoned");
    for (JsonNode dir : uploads.path("files")) {
      JsonNode files = MlflowStoreCompatibilityTest.httpOn(server.uri())
          .listArtifacts(ArtifactRuns.FILES + "/abandoned/" + dir.path("path").asText()).path("files");
      assertThat(files).as("files of the abandoned upload").isEmpty();
    }
  }
}
