package io.modelreg.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.modelreg.AlreadyExistsException;
import io.modelreg.ArtifactManifest;
import io.modelreg.ConflictException;
import io.modelreg.Lineage;
import io.modelreg.ModelNotFoundException;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.NotFoundException;
import io.modelreg.RegistryEvent;
import io.modelreg.RegistryOptions;
import io.modelreg.VersionNotFoundException;
import io.modelreg.VersionStatus;
import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.RegistryStore;
import io.modelreg.spi.StoreCapability;
import io.modelreg.spi.VersionRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every promise of {@link RegistryStore}'s javadoc, checked by calling the store itself, with no policy layer
 * in between (its in-process lock would hide a store that loses updates). The kit runs it as its {@code
 * Store contract} group; the hooks hand it the kit's fresh store and capabilities.
 */
abstract class StoreContract {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** The fresh, empty store of this test. */
  abstract RegistryStore store();

  /** Another client on the same data, closed after the test; empty when the backend has none. */
  abstract Optional<RegistryStore> secondClient();

  abstract boolean numbersSurviveModelDeletion();

  abstract boolean oneStoreManyWriters();

  abstract int concurrency();

  /** The kit's registry options, for registries opened on the store. */
  abstract RegistryOptions.Builder options();

  private ModelRecord createModel(String name) {
    return store().createModel(ModelRecord.create(name, null, Map.of(), T0));
  }

  /** A version record as the policy layer would create it, without files. */
  private static VersionRecord version(String model, int number) {
    return new VersionRecord(model, number, null, VersionStatus.READY, null, Map.of("k", "v" + number), Map.of(),
        Map.of(), List.of(), Lineage.empty(), null, ArtifactManifest.of(List.of()), "", T0, "kit-tester", T0, 0);
  }

  private VersionRecord createVersion(String model) {
    return store().createVersion(version(model, store().allocateVersionNumber(model)));
  }

  private RegistryEvent append(String model, RegistryEvent.Type type) {
    return store().appendEvent(new RegistryEvent(model, 0, T0, "kit-tester", type, null, Map.of()));
  }

  private static List<Long> sequences(List<RegistryEvent> events) {
    return events.stream().map(RegistryEvent::sequence).toList();
  }

  // ---------------------------------------------------------------- records and revisions

  @Test
  @DisplayName("createModel stores revision 1, and refuses an existing name with AlreadyExistsException")
  void createModel() {
    ModelRecord created = store().createModel(ModelRecord.create("m", "first", Map.of("team", "ml"), T0));
    assertThat(created.revision()).isEqualTo(1);
    ModelRecord found = store().findModel("m").orElseThrow();
    assertThat(found.revision()).isEqualTo(1);
    assertThat(found.description()).isEqualTo("first");
    assertThat(found.tags()).containsExactly(Map.entry("team", "ml"));
    assertThatThrownBy(() -> store().createModel(ModelRecord.create("m", null, Map.of(), T0)))
        .isInstanceOf(AlreadyExistsException.class);
    assertThat(store().findModel("m").orElseThrow().description()).isEqualTo("first");
  }

  @Test
  @DisplayName("updateModel stores revision + 1, and a stale revision is ConflictException that changes nothing")
  void updateModelRevisions() {
    ModelRecord v1 = createModel("m");
    ModelRecord v2 = store().updateModel(v1.withTags(Map.of("a", "1")), v1.revision());
    assertThat(v2.revision()).isEqualTo(v1.revision() + 1);
    assertThat(store().findModel("m").orElseThrow().revision()).isEqualTo(v2.revision());
    assertThatThrownBy(() -> store().updateModel(v1.withTags(Map.of("b", "2")), v1.revision()))
        .isInstanceOf(ConflictException.class);
    ModelRecord now = store().findModel("m").orElseThrow();
    assertThat(now.tags()).containsExactly(Map.entry("a", "1"));
    assertThat(now.revision()).isEqualTo(v2.revision());
    // an alias names a version that exists: MLflow, like the policy layer, refuses one that does not
    VersionRecord version = createVersion("m");
    now = store().findModel("m").orElseThrow();
    ModelRecord v3 = store().updateModel(now.withAliases(Map.of("champion", version.number())), now.revision());
    assertThat(v3.revision()).isEqualTo(now.revision() + 1);
    assertThat(store().findModel("m").orElseThrow().aliases()).containsExactly(Map.entry("champion", version.number()));
  }

