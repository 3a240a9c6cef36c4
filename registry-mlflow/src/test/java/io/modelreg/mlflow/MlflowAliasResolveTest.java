package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import io.modelreg.Stage;
import io.modelreg.VersionNotFoundException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A user alias resolved with the registry's cache off goes to the store's push-down ({@code
 * registered-models/alias}, checked against the model record last read); whatever it answers must be what the
 * full read of the model gives. Runs on the stand-in, where requests are counted, and against a real server
 * ({@link RealMlflowAliasResolveTest}).
 */
class MlflowAliasResolveTest extends StandInServerTest {
  /** A fresh name per test, so a real server's earlier runs do not matter. */
  private final String m = "alias-" + UUID.randomUUID().toString().substring(0, 8);

  protected URI uri() {
    return server.uri();
  }

  /** Requests the server answered while {@code r} ran; null where nobody counts (a real server). */
  protected @Nullable Integer requestsFor(Runnable r) {
    int before = server.requests.get();
    r.run();
    return server.requests.get() - before;
  }

  private void assertRequests(Runnable r, int expected) {
    Integer n = requestsFor(r);
    if (n != null) {
      assertThat(n).isEqualTo(expected);
    }
  }

  private ModelRegistry uncached() {
    return ModelRegistries.open(uri().toString(), RegistryOptions.builder().cacheTtl(Duration.ZERO).build());
  }

  @BeforeEach
  void tenVersions() {
    try (ModelRegistry writer = ModelRegistries.open(uri().toString())) {
      for (int i = 0; i < 10; i++) {
        writer.register(m, Registration.builder().bytes("model.bin", new byte[] {(byte) i}).build());
      }
      writer.setAlias(m, "champion", 7);
    }
  }

  @Test
  void anAliasMovedByAnotherClientIsFollowedAndTheViewMatchesTheFullRead() {
    try (ModelRegistry reader = uncached(); ModelRegistry writer = ModelRegistries.open(uri().toString())) {
      assertThat(reader.resolve("models:/" + m + "@champion").number()).isEqualTo(7);
      // the model was read once: from now on the alias answer alone, checked against it
      assertRequests(() -> assertThat(reader.resolve("models:/" + m + "@champion").number()).isEqualTo(7), 1);
      writer.setAlias(m, "champion", 8);
      writer.setAlias(m, "shadow", 8);
      // the alias answer disagrees with the record read before: the model is read again
      ModelVersion moved = reader.resolve("models:/" + m + "@champion");
      assertThat(moved.number()).isEqualTo(8);
      assertThat(moved.aliases()).containsExactly("champion", "shadow");
      assertRequests(() -> assertThat(reader.resolve("models:/" + m + "@shadow").aliases())
          .containsExactly("champion", "shadow"), 1);

      // a version in PRODUCTION: its managed alias shows, one request once the move was read
      writer.transition(m, 8, Stage.STAGING);
      writer.transition(m, 8, Stage.PRODUCTION);
      assertThat(reader.resolve("models:/" + m + "@champion").stage()).isEqualTo(Stage.PRODUCTION);
      assertRequests(() -> assertThat(reader.resolve("models:/" + m + "@champion").aliases())
          .containsExactly("champion", "production", "shadow"), 1);
      ModelVersion pushed = reader.resolve("models:/" + m + "@champion");
      ModelVersion full = reader.getVersion(m, 8);
      assertThat(List.of(pushed.number(), pushed.stage(), pushed.aliases(), pushed.tags(), pushed.digest(), pushed.status()))
          .isEqualTo(List.of(full.number(), full.stage(), full.aliases(), full.tags(), full.digest(), full.status()));
      // a deleted alias is not found, with the model's aliases in the message, as on the full path
      writer.deleteAlias(m, "shadow");
      assertThatThrownBy(() -> reader.resolve("models:/" + m + "@shadow")).isInstanceOf(VersionNotFoundException.class)
          .hasMessageContaining("champion");
      // an alias on a version another MLflow client deleted (MLflow keeps the alias) is not found either
      writer.setAlias(m, "old", 3);
      reader.resolve("models:/" + m + "@old");
      MlflowStoreCompatibilityTest.httpOn(uri()).delete("model-versions/delete", Map.of("name", m, "version", "3"));
      assertThatThrownBy(() -> reader.resolve("models:/" + m + "@old")).isInstanceOf(VersionNotFoundException.class);
    }
  }

  @Test
  void aVersionInStagingOrAStageMlflowChangedAloneIsReadThroughTheModel() {
    try (ModelRegistry reader = uncached(); ModelRegistry writer = ModelRegistries.open(uri().toString())) {
      writer.transition(m, 7, Stage.STAGING);
      writer.transition(m, 9, Stage.STAGING);
      reader.resolve("models:/" + m + "@champion");
      // whether 7 holds the managed staging alias depends on the other versions: the model is read each time
      assertRequests(() -> {
        ModelVersion v = reader.resolve("models:/" + m + "@champion");
        assertThat(v.stage()).isEqualTo(Stage.STAGING);
        assertThat(v.aliases()).containsExactly("champion");
      }, 2);
      writer.transition(m, 9, Stage.ARCHIVED);
      assertThat(reader.resolve("models:/" + m + "@champion").aliases()).containsExactly("champion", "staging");

      // another MLflow client moves version 7 in MLflow alone: modelreg's committed stage is shown, as on the
      // full path, and a tag it set shows at once
      writer.transition(m, 7, Stage.ARCHIVED);
      reader.resolve("models:/" + m + "@champion");
      MlflowHttp raw = MlflowStoreCompatibilityTest.httpOn(uri());
      raw.post("model-versions/transition-stage",
          Map.of("name", m, "version", "7", "stage", "Production", "archive_existing_versions", false));
      raw.post("model-versions/set-tag", Map.of("name", m, "version", "7", "key", "reviewed", "value", "by-python"));
      ModelVersion v = reader.resolve("models:/" + m + "@champion");
      assertThat(v.stage()).isEqualTo(Stage.ARCHIVED);
      assertThat(v.tags()).containsEntry("reviewed", "by-python");
      assertThat(reader.resolve("models:/" + m + "/7").stage()).isEqualTo(Stage.ARCHIVED);
    }
  }
}
