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
}