  @Test
  @DisplayName("updateVersion stores revision + 1, and a stale revision is ConflictException that changes nothing")
  void updateVersionRevisions() {
    createModel("m");
    VersionRecord v1 = createVersion("m");
    assertThat(v1.revision()).isEqualTo(1);
    assertThat(store().findVersion("m", v1.number()).orElseThrow().revision()).isEqualTo(1);
    VersionRecord v2 = store().updateVersion(v1.withDescription("second"), v1.revision());
    assertThat(v2.revision()).isEqualTo(2);
    assertThatThrownBy(() -> store().updateVersion(v1.withDescription("lost"), v1.revision()))
        .isInstanceOf(ConflictException.class);
    VersionRecord now = store().findVersion("m", v1.number()).orElseThrow();
    assertThat(now.description()).isEqualTo("second");
    assertThat(now.revision()).isEqualTo(2);
  }

  @Test
  @DisplayName("a store with REGISTER_CHECKS_MODEL refuses registerVersion on an absent model, writing nothing")
  void registerChecksModel() {
    assumeTrue(store().capabilities().contains(StoreCapability.REGISTER_CHECKS_MODEL),
        "the store does not declare REGISTER_CHECKS_MODEL");
    assertThatThrownBy(() -> store().registerVersion("absent", n -> version("absent", n)))
        .isInstanceOf(ModelNotFoundException.class);
    assertThat(store().findModel("absent")).isEmpty();
    assertThat(store().listModels()).extracting(ModelRecord::name).doesNotContain("absent");
    createModel("absent");
    VersionRecord v = store().registerVersion("absent", n -> version("absent", n));
    // the refusal used up no number
    assertThat(v.number()).isEqualTo(1);
    assertThat(store().listVersions("absent")).extracting(VersionRecord::number).containsExactly(1);
    store().deleteModel("absent");
    assertThatThrownBy(() -> store().registerVersion("absent", n -> version("absent", n)))
        .isInstanceOf(ModelNotFoundException.class);
    assertThat(store().findModel("absent")).isEmpty();
  }

  @Test
  @DisplayName("update and delete of what does not exist are ModelNotFoundException / VersionNotFoundException")
  void missing() {
    ModelRecord ghost = ModelRecord.create("ghost", null, Map.of(), T0).withRevision(1);
    assertThatThrownBy(() -> store().updateModel(ghost, 1)).isInstanceOf(ModelNotFoundException.class);
    assertThatThrownBy(() -> store().deleteModel("ghost")).isInstanceOf(ModelNotFoundException.class);
    assertThatThrownBy(() -> store().updateVersion(version("ghost", 1).withRevision(1), 1))
        .isInstanceOf(NotFoundException.class);
    createModel("m");
    assertThatThrownBy(() -> store().updateVersion(version("m", 7).withRevision(1), 1))
        .isInstanceOf(VersionNotFoundException.class);
    assertThatThrownBy(() -> store().deleteVersion("m", 7)).isInstanceOf(VersionNotFoundException.class);
  }

  @Test
  @DisplayName("find* is empty for what does not exist, and for what was deleted")
  void findEmpty() {
    assertThat(store().findModel("ghost")).isEmpty();
    assertThat(store().findVersion("ghost", 1)).isEmpty();
    createModel("m");
    assertThat(store().findVersion("m", 1)).isEmpty();
    VersionRecord v = createVersion("m");
    store().deleteVersion("m", v.number());
    assertThat(store().findVersion("m", v.number())).isEmpty();
    createVersion("m");
    store().deleteModel("m");
    assertThat(store().findModel("m")).isEmpty();
    assertThat(store().findVersion("m", v.number() + 1)).isEmpty();
    assertThat(store().listModelNames()).doesNotContain("m");
  }

  // ---------------------------------------------------------------- numbers and listings

  @Test
  @DisplayName("version numbers are 1, 2, 3 … per model and never reused after a version is deleted")
  void numbers() {
    createModel("a");
    createModel("b");
    assertThat(createVersion("a").number()).isEqualTo(1);
    assertThat(createVersion("a").number()).isEqualTo(2);
    assertThat(createVersion("b").number()).isEqualTo(1);
    store().deleteVersion("a", 2);
    assertThat(createVersion("a").number()).isEqualTo(3);
  }

  @Test
  @DisplayName("version numbers are never reused after the model is deleted and created again")
  void numbersSurviveDeletion() {
    assumeTrue(numbersSurviveModelDeletion(), "the backend restarts numbering when a model is recreated");
    createModel("a");
    createVersion("a");
    createVersion("a");
    store().deleteModel("a");
    assertThat(store().listVersions("a")).isEmpty();
    createModel("a");
    assertThat(createVersion("a").number()).isEqualTo(3);
  }

