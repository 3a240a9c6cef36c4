package io.modelreg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.mem.MemoryRegistryStore;
import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.VersionRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The one compare-and-set loop, with another client of the same data racing it, and the pauses between tries. */
class ModelWritesTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final MemoryRegistryStore store = MemoryRegistryStore.create();
  private final MemoryRegistryStore other = store.sharedView();
  private final FakeTicker ticker = new FakeTicker();
  private final RegistryOptions options = RegistryOptions.builder().actor("tester")
      .clock(Clock.fixed(T0, ZoneOffset.UTC)).ticker(ticker).build();
  private final AtomicInteger wakes = new AtomicInteger();
  private final ModelWrites writes = new ModelWrites(store, options, new CachedReads(store, options),
      new Backoff(ticker, new Random(7)), wakes::incrementAndGet);

  /** Another client changes the model record, so the revision the loop read is stale. */
  private void raceModel() {
    ModelRecord m = other.findModel("m").orElseThrow();
    other.updateModel(m.withDescription("moved by another client at revision " + m.revision()), m.revision());
  }

  @Test
  void aChangeThatLosesTheRaceIsAppliedAgainToTheNewRecordAndItsEventsAppendedOnce() {
    store.createModel(ModelRecord.create("m", null, Map.of(), T0));
    AtomicInteger calls = new AtomicInteger();
    ModelRecord stored = writes.locked("m", () -> writes.updateModel("m", (m, events) -> {
      if (calls.incrementAndGet() <= 3) {
        raceModel();
      }
      events.add(writes.event("m", RegistryEvent.Type.MODEL_TAG_SET, null, Map.of("tag", "team")));
      return m.withTags(Map.of("team", "growth"));
    }));

    assertThat(calls).hasValue(4);
    assertThat(stored.tags()).containsEntry("team", "growth");
    assertThat(stored.description()).contains("moved by another client"); // the other client's change is kept
    assertThat(stored.revision()).isEqualTo(5);
    assertThat(store.readEvents("m", 0)).extracting(RegistryEvent::type).containsExactly(RegistryEvent.Type.MODEL_TAG_SET);
    assertThat(wakes).hasValue(1);
    assertThat(ticker.sleeps()).hasSize(2); // none after the first conflict, then a pause before each retry
  }

  @Test
  void aRecordThatKeepsChangingIsAConflictAfterTheLastAttempt() {
    store.createModel(ModelRecord.create("m", null, Map.of(), T0));
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(() -> writes.locked("m", () -> writes.updateModel("m", (m, events) -> {
      calls.incrementAndGet();
      raceModel();
      return m.withTags(Map.of("k", "v"));
    }))).isInstanceOf(ConflictException.class)
        .hasMessageContaining("Model 'm' kept changing under this update (" + ModelWrites.MAX_ATTEMPTS + " attempts)");
    assertThat(calls).hasValue(ModelWrites.MAX_ATTEMPTS);
    assertThat(ticker.sleeps()).hasSize(ModelWrites.MAX_ATTEMPTS - 2)
        .allSatisfy(d -> assertThat(d).isBetween(Duration.ofMillis(1), Duration.ofMillis(Backoff.MAX_PAUSE_MILLIS)));
    assertThat(store.readEvents("m", 0)).isEmpty();
  }

  @Test
  void versionsGoThroughTheSameLoop() {
    store.createModel(ModelRecord.create("m", null, Map.of(), T0));
    int n = store.allocateVersionNumber("m");
    store.createVersion(new VersionRecord("m", n, null, VersionStatus.READY, null, Map.of(), Map.of(), Map.of(), List.of(),
        Lineage.empty(), null, ArtifactManifest.of(List.of()), "", T0, "tester", T0, 0));
    AtomicInteger calls = new AtomicInteger();
    VersionRecord stored = writes.locked("m", () -> writes.updateVersion("m", n, (v, events) -> {
      if (calls.incrementAndGet() == 1) {
        VersionRecord current = other.findVersion("m", n).orElseThrow();
        other.updateVersion(current.withDescription("other"), current.revision());
      }
      return v.withTags(Map.of("k", "v"));
    }));
    assertThat(calls).hasValue(2);
    assertThat(stored.tags()).containsEntry("k", "v");
    assertThat(stored.description()).isEqualTo("other");
    assertThat(stored.revision()).isEqualTo(3);
  }

  @Test
  void aChangeThatChangesNothingStoresNothing() {
    ModelRecord created = store.createModel(ModelRecord.create("m", null, Map.of(), T0));
    ModelRecord result = writes.locked("m", () -> writes.updateModel("m", (m, events) -> m));
    assertThat(result.revision()).isEqualTo(created.revision());
    assertThat(wakes).hasValue(0);
  }

  @Test
  void missingRecordsAreNamedByWhatIsMissing() {
    assertThatThrownBy(() -> writes.updateModel("nope", (m, events) -> m)).isInstanceOf(ModelNotFoundException.class);
    store.createModel(ModelRecord.create("m", null, Map.of(), T0));
    assertThatThrownBy(() -> writes.updateVersion("m", 3, (v, events) -> v)).isInstanceOf(VersionNotFoundException.class)
        .hasMessageContaining("Version 3 of model 'm' not found");
  }

  @Test
  void backOffStartsWithoutAPauseAndGrowsToFiftyMilliseconds() {
    Backoff backoff = new Backoff(ticker, new Random(1));
    assertThat(backoff.pauseAfter(1)).isZero();
    for (int attempt = 2; attempt <= 40; attempt++) {
      long bound = Math.min(50, 1L << Math.min(attempt, 6));
      for (int i = 0; i < 50; i++) {
        assertThat(backoff.pauseAfter(attempt)).isBetween(Duration.ofMillis(1), Duration.ofMillis(bound));
      }
    }
  }

  @Test
  void anInterruptedBackOffIsTransientAndKeepsTheInterrupt() {
    Backoff backoff = new Backoff(ticker, new Random(1));
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> backoff.pause(3)).isInstanceOf(TransientRegistryException.class)
          .hasMessageContaining("Interrupted while waiting to retry a write");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }
}
