package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.Registration;
import io.modelreg.RegistryException;
import io.modelreg.RegistryOptions;
import io.modelreg.Stage;
import io.modelreg.TransientRegistryException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults between the store and the server: every failure ends in bounded time as a registry exception,
 * no half-done write is visible to another client, and repeating the call completes it.
 */
class MlflowStoreFaultTest extends StandInServerTest {
  private static ModelRegistry open(URI uri, Duration requestTimeout, int attempts) {
    MlflowRegistryStore store = new MlflowRegistryStore(new MlflowHttp(new MlflowHttp.Settings(uri,
        MlflowHttp.Settings.credentials(uri, null, null, null, false), Duration.ofSeconds(2), requestTimeout, attempts,
        Duration.ofMillis(10))));
    return ModelRegistries.create(store, RegistryOptions.builder().cacheTtl(Duration.ZERO).build());
  }

  private static Registration weights(String text) {
    return Registration.builder().bytes("model.bin", text.getBytes(StandardCharsets.UTF_8)).build();
  }

  @Test
  void aRegistrationMlflowKeepsPendingIsAwaitedAndAFailedOneIsTakenBack() {
    try (ModelRegistry registry = open(server.uri(), Duration.ofSeconds(5), 3)) {
      server.pendingPolls = 3;
      assertThat(registry.register("m", weights("slow copy")).status()).isEqualTo(io.modelreg.VersionStatus.READY);
      assertThat(registry.resolve("models:/m/latest").number()).isEqualTo(1);

      server.failRegistrations = true;
      assertThatThrownBy(() -> registry.register("m", weights("failed copy"))).isInstanceOf(RegistryException.class)
          .hasMessageContaining("access denied").hasMessageContaining("deleted");
      assertThat(registry.listVersions("m")).extracting(v -> v.number()).containsExactly(1);
      server.pendingPolls = 0;
      server.failRegistrations = false;
      assertThat(registry.register("m", weights("again")).number()).isEqualTo(3);
    }
  }

  @Test
  void aRegistrationPendingLongerThanTheWaitFailsAsTransientAndIsTakenBack() {
    try (ModelRegistry registry = ModelRegistries.open(server.uri().toString(), RegistryOptions.builder()
        .storeOption("mlflow.registration-wait", "PT0.3S").build())) {
      server.pendingPolls = 1_000;
      assertThatThrownBy(() -> registry.register("m", weights("stuck"))).isInstanceOf(TransientRegistryException.class)
          .hasMessageContaining("PENDING_REGISTRATION").hasMessageContaining("mlflow.registration-wait");
      assertThat(registry.listVersions("m")).isEmpty();
    }
  }

  @Test
  void aRecordEditedBehindModelregsBackIsFoundByVerifyInTheSameProcess() {
    try (ModelRegistry registry = ModelRegistries.open(server.uri().toString())) {
      registry.register("m", weights("the real weights"));
      assertThat(registry.resolve("models:/m/1").number()).isEqualTo(1); // parsed and cached
      assertThat(registry.verify().isClean()).isTrue();
      MlflowHttp raw = MlflowStoreCompatibilityTest.httpOn(server.uri());
      for (com.fasterxml.jackson.databind.JsonNode t : raw.get("model-versions/get", MlflowHttp.params("name", "m",
          "version", "1")).path("model_version").path("tags")) {
        String key = t.path("key").asText();
        if (key.startsWith("modelreg.record") && t.path("value").asText().contains("\"size\"")) {
          // someone edits the recorded size in the MLflow UI (the record fits in one tag, so it is the pointer tag
          // itself, and its generation stays as it was)
          raw.post("model-versions/set-tag", Map.of("name", "m", "version", "1", "key", key,
              "value", t.path("value").asText().replace("\"size\":16", "\"size\":17")));
        }
      }
      assertThat(registry.verify().problems()).isNotEmpty();
    }
  }

