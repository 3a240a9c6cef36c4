package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How many requests reads cost: counted on the stand-in, so the numbers in BENCHMARKS.md (P8) are checked. */
class MlflowRoundTripTest {
  private FakeMlflowServer server;

  @BeforeEach
  void start() throws Exception {
    server = new FakeMlflowServer();
    try (ModelRegistry writer = ModelRegistries.open(server.uri().toString())) {
      for (int i = 0; i < 250; i++) {
        writer.register("m", Registration.builder().bytes("model.bin", new byte[] {(byte) i}).build());
      }
      writer.setAlias("m", "champion", 7);
    }
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private int requestsFor(Runnable r) {
    int before = server.requests.get();
    r.run();
    return server.requests.get() - before;
  }

  @Test
  void aWarmResolveAsksNothingAndAColdOneAsksForTheModelAndOnePageOfVersions() {
    try (ModelRegistry cached = ModelRegistries.open(server.uri().toString(),
        RegistryOptions.builder().cacheTtl(Duration.ofHours(1)).build())) {
      assertThat(requestsFor(() -> cached.resolve("models:/m@champion"))).isEqualTo(2);
      assertThat(requestsFor(() -> cached.resolve("models:/m@champion"))).isZero();
      assertThat(requestsFor(() -> cached.resolve("models:/m/250"))).isZero();
    }
  }

  @Test
  void listingIsOneRequestPerPageNeverOnePerItem() {
    try (ModelRegistry registry = ModelRegistries.open(server.uri().toString(),
        RegistryOptions.builder().cacheTtl(Duration.ZERO).build())) {
      assertThat(requestsFor(() -> assertThat(registry.listVersions("m")).hasSize(250))).isEqualTo(2);
    }
  }

  @Test
  void aVersionTagSearchIsPushedDownAndVisitsOnlyTheModelsThatMatch() {
    try (ModelRegistry registry = ModelRegistries.open(server.uri().toString(),
        RegistryOptions.builder().cacheTtl(Duration.ZERO).build())) {
      for (int i = 0; i < 10; i++) {
        registry.register("other-" + i, Registration.builder().bytes("m", new byte[] {1}).tag("team", "web").build());
      }
      registry.register("ranker", Registration.builder().bytes("m", new byte[] {2}).tag("team", "ml").metric("auc", 0.95).build());
      registry.register("ranker", Registration.builder().bytes("m", new byte[] {3}).tag("team", "ml").metric("auc", 0.85).build());

      int requests = requestsFor(() -> assertThat(registry.searchVersions("tags.team = 'ml' AND metrics.auc > 0.9"))
          .extracting(v -> v.name() + "/" + v.number()).containsExactly("ranker/1"));
      // one pushed-down search, then the one candidate model and its versions; not 12 models x 2
      assertThat(requests).isEqualTo(3);
      assertThat(registry.searchVersions("tags.team = 'ml' AND tags.team = 'web'")).isEmpty();
      assertThat(registry.searchVersions("tags.team = 'web'")).hasSize(10);
    }
  }
}
