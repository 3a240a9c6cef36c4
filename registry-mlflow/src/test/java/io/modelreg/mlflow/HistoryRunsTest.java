package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.ConflictException;
import io.modelreg.RegistryEvent;
import io.modelreg.testkit.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HistoryRuns} on the loopback MLflow stand-in: the per-model history run, its event log in tags,
 * the write-once param slots that give sequences and revisions to exactly one writer, and the lease after
 * which a silent writer's slot is passed over. Two instances on one server play two processes.
 */
class HistoryRunsTest {
  static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
  private FakeMlflowServer server;
  private final MutableClock clock = new MutableClock(T0);
  private HistoryRuns a;
  private HistoryRuns b;

  @BeforeEach
  void start() throws IOException {
    server = new FakeMlflowServer();
    a = new HistoryRuns(MlflowStoreCompatibilityTest.httpOn(server.uri()), "modelreg-history", clock);
    b = new HistoryRuns(MlflowStoreCompatibilityTest.httpOn(server.uri()), "modelreg-history", clock);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private RegistryEvent event(String model, RegistryEvent.Type type, Integer version, Map<String, String> details) {
    return new RegistryEvent(model, 0, clock.instant(), "ada", type, version, details);
  }

  @Test
  void aModelWithoutHistoryHasNoRunNoEventsAndNothingIsCreatedByLooking() {
    assertThat(a.eventsMarker()).isEmpty();
    assertThat(a.events("churn")).isEmpty();
    assertThat(a.run("churn", false)).isNull();
    assertThat(a.eventsMarker()).as("reading created no experiment tag").isEmpty();
  }

  @Test
  void appendedEventsGetSequencesOneTwoThreeAndReadBackWithEveryField() {
    RegistryEvent first = a.append(event("churn", RegistryEvent.Type.MODEL_CREATED, null, Map.of()));
    clock.advance(Duration.ofSeconds(5));
    RegistryEvent second = a.append(event("churn", RegistryEvent.Type.VERSION_REGISTERED, 1,
        Map.of("digest", "sha256:ab", "files", "2")));
    RegistryEvent third = a.append(event("churn", RegistryEvent.Type.ALIAS_SET, 1, Map.of("alias", "champion", "to", "1")));

    assertThat(List.of(first, second, third)).extracting(RegistryEvent::sequence).containsExactly(1L, 2L, 3L);
    assertThat(a.events("churn")).containsExactly(first, second, third);
    assertThat(b.events("churn")).as("another process reads the same log").containsExactly(first, second, third);
    assertThat(b.events("churn").get(1).time()).isEqualTo(T0.plusSeconds(5));

    HistoryRuns.RunData data = a.data(a.run("churn"));
    assertThat(data.tags()).containsKeys("event.000001", "event.000002", "event.000003", HistoryRuns.MARKER_TAG)
        .containsEntry(RecordTags.PREFIX + "history_of", "churn");
    assertThat(data.params()).containsOnlyKeys("seq.000001", "seq.000002", "seq.000003");
  }

  @Test
  void twoWritersInterleavingGetDistinctContiguousSequencesAndEachSeesTheOthersEvents() {
    for (int i = 0; i < 4; i++) {
      (i % 2 == 0 ? a : b).append(event("churn", RegistryEvent.Type.MODEL_TAG_SET, null, Map.of("tag", "k" + i)));
    }
    assertThat(a.events("churn")).extracting(RegistryEvent::sequence).containsExactly(1L, 2L, 3L, 4L);
    assertThat(b.events("churn")).extracting(e -> e.details().get("tag")).containsExactly("k0", "k1", "k2", "k3");
  }

  @Test
  void theEventsMarkerMovesWithEveryAppendSoAWatcherOfEveryModelCanSkipUnchangedPolls() {
    a.append(event("churn", RegistryEvent.Type.MODEL_CREATED, null, Map.of()));
    String after1 = b.eventsMarker();
    assertThat(after1).isNotEmpty();
    assertThat(b.eventsMarker()).isEqualTo(after1);
    a.append(event("fraud", RegistryEvent.Type.MODEL_CREATED, null, Map.of()));
    assertThat(b.eventsMarker()).isNotEqualTo(after1);
  }

  @Test
  void aClaimedSequenceWhoseEventIsNotWrittenYetEndsTheLogUntilItsLeaseRunsOut() {
    a.append(event("churn", RegistryEvent.Type.MODEL_CREATED, null, Map.of()));
    // b claims sequence 2 and stops before writing its event (a writer cut off midway)
    assertThat(b.claim(b.run("churn"), "seq.000002")).isTrue();
    RegistryEvent later = a.append(event("churn", RegistryEvent.Type.MODEL_TAG_SET, null, Map.of("tag", "t")));
    assertThat(later.sequence()).as("the claimed sequence is not handed out twice").isEqualTo(3);

    assertThat(a.events("churn")).as("event 3 waits while sequence 2 may still appear")
        .extracting(RegistryEvent::sequence).containsExactly(1L);
    clock.advance(HistoryRuns.CLAIM_LEASE.plusSeconds(1));
    assertThat(new HistoryRuns(MlflowStoreCompatibilityTest.httpOn(server.uri()), "modelreg-history", clock)
        .events("churn")).as("past the lease the silent writer is passed over")
        .extracting(RegistryEvent::sequence).containsExactly(1L, 3L);
  }

  @Test
  void anUnfilledClaimOfThisInstanceIsUsedByItsNextAppend() {
    a.append(event("churn", RegistryEvent.Type.MODEL_CREATED, null, Map.of()));
    assertThat(a.claim(a.run("churn"), "seq.000002")).isTrue();
    assertThat(a.claim(a.run("churn"), "seq.000002")).as("a slot this instance holds can be taken again").isTrue();
    assertThat(b.claim(b.run("churn"), "seq.000002")).as("but not by another writer").isFalse();
    a.clear(); // forget the expected next sequence: the append must find its own claim in the run
    assertThat(a.append(event("churn", RegistryEvent.Type.MODEL_TAG_SET, null, Map.of())).sequence()).isEqualTo(2);
  }

  @Test
  void aRevisionClaimedByALiveWriterIsAConflictAndOneWhoseWriterWentSilentIsSkipped() {
    assertThat(a.claimRevision("churn", "model.rev.", 1, "Model 'churn'")).isEqualTo(2);
    assertThat(a.claimRevision("churn", "model.rev.", 1, "Model 'churn'")).as("ours: a write cut off can be repeated")
        .isEqualTo(2);
    assertThatThrownBy(() -> b.claimRevision("churn", "model.rev.", 1, "Model 'churn'"))
        .isInstanceOf(ConflictException.class).hasMessageContaining("revision 2 is taken");
    clock.advance(HistoryRuns.CLAIM_LEASE.plusMillis(1));
    assertThat(b.claimRevision("churn", "model.rev.", 1, "Model 'churn'")).isEqualTo(3);
  }
}
