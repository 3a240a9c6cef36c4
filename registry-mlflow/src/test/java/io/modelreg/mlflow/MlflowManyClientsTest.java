package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.ConflictException;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.RegistryEvent;
import io.modelreg.RegistryOptions;
import io.modelreg.Stage;
import io.modelreg.testkit.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Many trainers on one MLflow server: clients with their own store (as separate processes would be, no shared
 * lock) writing the same model at once. MLflow has no compare-and-set, so the store makes its own from
 * write-once run params; nothing may be lost. {@link RealMlflowManyClientsTest} runs the same against a real
 * server.
 */
class MlflowManyClientsTest extends StandInServerTest {
  private static final int CLIENTS = 4;
  private static final int EACH = 6;
  /** Each test's own history experiment, so a long-lived real server's earlier history does not leak in. */
  private final String history = "modelreg-history-" + UUID.randomUUID();

  /** The server the clients talk to. */
  protected URI uri() {
    return server.uri();
  }

  private RegistryOptions.Builder options() {
    return RegistryOptions.builder().cacheTtl(Duration.ZERO).storeOption("mlflow.history-experiment", history);
  }

  private <T> List<T> inParallel(List<Callable<T>> work) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(work.size());
    try {
      List<Future<T>> futures = pool.invokeAll(work);
      List<T> out = new ArrayList<>();
      for (Future<T> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private List<ModelRegistry> clients() {
    List<ModelRegistry> out = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      out.add(ModelRegistries.open(uri().toString(), options().actor("trainer-" + i).build()));
    }
    return out;
  }

  @Test
  void concurrentRegistrationsFromManyClientsLoseNoVersionAndNoHistory() throws Exception {
    List<ModelRegistry> clients = clients();
    try {
      clients.get(0).createModel("m");
      List<Callable<List<Integer>>> work = new ArrayList<>();
      for (ModelRegistry c : clients) {
        work.add(() -> {
          List<Integer> numbers = new ArrayList<>();
          for (int i = 0; i < EACH; i++) {
            numbers.add(c.register("m", Registration.builder().bytes("w", new byte[] {(byte) i}).build()).number());
          }
          return numbers;
        });
      }
      List<Integer> all = new ArrayList<>();
      inParallel(work).forEach(all::addAll);
      assertThat(all).doesNotHaveDuplicates().hasSize(CLIENTS * EACH);

      List<RegistryEvent> history = clients.get(0).history("m");
      assertThat(history).extracting(RegistryEvent::sequence)
          .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 1 + CLIENTS * EACH).boxed().toList());
      assertThat(history).filteredOn(e -> e.type() == RegistryEvent.Type.VERSION_REGISTERED)
          .extracting(RegistryEvent::version).containsExactlyInAnyOrderElementsOf(all);
    } finally {
      clients.forEach(ModelRegistry::close);
    }
  }

  @Test
  void aWriterThatDiesHoldingAClaimHoldsOthersUpOnlyForTheLease() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    try (ModelRegistry registry = ModelRegistries.open(uri().toString(), options().clock(clock).build())) {
      registry.createModel("m");
      MlflowHttp raw = MlflowStoreCompatibilityTest.httpOn(uri());
      String historyRun = raw.post("runs/search", Map.of("experiment_ids", List.of(raw.get("experiments/get-by-name",
          MlflowHttp.params("experiment_name", history)).path("experiment").path("experiment_id").asText())))
          .path("runs").get(0).path("info").path("run_id").asText();
      long created = raw.get("registered-models/get", MlflowHttp.params("name", "m")).path("registered_model")
          .path("creation_timestamp").asLong();
      // another process claimed the next revision and the next event, then died
      String dead = clock.millis() + "-dead-writer";
      raw.post("runs/log-batch", Map.of("run_id", historyRun, "params", List.of(
          Map.of("key", "rev." + created + ".2", "value", dead), Map.of("key", "seq.000002", "value", dead))));

      assertThatThrownBy(() -> registry.setModelTag("m", "team", "ml")).isInstanceOf(ConflictException.class);
      clock.advance(Duration.ofMinutes(3));
      assertThat(registry.setModelTag("m", "team", "ml").tags()).containsEntry("team", "ml");
      // the dead writer's event slot is passed over once its lease is gone
      assertThat(registry.history("m")).extracting(RegistryEvent::type)
          .containsExactly(RegistryEvent.Type.MODEL_CREATED, RegistryEvent.Type.MODEL_TAG_SET);
      assertThat(registry.history("m")).extracting(RegistryEvent::sequence).containsExactly(1L, 3L);
    }
  }

  @Test
  void concurrentModelChangesFromManyClientsAreAllKept() throws Exception {
    List<ModelRegistry> clients = clients();
    try {
      clients.get(0).register("m", Registration.builder().bytes("w", new byte[] {1}).build());
      List<Callable<Void>> work = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        ModelRegistry client = clients.get(c);
        int id = c;
        work.add(() -> {
          for (int i = 0; i < EACH; i++) {
            client.setModelTag("m", "client-" + id + "-" + i, "x");
            client.setAlias("m", "alias-" + id + "-" + i, 1);
          }
          return null;
        });
      }
      inParallel(work);
      ModelVersion v = clients.get(0).getVersion("m", 1);
      assertThat(clients.get(0).getModel("m").tags()).hasSize(CLIENTS * EACH);
      assertThat(v.aliases()).hasSize(CLIENTS * EACH);
      assertThat(clients.get(0).transition("m", 1, Stage.STAGING).stage()).isEqualTo(Stage.STAGING);
    } finally {
      clients.forEach(ModelRegistry::close);
    }
  }
}