  @Test
  void aServerThatIsDownFailsAsTransientAfterTheConfiguredAttempts() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    try (ModelRegistry registry = open(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(2), 3)) {
      assertThatThrownBy(() -> registry.findModel("m"))
          .isInstanceOf(TransientRegistryException.class).hasMessageContaining("3 attempts");
    }
  }

  @Test
  void slowAnswersTimeOutAsTransient() {
    server.latencyMillis = 1_500;
    try (ModelRegistry registry = open(server.uri(), Duration.ofMillis(200), 2)) {
      assertThatThrownBy(() -> registry.findModel("m"))
          .isInstanceOf(TransientRegistryException.class).hasMessageContaining("2 attempts");
    }
  }

  @Test
  void stormsAndDroppedConnectionsShorterThanTheRetryBudgetAreInvisible() throws Exception {
    try (ModelRegistry registry = open(server.uri(), Duration.ofSeconds(5), 4)) {
      server.failNext.set(3);
      registry.register("m", weights("one"));
      server.dropNext.set(3);
      var v = registry.resolve("models:/m/1");
      try (var in = registry.openArtifact(v, "model.bin")) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("one");
      }
    }
  }

  /** Upload spool files this JVM left in the temp directory. */
  private static long spoolFiles() throws Exception {
    try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return files.filter(f -> f.getFileName().toString().startsWith("modelreg-mlflow")).count();
    }
  }

  @Test
  void aFailedPutIsSentAgainFromMemoryOrFromItsSpoolFileAndNothingIsLeftBehind() throws Exception {
    byte[] bytes = new byte[3 << 20];
    new java.util.SplittableRandom(3).nextBytes(bytes);
    long spooled = spoolFiles();
    // 16 MiB: held in memory; 1 MiB: spooled once past the first MiB; 0: spooled from the first byte
    for (String mib : List.of("16", "1", "0")) {
      AtomicInteger puts = new AtomicInteger();
      server.failMatching = r -> r.startsWith("PUT ") && puts.incrementAndGet() <= 2;
      try (ModelRegistry registry = ModelRegistries.open(server.uri().toString(), RegistryOptions.builder()
          .cacheTtl(Duration.ZERO).storeOption("mlflow.upload-memory-mib", mib).build())) {
        var v = registry.register("upload-" + mib, Registration.builder().bytes("model.bin", bytes).build());
        server.failMatching = null;
        assertThat(puts.get()).isEqualTo(3);
        try (var in = registry.openArtifact(v, "model.bin")) {
          assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
      } finally {
        server.failMatching = null;
      }
    }
    assertThat(spoolFiles()).isEqualTo(spooled);
  }

  @Test
  void blocksKeptFromOneUploadCarryNothingOfItIntoTheNext() throws Exception {
    java.util.SplittableRandom random = new java.util.SplittableRandom(5);
    // larger, then smaller and not block-aligned, then larger again; each with a PUT that fails once
    List<byte[]> files = new java.util.ArrayList<>();
    for (int size : new int[] {(3 << 20) + 17, (1 << 20) - 5, 700 << 10, (2 << 20) + (300 << 10)}) {
      byte[] bytes = new byte[size];
      random.nextBytes(bytes);
      files.add(bytes);
    }
    try (ModelRegistry registry = ModelRegistries.open(server.uri().toString(),
        RegistryOptions.builder().cacheTtl(Duration.ZERO).build())) {
      List<io.modelreg.ModelVersion> versions = new java.util.ArrayList<>();
      for (byte[] bytes : files) {
        AtomicInteger puts = new AtomicInteger();
        server.failMatching = r -> r.startsWith("PUT ") && puts.incrementAndGet() == 1;
        versions.add(registry.register("reuse", Registration.builder().bytes("model.bin", bytes).build()));
        server.failMatching = null;
      }
      for (int i = 0; i < files.size(); i++) {
        try (var in = registry.openArtifact(versions.get(i), "model.bin")) {
          assertThat(in.readAllBytes()).as("upload %d", i).isEqualTo(files.get(i));
        }
      }
      assertThat(registry.verify().isClean()).isTrue();
    } finally {
      server.failMatching = null;
    }
  }

  @Test
  void aPromotionCutOffBeforeItsCommitIsInvisibleAndRepeatingItCompletesIt() {
    try (ModelRegistry writer = open(server.uri(), Duration.ofSeconds(5), 2);
        ModelRegistry reader = open(server.uri(), Duration.ofSeconds(5), 2)) {
      writer.register("m", weights("one"));
      // The native stage and every tag but the commit pointer get through; the pointer does not.
      server.failMatching = r -> r.contains("registered-models/set-tag") && r.contains("\"key\":\"modelreg.state\"");
      assertThatThrownBy(() -> writer.transition("m", 1, Stage.STAGING)).isInstanceOf(TransientRegistryException.class);
      assertThat(reader.getVersion("m", 1).stage()).isEqualTo(Stage.DEVELOPMENT);

      server.failMatching = null;
      writer.transition("m", 1, Stage.STAGING);
      assertThat(reader.getVersion("m", 1).stage()).isEqualTo(Stage.STAGING);
      assertThat(reader.history("m")).extracting(e -> e.type().name()).contains("STAGE_CHANGED");
    }
  }

  @Test
  void aRegistrationCutOffBeforeTheVersionIsCreatedLeavesNoVersion() {
    try (ModelRegistry registry = open(server.uri(), Duration.ofSeconds(5), 2)) {
      registry.register("m", weights("one"));
      server.failMatching = r -> r.startsWith("POST /api/2.0/mlflow/model-versions/create");
      assertThatThrownBy(() -> registry.register("m", weights("two"))).isInstanceOf(TransientRegistryException.class);
      server.failMatching = null;
      assertThat(registry.listVersions("m")).extracting(v -> v.number()).containsExactly(1);
      assertThat(registry.register("m", weights("two")).number()).isEqualTo(2);
    }
  }

  @Test
  void aRegistrationWhoseGuessHeldIsCommittedByItsCreateAndWritesNoChangeToken() {
    // the record rides with model-versions/create (MlflowRegisterRequestsTest), which also moves the versions token
    try (ModelRegistry registry = open(server.uri(), Duration.ofSeconds(5), 2)) {
      registry.register("m", weights("one"));
      server.failMatching = r -> r.contains("registered-models/set-tag") && r.contains("\"key\":\"modelreg.versions\"");
      assertThat(registry.register("m", weights("two")).number()).isEqualTo(2);
      server.failMatching = null;
      assertThat(registry.listVersions("m")).extracting(v -> v.number()).containsExactly(1, 2);
    }
  }

  @Test
  void aCorrectedRegistrationCutOffBeforeItsChangeTokenMovesTakesItsVersionBack() {
    try (ModelRegistry registry = open(server.uri(), Duration.ofSeconds(5), 2);
        ModelRegistry other = open(server.uri(), Duration.ofSeconds(5), 2)) {
      other.register("m", weights("one"));
      other.register("m", weights("two"));
      other.deleteVersion("m", 2); // registry sees 1 as the newest: it guesses 2, MLflow answers 3 (2 is a tombstone)
      server.failMatching = r -> r.contains("registered-models/set-tag") && r.contains("\"key\":\"modelreg.versions\"");
      assertThatThrownBy(() -> registry.register("m", weights("three"))).isInstanceOf(TransientRegistryException.class);
      server.failMatching = null;
      assertThat(registry.listVersions("m")).extracting(v -> v.number()).containsExactly(1);
      assertThat(registry.register("m", weights("three")).number()).isEqualTo(4);
    }
  }

  @Test
  void selfSignedTlsIsRefusedWithAHintAndAcceptedWhenInsecureTlsIsSet(@TempDir Path dir) throws Exception {
    try (FakeMlflowServer tls = new FakeMlflowServer(FakeMlflowServer.selfSignedTls(dir))) {
      var strict = new MlflowRegistryProvider(Map.of());
      try (var store = strict.open(tls.uri(), RegistryOptions.defaults())) {
        assertThatThrownBy(store::listModelNames).isInstanceOf(RegistryException.class)
            .isNotInstanceOf(TransientRegistryException.class).hasMessageContaining("MLFLOW_TRACKING_INSECURE_TLS");
      }
      assertThat(tls.requests.get()).isZero();
      var insecure = new MlflowRegistryProvider(Map.of("MLFLOW_TRACKING_INSECURE_TLS", "true"));
      try (var store = insecure.open(tls.uri(), RegistryOptions.defaults())) {
        assertThat(store.listModelNames()).isEmpty();
      }
      assertThat(tls.requests.get()).isPositive();
    }
  }
}
