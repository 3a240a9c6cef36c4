package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import io.modelreg.TransientRegistryException;
import io.modelreg.VersionStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A registration sends its record with {@code model-versions/create} under a guessed number (issue 12, P8-real
 * register): what it writes when the guess holds, and that a missed guess is never shown as a version.
 */
class MlflowRegisterRequestsTest extends StandInServerTest {
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private ModelRegistry a;
  private ModelRegistry b;

  @BeforeEach
  void open() {
    RegistryOptions uncached = RegistryOptions.builder().cacheTtl(java.time.Duration.ZERO).build();
    a = ModelRegistries.open(server.uri().toString(), uncached);
    b = ModelRegistries.open(server.uri().toString(), uncached);
  }

  @AfterEach
  void close() {
    a.close();
    b.close();
  }

  private static Registration files(String text) {
    return Registration.builder().bytes("model.bin", text.getBytes(StandardCharsets.UTF_8)).tag("team", "ml").build();
  }

  private List<String> writes() {
    return seen.stream().filter(r -> !r.startsWith("GET ")).map(r -> r.startsWith("PUT ") ? "PUT artifact" : r.substring(0, r.indexOf(' ', r.indexOf(' ') + 1)))
        .toList();
  }

  @Test
  void theRecordDigestAndTagsRideWithTheVersionWhenTheGuessHolds() {
    a.register("m", files("one"));
    server.failMatching = r -> !seen.add(r);
    ModelVersion v = a.register("m", files("two"));
    server.failMatching = null;

    assertThat(v.number()).isEqualTo(2);
    // no upload run to create and end: the files go to a directory of their own
    assertThat(writes()).containsExactly("PUT artifact",
        "POST /api/2.0/mlflow/model-versions/create",
        "POST /api/2.0/mlflow/runs/log-batch", "POST /api/2.0/mlflow/experiments/set-experiment-tag");
    // nothing is read: the model was seen by the first registration, and MLflow's create checks that it exists
    assertThat(seen).noneMatch(r -> r.startsWith("GET "));
    String create = seen.stream().filter(r -> r.contains("model-versions/create")).findFirst().orElseThrow();
    assertThat(create).contains("\"modelreg.record\"", "\"modelreg.digest\"", "\"team\"");
    assertThat(b.getVersion("m", 2).digest()).isEqualTo(v.digest());
    assertThat(b.getVersion("m", 2).tags()).containsEntry("team", "ml");
  }

  @Test
  void aModelIsReadOnlyByTheFirstRegistrationOfAStoreAndWhenItIsGone() {
    b.register("m", files("one"));
    server.failMatching = r -> !seen.add(r);
    a.register("m", files("two")); // a has not seen m: one read for its newest number
    a.register("m", files("three"));
    // (a's first event also looks up the history experiment and run, once per store)
    assertThat(seen).filteredOn(r -> r.contains("registered-models/get")).hasSize(1);
    b.deleteModel("m");
    seen.clear();
    ModelVersion v = a.register("m", files("four")); // refused by MLflow, then created again, numbers kept
    server.failMatching = null;
    assertThat(v.number()).isEqualTo(4);
    assertThat(seen).filteredOn(r -> r.contains("model-versions/create") && !r.contains("placeholder"))
        .hasSize(2);
    assertThat(seen).anyMatch(r -> r.startsWith("POST /api/2.0/mlflow/registered-models/create "));
    assertThat(b.listVersions("m")).extracting(ModelVersion::number).containsExactly(4);
  }

  @Test
  void anotherClientsCachedVersionListIsNotReusedAfterARegistrationWithoutTheTokenTag() {
    a.register("m", files("one"));
    assertThat(b.listVersions("m")).extracting(ModelVersion::number).containsExactly(1); // cached under the token
    int before = seen.size();
    server.failMatching = r -> !seen.add(r);
    assertThat(b.listVersions("m")).extracting(ModelVersion::number).containsExactly(1);
    assertThat(seen.subList(before, seen.size())).noneMatch(r -> r.contains("model-versions/search")); // reused

    a.register("m", files("two")); // writes no modelreg.versions tag: model-versions/create moves the token
    List<String> registration = List.copyOf(seen.subList(before, seen.size()));
    assertThat(registration).noneMatch(r -> r.contains("registered-models/set-tag"));
    int after = seen.size();
    assertThat(b.listVersions("m")).extracting(ModelVersion::number).containsExactly(1, 2);
    server.failMatching = null;
    assertThat(seen.subList(after, seen.size())).anyMatch(r -> r.contains("model-versions/search"));
  }

  @Test
  void aMissedGuessIsShownAsPendingUntilItsRecordIsCorrected() throws Exception {
    b.register("m", files("one"));
    b.register("m", files("two"));
    b.deleteVersion("m", 2); // a sees version 1 as the newest: it guesses 2, MLflow answers 3 (2 is a tombstone)
    List<VersionStatus> duringCorrection = new CopyOnWriteArrayList<>();
    server.failMatching = r -> {
      if (r.contains("model-versions/set-tag") && r.contains("modelreg.record")) {
        // another client reads between the create and the corrected record
        duringCorrection.add(b.listVersions("m").get(1).status());
      }
      return false;
    };
    ModelVersion v = a.register("m", files("three"));
    server.failMatching = null;

    assertThat(v.number()).isEqualTo(3);
    assertThat(duringCorrection).containsExactly(VersionStatus.PENDING);
    ModelVersion read = b.getVersion("m", 3);
    assertThat(read.status()).isEqualTo(VersionStatus.READY);
    assertThat(read.digest()).isEqualTo(v.digest());
    assertThat(new String(b.openArtifact(read, "model.bin").readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("three");
    assertThat(b.listVersions("m")).extracting(ModelVersion::number).containsExactly(1, 3);
  }

  @Test
  void aFailedCorrectionTakesTheVersionBack() {
    b.register("m", files("one"));
    b.register("m", files("two"));
    b.deleteVersion("m", 2);
    try (ModelRegistry once = ModelRegistries.open(server.uri().toString(),
        RegistryOptions.builder().storeOption("mlflow.max-attempts", "1").build())) {
      server.failMatching = r -> r.contains("model-versions/set-tag") && r.contains("modelreg.record");
      assertThatThrownBy(() -> once.register("m", files("three"))).isInstanceOf(TransientRegistryException.class);
      server.failMatching = null;
    }
    assertThat(b.listVersions("m")).extracting(ModelVersion::number).containsExactly(1);
    assertThat(a.register("m", files("three")).number()).isEqualTo(4);
  }
}