  @Test
  @DisplayName("listVersions is by ascending number, also when versions were created out of order")
  void listVersionsAscending() {
    createModel("m");
    int first = store().allocateVersionNumber("m");
    int second = store().allocateVersionNumber("m");
    int third = store().allocateVersionNumber("m");
    store().createVersion(version("m", third));
    store().createVersion(version("m", first));
    store().createVersion(version("m", second));
    assertThat(store().listVersions("m")).extracting(VersionRecord::number).containsExactly(first, second, third);
  }

  @Test
  @DisplayName("listVersions(record just read) equals listVersions(name), before and after a change")
  void listVersionsByRecord() {
    createModel("m");
    createVersion("m");
    createVersion("m");
    assertThat(store().listVersions(store().findModel("m").orElseThrow())).isEqualTo(store().listVersions("m"));
    VersionRecord v = store().findVersion("m", 1).orElseThrow();
    store().updateVersion(v.withDescription("changed"), v.revision());
    createVersion("m");
    store().deleteVersion("m", 2);
    List<VersionRecord> byRecord = store().listVersions(store().findModel("m").orElseThrow());
    assertThat(byRecord).isEqualTo(store().listVersions("m"));
    assertThat(byRecord).extracting(VersionRecord::number).containsExactly(1, 3);
    assertThat(byRecord.get(0).description()).isEqualTo("changed");
  }

  @Test
  @DisplayName("listModels and listModelNames are sorted by name and agree")
  void listings() {
    createModel("b");
    createModel("a");
    createModel("c");
    assertThat(store().listModelNames()).containsExactly("a", "b", "c");
    assertThat(store().listModels()).extracting(ModelRecord::name).containsExactly("a", "b", "c");
  }

  @Test
  @DisplayName("findModels returns the current records of the named models that exist, and nothing else")
  void findModelsReadsTheNamedOnes() {
    createModel("a");
    ModelRecord b = createModel("b");
    createModel("c");
    ModelRecord b2 = store().updateModel(b.withTags(Map.of("team", "ml")), b.revision());
    assertThat(store().findModels(Set.of())).isEmpty();
    assertThat(store().findModels(Set.of("b"))).singleElement()
        .satisfies(m -> assertThat(m.withVersionsToken(null)).isEqualTo(b2.withVersionsToken(null)));
    List<ModelRecord> found = store().findModels(Set.of("c", "b", "missing", "a"));
    assertThat(found).extracting(ModelRecord::name).containsExactlyInAnyOrder("a", "b", "c");
    for (ModelRecord m : found) {
      assertThat(m.withVersionsToken(null))
          .isEqualTo(store().findModel(m.name()).orElseThrow().withVersionsToken(null));
    }
    assertThat(store().findModels(Set.of("missing", "nope"))).isEmpty();
  }

  // ---------------------------------------------------------------- events

