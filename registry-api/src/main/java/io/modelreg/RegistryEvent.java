package io.modelreg;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One change in the registry: who did what, when, and what it was before and after.
 *
 * <p>Events are persisted by the backend in a per-model log, numbered by {@link #sequence()} from 1.
 * {@link #details()} holds the before and after values under keys such as {@code from} and {@code to}
 * (a stage change), {@code alias}, {@code tag}, {@code semver} or {@code digest}.
 *
 * @param model the registered model name
 * @param sequence position in the model's log, assigned by the store; 0 before it is appended
 * @param time when the change was made
 * @param actor who made it
 * @param type what kind of change it was
 * @param version the version concerned, or null for model-level changes
 * @param details before/after values and other facts of the change
 */
public record RegistryEvent(
    String model,
    long sequence,
    Instant time,
    String actor,
    Type type,
    @Nullable Integer version,
    Map<String, String> details) {

  /** What kind of change an event records. */
  public enum Type {
    MODEL_CREATED,
    MODEL_UPDATED,
    MODEL_DELETED,
    MODEL_TAG_SET,
    MODEL_TAG_DELETED,
    VERSION_REGISTERED,
    VERSION_UPDATED,
    VERSION_DELETED,
    VERSION_TAG_SET,
    VERSION_TAG_DELETED,
    STAGE_CHANGED,
    ROLLBACK,
    ALIAS_SET,
    ALIAS_DELETED,
    METRICS_RECORDED
  }

  public RegistryEvent {
    details = java.util.Collections.unmodifiableMap(new TreeMap<>(details));
    if (sequence < 0) {
      throw new IllegalArgumentException("Event sequence must not be negative");
    }
  }

  /** The same event with the sequence number the store assigned. */
  public RegistryEvent withSequence(long sequence) {
    return new RegistryEvent(model, sequence, time, actor, type, version, details);
  }

  @Override
  public String toString() {
    return model + "#" + sequence + " " + time + " " + actor + " " + type
        + (version == null ? "" : " v" + version) + (details.isEmpty() ? "" : " " + details);
  }
}
