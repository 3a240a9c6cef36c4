package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import io.modelreg.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How many requests reads cost: counted on the stand-in, so the numbers in BENCHMARKS.md (P8) are checked. */
class MlflowRoundTripTest extends StandInServerTest {
  @BeforeEach
  void start() throws Exception {
    try (ModelRegistry writer = ModelRegistries.open(server.uri().toString())) {
      for (int i = 0; i < 250; i++) {
        writer.register("m", Registration.builder().bytes("model.bin", new byte[] {(byte) i}).build());
      }
      writer.setAlias("m", "champion", 7);
    }
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
  void withTheRegistryCacheOffAResolveIsOneRoundTripOnceTheStoreHasTheVersions() {
    try (ModelRegistry uncached = ModelRegistries.open(server.uri().toString(),
        RegistryOptions.builder().cacheTtl(Duration.ZERO).build())) {
      assertThat(requestsFor(() -> uncached.resolve("models:/m@champion"))).isEqualTo(2);
      // the model (aliases, stages, change token); the versions come from the store's cache
      assertThat(requestsFor(() -> assertThat(uncached.resolve("models:/m@champion").number()).isEqualTo(7))).isOne();
      assertThat(requestsFor(() -> assertThat(uncached.resolve("models:/m/latest").number()).isEqualTo(250))).isOne();
    }
  }

  @Test
  void aVersionChangedByAnotherModelregClientIsSeenByTheNextResolve() {
    try (ModelRegistry reader = ModelRegistries.open(server.uri().toString(),
            RegistryOptions.builder().cacheTtl(Duration.ZERO).build());
        ModelRegistry writer = ModelRegistries.open(server.uri().toString())) {
      reader.resolve("models:/m@champion");
      writer.setVersionTag("m", 7, "reviewed", "yes");
      // the alias answer carries the version's tags, record included: still one request
      assertThat(requestsFor(() -> assertThat(reader.resolve("models:/m@champion").tags()).containsEntry("reviewed", "yes")))
          .isOne();
      assertThat(requestsFor(() -> assertThat(reader.resolve("models:/m/7").tags()).containsEntry("reviewed", "yes")))
          .isEqualTo(2);
      assertThat(requestsFor(() -> reader.resolve("models:/m/7"))).isOne();

      writer.deleteVersion("m", 250);
      assertThat(reader.resolve("models:/m/latest").number()).isEqualTo(249);
      writer.register("m", Registration.builder().bytes("model.bin", new byte[] {9}).build());
      assertThat(reader.resolve("models:/m/latest").number()).isEqualTo(251);
    }
  }

  @Test
  void aVersionTagSetByAnotherMlflowClientShowsWithinTheVersionCacheTtl() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    try (ModelRegistry reader = ModelRegistries.open(server.uri().toString(), RegistryOptions.builder()
        .cacheTtl(Duration.ZERO).clock(clock).storeOption("mlflow.version-cache-ttl", "PT30S").build())) {
      reader.resolve("models:/m/7");
      // a Python client tags version 7 directly; nothing modelreg reads for the model changes
      MlflowStoreCompatibilityTest.httpOn(server.uri()).post("model-versions/set-tag",
          Map.of("name", "m", "version", "7", "key", "reviewed", "value", "by-python"));
      assertThat(reader.resolve("models:/m/7").tags()).doesNotContainKey("reviewed");
      // a resolve by alias reads the version itself, so it shows there at once
      assertThat(reader.resolve("models:/m@champion").tags()).containsEntry("reviewed", "by-python");
      clock.advance(Duration.ofSeconds(31));
      assertThat(reader.resolve("models:/m/7").tags()).containsEntry("reviewed", "by-python");
    }
  }

  @Test
  void aVersionRegisteredByAnotherMlflowClientShowsAtOnce() {
    try (ModelRegistry reader = ModelRegistries.open(server.uri().toString(),
        RegistryOptions.builder().cacheTtl(Duration.ZERO).build())) {
      assertThat(reader.listVersions("m")).hasSize(250);
      MlflowStoreCompatibilityTest.httpOn(server.uri()).post("model-versions/create",
          Map.of("name", "m", "source", "s3://bucket/model"));
      assertThat(reader.listVersions("m")).hasSize(251);
    }
  }

  @Test
  void aLoneWriterAppendsAnEventWithoutReadingTheWholeLog() {
    try (MlflowRegistryStore store = MlflowStoreCompatibilityTest.storeOn(server.uri())) {
      io.modelreg.RegistryEvent event = new io.modelreg.RegistryEvent("m", 0, java.time.Instant.EPOCH, "t",
          io.modelreg.RegistryEvent.Type.MODEL_UPDATED, null, Map.of());
      long first = store.appendEvent(event).sequence();
      // the slot it expects next claimed with the event and the run's marker in one batch, then the experiment's
      // marker: no runs/get of a log that grows with every change
      assertThat(requestsFor(() -> assertThat(store.appendEvent(event).sequence()).isEqualTo(first + 1))).isEqualTo(2);
      // another writer got in between: the log is read once to find the next free slot
      try (MlflowRegistryStore other = MlflowStoreCompatibilityTest.storeOn(server.uri())) {
        assertThat(other.appendEvent(event).sequence()).isEqualTo(first + 2);
      }
      assertThat(store.appendEvent(event).sequence()).isEqualTo(first + 3);
    }
  }