  @Test
  @DisplayName("event sequences are 1, 2, 3 … per model, contiguous, and readEvents returns those after a cursor")
  void eventSequences() {
    createModel("a");
    createModel("b");
    assertThat(store().lastEventSequence("a")).isZero();
    List<Long> a = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      a.add(append("a", RegistryEvent.Type.MODEL_UPDATED).sequence());
      if (i % 2 == 0) {
        append("b", RegistryEvent.Type.MODEL_UPDATED);
      }
    }
    assertThat(a).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(sequences(store().readEvents("a", 0))).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(sequences(store().readEvents("b", 0))).containsExactly(1L, 2L, 3L);
    assertThat(sequences(store().readEvents("a", 3))).containsExactly(4L, 5L);
    assertThat(store().readEvents("a", 5)).isEmpty();
    assertThat(store().lastEventSequence("a")).isEqualTo(5);
    assertThat(store().readEvents("never", 0)).isEmpty();
    assertThat(store().lastEventSequence("never")).isZero();
  }

  @Test
  @DisplayName("the event log survives deleteModel and keeps counting when the model comes back")
  void eventLogSurvivesDeletion() {
    createModel("m");
    append("m", RegistryEvent.Type.MODEL_CREATED);
    append("m", RegistryEvent.Type.MODEL_UPDATED);
    store().deleteModel("m");
    append("m", RegistryEvent.Type.MODEL_DELETED);
    assertThat(store().readEvents("m", 0)).extracting(RegistryEvent::type).containsExactly(
        RegistryEvent.Type.MODEL_CREATED, RegistryEvent.Type.MODEL_UPDATED, RegistryEvent.Type.MODEL_DELETED);
    createModel("m");
    assertThat(append("m", RegistryEvent.Type.MODEL_CREATED).sequence()).isEqualTo(4);
    assertThat(sequences(store().readEvents("m", 0))).containsExactly(1L, 2L, 3L, 4L);
  }

  // ---------------------------------------------------------------- defaults a store keeps or overrides

  @Test
  @DisplayName("surveyForeignVersion refuses a version that has a modelreg record with IllegalArgumentException")
  void surveyRefusesRecordedVersions() {
    createModel("m");
    VersionRecord v = createVersion("m");
    assertThatThrownBy(() -> store().surveyForeignVersion("m", v.number())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("withModelLock runs the action and returns its result; a store with EXCLUSIVE_MODEL_LOCK keeps a second client out meanwhile")
  void modelLock() throws Exception {
    assertThat(store().withModelLock("m", () -> "ran")).isEqualTo("ran");
    assumeTrue(store().capabilities().contains(StoreCapability.EXCLUSIVE_MODEL_LOCK),
        "the store does not declare EXCLUSIVE_MODEL_LOCK");
    Optional<RegistryStore> other = secondClient();
    assumeTrue(other.isPresent(), "the backend does not offer a second client on the same data");
    AtomicBoolean holding = new AtomicBoolean();
    AtomicBoolean enteredWhileHeld = new AtomicBoolean();
    CountDownLatch entered = new CountDownLatch(1);
    Thread second = new Thread(() -> other.get().withModelLock("m", () -> {
      enteredWhileHeld.set(holding.get());
      entered.countDown();
      return null;
    }), "kit-second-client");
    store().withModelLock("m", () -> {
      holding.set(true);
      second.start();
      // the second client must be parked on the lock, not inside it; waiting for its state needs no clock
      long spins = 0;
      while (second.getState() == Thread.State.NEW || second.getState() == Thread.State.RUNNABLE) {
        if (entered.getCount() == 0 || ++spins > 2_000_000_000L) {
          break;
        }
        Thread.onSpinWait();
      }
      holding.set(false);
      return null;
    });
    assertThat(entered.await(60, TimeUnit.SECONDS)).as("the second client got the lock after it was released").isTrue();
    second.join();
    assertThat(enteredWhileHeld).as("the second client ran while the first held the lock").isFalse();
  }

  // ---------------------------------------------------------------- several writers on one model

  private static void runAll(int threads, IntFunction<Runnable> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Runnable r = task.apply(t);
        futures.add(pool.submit(() -> {
          start.await();
          r.run();
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Threads spread over {@code registries} each set their own tags and aliases on one model; none may be lost. */
  private void noLostUpdate(List<ModelRegistry> registries) throws Exception {
    ModelRegistry first = registries.get(0);
    first.register("m", io.modelreg.Registration.builder().bytes("model.bin", new byte[] {1}).build());
    int threads = Math.max(2, concurrency());
    int each = 4;
    runAll(threads, id -> () -> {
      ModelRegistry r = registries.get(id % registries.size());
      for (int i = 0; i < each; i++) {
        r.setModelTag("m", "t" + id + "-" + i, "v");
        r.setAlias("m", "a" + id + "x" + i, 1);
        r.setVersionTag("m", 1, "t" + id + "-" + i, "v");
      }
    });
    ModelRecord m = store().findModel("m").orElseThrow();
    assertThat(m.tags()).hasSize(threads * each);
    assertThat(m.aliases()).hasSize(threads * each);
    assertThat(store().findVersion("m", 1).orElseThrow().tags()).hasSize(threads * each);
    assertThat(store().readEvents("m", 0)).filteredOn(e -> e.type() == RegistryEvent.Type.MODEL_TAG_SET)
        .hasSize(threads * each);
  }

  @Test
  @DisplayName("two registries on one store updating one model at once lose no update")
  void twoRegistriesOneStore() throws Exception {
    // each registry has its own in-process lock, so only the store's lock and revisions keep them apart
    assumeTrue(oneStoreManyWriters(), "the store relies on one writer per model per store instance");
    noLostUpdate(List.of(ModelRegistries.create(store(), options().build()),
        ModelRegistries.create(store(), options().build())));
  }

  @Test
  @DisplayName("two stores on the same data updating one model at once lose no update")
  void twoStores() throws Exception {
    Optional<RegistryStore> other = secondClient();
    assumeTrue(other.isPresent(), "the backend does not offer a second client on the same data");
    noLostUpdate(List.of(ModelRegistries.create(store(), options().build()),
        ModelRegistries.create(other.get(), options().build())));
  }
}
