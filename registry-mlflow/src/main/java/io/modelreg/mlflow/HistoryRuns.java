package io.modelreg.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelreg.AlreadyExistsException;
import io.modelreg.ConflictException;
import io.modelreg.NotFoundException;
import io.modelreg.RegistryEvent;
import io.modelreg.RegistryException;
import io.modelreg.spi.RecordTrees;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * One run per model, in the history experiment, that outlives the model: its event log (tags {@code
 * event.000001 …}), the highest version number a deleted model of that name had, and the write-once slots
 * that give MLflow a compare-and-set. MLflow refuses to change a run param once logged, so a param is a slot
 * exactly one client can take: {@code seq.N} for event sequences, and the record revisions the store claims
 * before it writes ({@link #claimRevision}). A slot holds {@code <millis>-<store instance>}: this instance
 * can take back a slot it holds (a write cut off midway can be repeated), and a slot whose holder has been
 * silent longer than {@link #CLAIM_LEASE} is passed over, so a crashed writer cannot freeze a model.
 */
final class HistoryRuns {
  /** How long a claimed slot may stay unfinished before other writers treat its holder as gone. */
  static final Duration CLAIM_LEASE = Duration.ofMinutes(2);
  private static final String PREFIX = RecordTags.PREFIX;
  /** Changed (to a fresh value) with every event written: readers ask whether it moved before reading the log. */
  static final String MARKER_TAG = PREFIX + "events";

  /** A model's events as last read, and the marker they were read under ("" for a run without one). */
  private record Snapshot(String marker, List<RegistryEvent> events) {}

  /** A run's tags and params, from one {@code runs/get}. */
  record RunData(Map<String, String> tags, Map<String, String> params) {}

  private final MlflowHttp http;
  private final String experimentName;
  private final Clock clock;
  /** Names this store instance in the slots it claims. */
  private final String writerId = UUID.randomUUID().toString();
  private final ConcurrentHashMap<String, String> runs = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Snapshot> snapshots = new ConcurrentHashMap<>();
  /** Per model, the sequence this instance expects to append next: tried first, so a lone writer never reads the log. */
  private final ConcurrentHashMap<String, Long> nextSequence = new ConcurrentHashMap<>();
  private volatile @Nullable String experiment;

  HistoryRuns(MlflowHttp http, String experimentName, Clock clock) {
    this.http = http;
    this.experimentName = experimentName;
    this.clock = clock;
  }

  /** The history experiment's id, or null when it does not exist yet (nothing was ever recorded). */
  private @Nullable String experimentIfAny() {
    String id = experiment;
    if (id != null) {
      return id;
    }
    try {
      id = http.get("experiments/get-by-name", MlflowHttp.params("experiment_name", experimentName))
          .path("experiment").path("experiment_id").asText();
    } catch (NotFoundException e) {
      return null;
    }
    experiment = id;
    return id;
  }

  /**
   * The experiment's {@code modelreg.events} marker, which every append moves after writing its event: one
   * small read that tells a watcher of every model whether any log grew ("" before anything was recorded).
   */
  String eventsMarker() {
    String id = experimentIfAny();
    if (id == null) {
      return "";
    }
    for (JsonNode t : http.get("experiments/get", MlflowHttp.params("experiment_id", id)).path("experiment").path("tags")) {
      if (t.path("key").asText().equals(MARKER_TAG)) {
        return t.path("value").asText();
      }
    }
    return "";
  }

  /** The history experiment's id, created on first use (another client creating it at the same time is fine). */
  private String experiment() {
    String id = experimentIfAny();
    if (id != null) {
      return id;
    }
    try {
      id = http.post("experiments/create", Map.of("name", experimentName)).path("experiment_id").asText();
    } catch (AlreadyExistsException raced) {
      id = experimentIfAny();
      if (id == null) {
        throw raced;
      }
    }
    experiment = id;
    return id;
  }

  /** The model's history run; null when it has none and {@code create} is false. */
  @Nullable String run(String model, boolean create) {
    String cached = runs.get(model);
    if (cached != null) {
      return cached;
    }
    String experimentId = experiment();
    JsonNode found = http.post("runs/search", Map.of("experiment_ids", List.of(experimentId),
        "filter", "tags.`" + PREFIX + "history_of` = '" + model + "'", "max_results", 1)).path("runs");
    String id;
    if (found.size() > 0) {
      id = found.get(0).path("info").path("run_id").asText();
    } else if (create) {
      id = http.post("runs/create", Map.of("experiment_id", experimentId, "run_name", "history-" + model, "start_time",
          clock.millis(), "tags", List.of(Map.of("key", PREFIX + "history_of", "value", model)))).path("run").path("info")
          .path("run_id").asText();
      endRun(id, "FINISHED"); // a log, not a job: tags and params can still be added to a finished run
    } else {
      return null;
    }
    runs.put(model, id);
    return id;
  }

  /** The model's history run, created when missing. */
  String run(String model) {
    return Objects.requireNonNull(run(model, true));
  }

  RunData data(String run) {
    return data(http.get("runs/get", MlflowHttp.params("run_id", run)).path("run"));
  }

  private static RunData data(JsonNode run) {
    JsonNode data = run.path("data");
    Map<String, String> tags = new TreeMap<>();
    data.path("tags").forEach(t -> tags.put(t.path("key").asText(), t.path("value").asText()));
    Map<String, String> params = new TreeMap<>();
    data.path("params").forEach(t -> params.put(t.path("key").asText(), t.path("value").asText()));
    return new RunData(tags, params);
  }

  /** Ends a run as MLflow's UI shows it (FINISHED, FAILED); a mirror, so a failure here is not the caller's. */
  void endRun(String runId, String status) {
    try {
      http.post("runs/update", Map.of("run_id", runId, "status", status, "end_time", clock.millis()));
    } catch (RegistryException | IllegalArgumentException e) {
      // the run stays RUNNING in the UI; nothing modelreg reads depends on it
    }
  }

  // ------------------------------------------------------------------ write-once slots

  private String claimToken() {
    return clock.millis() + "-" + writerId;
  }

  private boolean ours(@Nullable String holder) {
    return holder != null && holder.endsWith("-" + writerId);
  }

  /** Takes the slot {@code key} (a param of {@code run}); true when it is ours, also from an earlier claim. */
  boolean claim(String run, String key) {
    try {
      http.post("runs/log-batch", Map.of("run_id", run, "params", List.of(Map.of("key", key, "value", claimToken()))));
      return true;
    } catch (IllegalArgumentException refused) {
      String holder = data(run).params().get(key);
      if (holder == null) {
        throw refused;
      }
      return ours(holder);
    }
  }

  /** Whether a slot's holder claimed it longer ago than {@link #CLAIM_LEASE}: it crashed, or never will finish. */
  private boolean stale(@Nullable String holder) {
    if (holder == null) {
      return false;
    }
    int dash = holder.indexOf('-');
    try {
      return dash > 0 && clock.millis() - Long.parseLong(holder.substring(0, dash)) > CLAIM_LEASE.toMillis();
    } catch (NumberFormatException e) {
      return true;
    }
  }

  /**
   * Claims the revision after {@code expected} of a record of {@code model}, in the slots {@code prefix +
   * revision} of its history run. A slot held by a live writer is a {@link ConflictException} (the policy layer
   * re-reads and retries); one whose holder went silent longer than the lease is skipped. Returns the revision
   * claimed: {@code expected + 1}, or more after such skips.
   */
  long claimRevision(String model, String prefix, long expected, String what) {
    String run = run(model);
    for (long revision = expected + 1; ; revision++) {
      if (claim(run, prefix + revision)) {
        return revision;
      }
      if (!stale(data(run).params().get(prefix + revision))) {
        throw new ConflictException(what + " is being changed by another client (revision " + revision + " is taken)");
      }
    }
  }

  // ------------------------------------------------------------------ events

  /**
   * The model's events in sequence order. A sequence claimed (param {@code seq.N}) whose event tag is not
   * written yet ends the list while its writer may still finish, so a reader never skips past an event that
   * is about to appear; a claim older than the lease whose event never came is passed over.
   */
  List<RegistryEvent> events(String model) {
    String run = run(model, false);
    if (run == null) {
      return List.of();
    }
    Snapshot known = snapshots.get(model);
    RunData data;
    if (known != null && !known.marker().isEmpty()) {
      // one small answer while nothing changed: the run comes back only if its marker moved
      JsonNode found = http.post("runs/search", Map.of("experiment_ids", List.of(experiment()), "filter",
          "tags.`" + PREFIX + "history_of` = '" + model + "' AND tags.`" + MARKER_TAG + "` != '" + known.marker() + "'",
          "max_results", 1)).path("runs");
      if (found.size() == 0) {
        return known.events();
      }
      data = data(found.get(0));
    } else {
      data = data(run);
    }
    List<RegistryEvent> events = parse(model, data);
    snapshots.put(model, new Snapshot(data.tags().getOrDefault(MARKER_TAG, ""), events));
    return events;
  }

  private List<RegistryEvent> parse(String model, RunData data) {
    List<RegistryEvent> out = new ArrayList<>();
    long last = lastSequence(data);
    for (long seq = 1; seq <= last; seq++) {
      String key = eventKey(seq);
      String json = data.tags().get(key);
      if (json != null) {
        String source = "History tag " + key + " of model '" + model + "'";
        out.add(RecordTrees.event(model, RecordTags.tree(json, source), source).withSequence(seq));
      } else if (data.params().containsKey(sequenceKey(seq)) && !stale(data.params().get(sequenceKey(seq)))) {
        break;
      }
    }
    return out;
  }

  /**
   * Claims the next free sequence (param {@code seq.N}, write-once, so concurrent writers in other processes
   * get distinct sequences; a sequence this instance claimed but never filled is used first), then writes the
   * event as tag {@code event.N}. A writer that appended the model's last event claims the next sequence and
   * writes the event in one request; only when that slot is taken does it read the log.
   */
  RegistryEvent append(RegistryEvent event) {
    String model = event.model();
    String run = run(model);
    Long expected = nextSequence.get(model);
    if (expected != null) {
      // a lone writer: the slot it expects, the event and a fresh marker in one request. MLflow logs a batch's
      // params before its tags and refuses the whole batch when a param is taken, so the event is written only
      // under its own claim, as when claimed first
      RegistryEvent stored = event.withSequence(expected);
      String marker = UUID.randomUUID().toString();
      try {
        http.post("runs/log-batch", Map.of("run_id", run,
            "params", List.of(Map.of("key", sequenceKey(expected), "value", claimToken())),
            "tags", eventTags(stored, marker)));
        return appended(model, stored, marker);
      } catch (IllegalArgumentException taken) {
        // by another writer, or by this instance in an append cut off before its event: sorted out below
      }
    }
    long seq;
    if (expected != null && claim(run, sequenceKey(expected))) {
      seq = expected; // nobody else appended since this instance did: no need to read the whole log
    } else {
      RunData data = data(run);
      seq = ownUnfilledClaim(data);
      if (seq == 0) {
        seq = lastSequence(data) + 1;
        while (!claim(run, sequenceKey(seq))) {
          seq++;
        }
      }
    }
    // until the tag is written the slot stays ours, and a repeated append takes it again
    nextSequence.put(model, seq);
    RegistryEvent stored = event.withSequence(seq);
    // the event and a fresh marker in one request, so a reader that saw the old marker reads again
    String marker = UUID.randomUUID().toString();
    http.post("runs/log-batch", Map.of("run_id", run, "tags", eventTags(stored, marker)));
    return appended(model, stored, marker);
  }

  /** The event's tag and the run's fresh marker, for one {@code runs/log-batch}. */
  private static List<Map<String, String>> eventTags(RegistryEvent stored, String marker) {
    return List.of(Map.of("key", eventKey(stored.sequence()), "value", RecordTags.json(RecordTrees.event(stored))),
        Map.of("key", MARKER_TAG, "value", marker));
  }

  /** After the event's tag is written: the next slot to try, and the experiment's marker (see eventsMarker). */
  private RegistryEvent appended(String model, RegistryEvent stored, String marker) {
    nextSequence.put(model, stored.sequence() + 1);
    try {
      http.post("experiments/set-experiment-tag", Map.of("experiment_id", experiment(), "key", MARKER_TAG, "value", marker));
    } catch (RegistryException | IllegalArgumentException e) {
      // the event is stored; watchers of every model see it at the next marker or their next full poll
    }
    return stored;
  }

  private static String eventKey(long seq) {
    return String.format("event.%06d", seq);
  }

  private static String sequenceKey(long seq) {
    return String.format("seq.%06d", seq);
  }

  private long ownUnfilledClaim(RunData data) {
    for (Map.Entry<String, String> p : data.params().entrySet()) {
      long seq = sequenceIn(p.getKey(), "seq.");
      if (seq > 0 && ours(p.getValue()) && !data.tags().containsKey(eventKey(seq))) {
        return seq;
      }
    }
    return 0;
  }

  /** The highest sequence written or claimed. */
  private static long lastSequence(RunData data) {
    long last = 0;
    for (String key : data.tags().keySet()) {
      last = Math.max(last, sequenceIn(key, "event."));
    }
    for (String key : data.params().keySet()) {
      last = Math.max(last, sequenceIn(key, "seq."));
    }
    return last;
  }

  private static long sequenceIn(String key, String prefix) {
    if (!key.startsWith(prefix) || !key.substring(prefix.length()).matches("\\d{1,18}")) {
      return 0;
    }
    return Long.parseLong(key.substring(prefix.length()));
  }

  void clear() {
    runs.clear();
    nextSequence.clear();
    snapshots.clear();
  }
}