  @Test
  void pollingAnUnchangedHistoryIsOneSmallRequestAndAChangeIsSeen() {
    try (MlflowRegistryStore watcher = MlflowStoreCompatibilityTest.storeOn(server.uri());
        MlflowRegistryStore writer = MlflowStoreCompatibilityTest.storeOn(server.uri())) {
      int events = watcher.readEvents("m", 0).size();
      assertThat(events).isGreaterThan(250);
      // nothing changed: the run comes back only if its marker moved, so the answer is empty
      long before = server.bytesSent.get();
      assertThat(requestsFor(() -> assertThat(watcher.readEvents("m", events)).isEmpty())).isOne();
      assertThat(server.bytesSent.get() - before).isLessThan(100);
      writer.appendEvent(new io.modelreg.RegistryEvent("m", 0, java.time.Instant.EPOCH, "t",
          io.modelreg.RegistryEvent.Type.MODEL_UPDATED, null, Map.of()));
      assertThat(watcher.readEvents("m", events)).extracting(io.modelreg.RegistryEvent::sequence).containsExactly(events + 1L);
    }
  }

  @Test
  void aWatchOnEveryModelAsksOnceAPollWhileNothingChanges() throws Exception {
    try (ModelRegistry writer = ModelRegistries.open(server.uri().toString())) {
      for (int i = 0; i < 5; i++) {
        writer.createModel("quiet-" + i);
      }
      java.util.concurrent.BlockingQueue<io.modelreg.RegistryEvent> seen = new java.util.concurrent.LinkedBlockingQueue<>();
      try (ModelRegistry watcher = ModelRegistries.open(server.uri().toString(), RegistryOptions.builder()
          .watchPollInterval(Duration.ofMillis(100)).build());
          io.modelreg.Subscription sub = watcher.watchAll(seen::add)) {
        Thread.sleep(300); // the first poll reads every model once
        int before = server.requests.get();
        Thread.sleep(1000);
        // about ten polls of one small read each; reading six models' logs would be 8 requests a poll
        assertThat(server.requests.get() - before).isLessThanOrEqualTo(15);
        writer.setModelTag("quiet-3", "team", "ml");
        io.modelreg.RegistryEvent e = seen.poll(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(e).isNotNull();
        assertThat(e.model()).isEqualTo("quiet-3");
      }
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
  void searchesAndListingsAskOncePerPageWhateverTheyMatch() {
    try (ModelRegistry registry = ModelRegistries.open(server.uri().toString(),
        RegistryOptions.builder().cacheTtl(Duration.ZERO).build())) {
      for (int i = 0; i < 10; i++) {
        registry.register("other-" + i, Registration.builder().bytes("m", new byte[] {1}).tag("team", "web").build());
      }
      registry.register("ranker", Registration.builder().bytes("m", new byte[] {2}).tag("team", "ml").metric("auc", 0.95).build());
      registry.register("ranker", Registration.builder().bytes("m", new byte[] {3}).tag("team", "ml").metric("auc", 0.85).build());

      // pushed down: one version search and one for prompts' versions (MLflow leaves them out of the first); the
      // one model found read once
      assertThat(requestsFor(() -> assertThat(registry.searchVersions("tags.team = 'ml' AND metrics.auc > 0.9"))
          .extracting(v -> v.name() + "/" + v.number()).containsExactly("ranker/1"))).isEqualTo(3);
      // one model named: when it shows versions it is no prompt, so no second search
      assertThat(requestsFor(() -> assertThat(registry.searchVersions("name = 'ranker' AND tags.team = 'ml'"))
          .hasSize(2))).isEqualTo(2);
      // several models: one version search, one for prompts' versions (MLflow leaves them out of the first), and
      // one listing of models (plain and prompts), not one per model
      assertThat(requestsFor(() -> assertThat(registry.searchVersions("name LIKE 'other-%' AND version_number <= 1"))
          .hasSize(10))).isEqualTo(4);
      // nothing to push down: every version in pages (and prompts' versions), every model in pages
      assertThat(requestsFor(() -> assertThat(registry.searchVersions("metrics.auc < 0.9"))
          .extracting(v -> v.name() + "/" + v.number()).containsExactly("ranker/2"))).isEqualTo(4);
      assertThat(requestsFor(() -> assertThat(registry.listModels()).hasSize(12))).isEqualTo(2);

      assertThat(registry.searchVersions("tags.team = 'ml' AND tags.team = 'web'")).isEmpty();
      assertThat(registry.searchVersions("tags.team = 'web'")).hasSize(10);
      // MLflow refuses name IN (...): one search per name instead
      assertThat(requestsFor(() -> assertThat(registry.searchVersions("tags.team LIKE 'w%' AND name IN ('other-1', 'other-2')"))
          .hasSize(2))).isEqualTo(4);
      // not pushed down, evaluated here: != and ILIKE
      assertThat(registry.searchVersions("tags.team != 'web'")).hasSize(2);
      assertThat(registry.searchVersions("tags.team ILIKE 'ML'")).hasSize(2);
      // values MLflow's grammar cannot quote are evaluated here
      assertThat(registry.searchVersions("tags.team = 'it''s'")).isEmpty();
    }
  }
}
