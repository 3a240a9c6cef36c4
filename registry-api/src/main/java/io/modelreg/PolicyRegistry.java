package io.modelreg;

import io.modelreg.spi.ArtifactUpload;
import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.RegistryStore;
import io.modelreg.spi.StoreCapability;
import io.modelreg.spi.VersionRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The one implementation of {@link ModelRegistry}: every business rule, over any {@link RegistryStore}.
 *
 * <p>This class holds the rules of every write — what may be created, changed or deleted, which stage moves
 * are allowed, what each event records. Reads, watches, artifact reads and the registry's lifecycle are
 * {@link RegistryReads}', which it extends; the mechanics are package-private collaborators: {@link
 * ModelWrites} (the write lock and the one compare-and-set loop), {@link CachedReads} (records through
 * caches of bounded age) and {@link ArtifactUploads} (uploads hashed as they stream).
 */
final class PolicyRegistry extends RegistryReads {

  PolicyRegistry(RegistryStore store, RegistryOptions options) {
    super(store, options);
  }

  // ============================================================== models

  @Override
  public RegisteredModel createModel(String name, @Nullable String description, Map<String, String> tags) {
    Names.checkModelName(name);
    Names.checkDescription(description);
    tags.forEach((k, v) -> Names.checkValue("tag", Names.checkUserKey("tag", k), v));
    return write(name, () -> {
      if (store.findModel(name).isPresent()) {
        throw new AlreadyExistsException("Registered model '" + name + "' already exists");
      }
      return RegisteredModel.of(createModelLocked(name, description, tags));
    });
  }

  private ModelRecord createModelLocked(String name, @Nullable String description, Map<String, String> tags) {
    ModelRecord created = store.createModel(ModelRecord.create(name, description, tags, writes.now()));
    reads.forget(name);
    reads.stored(created);
    writes.append(name, RegistryEvent.Type.MODEL_CREATED, null, ModelWrites.details("description", description));
    return created;
  }

  /**
   * The model, created on first registration. On a backend without a cross-client model lock another
   * client may create it between our read and our create; its model is then as good as ours.
   */
  private ModelRecord findOrCreateModel(String name) {
    ModelRecord m = store.findModel(name).orElse(null);
    if (m != null) {
      return m;
    }
    try {
      return createModelLocked(name, null, Map.of());
    } catch (AlreadyExistsException raced) {
      return store.findModel(name).orElseThrow(() -> raced);
    }
  }

  @Override
  public RegisteredModel updateModelDescription(String name, @Nullable String description) {
    Names.checkModelName(name);
    Names.checkDescription(description);
    return RegisteredModel.of(updateModel(name, (m, events) ->
        redescribed(name, null, m.description(), description, events) ? m.withDescription(description) : m));
  }

  @Override
  public void deleteModel(String name) {
    Names.checkModelName(name);
    write(name, () -> {
      ModelRecord m = writes.requireModel(name);
      store.deleteModel(name);
      reads.forget(name);
      writes.append(name, RegistryEvent.Type.MODEL_DELETED, null, ModelWrites.details("aliases", m.aliases().toString()));
      return null;
    });
  }

  @Override
  public RegisteredModel setModelTag(String name, String key, String value) {
    Names.checkValue("tag", Names.checkUserKey("tag", key), value);
    return tagModel(name, key, value);
  }

  @Override
  public RegisteredModel deleteModelTag(String name, String key) {
    Names.checkUserKey("tag", key);
    return tagModel(name, key, null);
  }

  /** Sets tag {@code key} of a model to {@code value}, or deletes it when {@code value} is null. */
  private RegisteredModel tagModel(String name, String key, @Nullable String value) {
    Names.checkModelName(name);
    return RegisteredModel.of(updateModel(name, (m, events) -> {
      Map<String, String> tags = retag(name, null, m.tags(), key, value, events);
      return tags == null ? m : m.withTags(tags);
    }));
  }

  /**
   * The tags with {@code key} set to {@code value} (null deletes it) and the event saying so, for a model
   * ({@code version} null) or a version; null when that changes nothing.
   */
  private @Nullable Map<String, String> retag(String name, @Nullable Integer version, Map<String, String> tags,
      String key, @Nullable String value, List<RegistryEvent> events) {
    String old = tags.get(key);
    if (Objects.equals(old, value)) {
      return null;
    }
    Map<String, String> out = new TreeMap<>(tags);
    RegistryEvent.Type type;
    if (value == null) {
      out.remove(key);
      type = version == null ? RegistryEvent.Type.MODEL_TAG_DELETED : RegistryEvent.Type.VERSION_TAG_DELETED;
    } else {
      out.put(key, value);
      type = version == null ? RegistryEvent.Type.MODEL_TAG_SET : RegistryEvent.Type.VERSION_TAG_SET;
    }
    events.add(writes.event(name, type, version, ModelWrites.details("tag", key, "from", old, "to", value)));
    return out;
  }

  // ============================================================== registration

  @Override
  public ModelVersion register(String name, Registration registration) {
    Names.checkModelName(name);
    requireOpen();
    SemanticVersion semver = registration.semver();
    ModelRecord existing = semver == null ? null : reads.modelOrNull(name);
    if (semver != null && existing != null) {
      checkSemver(name, semver, reads.versions(existing)); // fail before uploading gigabytes; re-checked under the lock
    }
    try (ArtifactUpload upload = uploads.begin(name)) {
      ArtifactManifest manifest = uploads.store(upload, name, registration);
      return write(name, () -> {
        Instant now = writes.now();
        IntFunction<VersionRecord> recordFor = n -> new VersionRecord(name, n, semver, VersionStatus.READY,
            registration.description(), registration.tags(), registration.params(), registration.metrics(),
            List.of(), registration.lineage(), registration.signature(), manifest, upload.location(), now,
            options.actor(), now, 0);
        VersionRecord stored;
        if (semver == null && store.capabilities().contains(StoreCapability.REGISTER_CHECKS_MODEL)) {
          // the store's write checks that the model exists: read (and create) it only when it does not
          try {
            stored = store.registerVersion(name, recordFor);
          } catch (ModelNotFoundException absent) {
            findOrCreateModel(name);
            stored = store.registerVersion(name, recordFor);
          }
        } else {
          findOrCreateModel(name);
          if (semver != null) {
            checkSemver(name, semver, store.listVersions(name));
          }
          stored = store.registerVersion(name, recordFor);
        }
        int number = stored.number();
        reads.versionsChanged(name);
        writes.append(name, RegistryEvent.Type.VERSION_REGISTERED, number, ModelWrites.details(
            "semver", semver == null ? null : semver.toString(),
            "digest", manifest.digest().toString(),
            "files", Integer.toString(manifest.files().size()),
            "run_id", registration.lineage().runId()));
        // numbers are never reused (RegistryStore's contract), so no stage or alias can name a new version yet
        return ModelVersion.of(stored, Stage.DEVELOPMENT, List.of());
      });
    }
  }

  private void checkSemver(String name, SemanticVersion semver, List<VersionRecord> existing) {
    SemverPolicy policy = options.semverPolicy();
    if (policy == SemverPolicy.UNCHECKED) {
      return;
    }
    VersionRecord highest = null;
    for (VersionRecord v : existing) {
      SemanticVersion s = v.semver();
      if (s == null) {
        continue;
      }
      if (s.compareTo(semver) == 0) {
        throw new IllegalArgumentException("Semantic version " + semver + " is already used by version "
            + v.number() + " of '" + name + "' (" + s + "); each version needs its own");
      }
      if (highest == null || s.compareTo(Objects.requireNonNull(highest.semver())) > 0) {
        highest = v;
      }
    }
    if (policy == SemverPolicy.STRICTLY_INCREASING && highest != null
        && semver.compareTo(Objects.requireNonNull(highest.semver())) < 0) {
      throw new IllegalArgumentException("Semantic version " + semver + " of '" + name
          + "' must be greater than " + highest.semver() + " (version " + highest.number()
          + "), the highest so far; the registry's SemverPolicy is STRICTLY_INCREASING (use UNIQUE to allow back-ports)");
    }
  }

  @Override
  public ModelVersion adopt(String name, int number) {
    Names.checkModelName(name);
    Names.checkVersionNumber(number);
    requireOpen();
    writes.requireVersion(name, number);
    // reads every byte of the version: outside the model's lock, checked against its revision when committed
    VersionRecord surveyed = store.surveyForeignVersion(name, number);
    return updateVersion(name, number, (current, events) -> {
      if (current.revision() != surveyed.revision()) {
        throw new ConflictException("Version " + number + " of '" + name + "' changed while its files were read for"
            + " adoption; adopt it again");
      }
      events.add(writes.event(name, RegistryEvent.Type.VERSION_REGISTERED, number, ModelWrites.details(
          "digest", surveyed.manifest().digest().toString(),
          "files", Integer.toString(surveyed.manifest().files().size()),
          "adopted_from", surveyed.lineage().sourceUri())));
      return surveyed;
    });
  }

  // ============================================================== versions

  @Override
  public ModelVersion updateVersionDescription(String name, int version, @Nullable String description) {
    Names.checkDescription(description);
    return updateVersion(name, version, (v, events) ->
        redescribed(name, version, v.description(), description, events) ? v.withDescription(description) : v);
  }

  /**
   * Whether the description changes from {@code old} to {@code description}, of a model ({@code version}
   * null) or a version; when it does, adds the event saying so. Setting the same description records nothing.
   */
  private boolean redescribed(String name, @Nullable Integer version, @Nullable String old,
      @Nullable String description, List<RegistryEvent> events) {
    if (Objects.equals(old, description)) {
      return false;
    }
    events.add(writes.event(name, version == null ? RegistryEvent.Type.MODEL_UPDATED : RegistryEvent.Type.VERSION_UPDATED,
        version, ModelWrites.details("field", "description", "from", old, "to", description)));
    return true;
  }

  /** Refused while the version is in PRODUCTION or a user alias points at it; its stage entries go with it. */
  @Override
  public void deleteVersion(String name, int version) {
    Names.checkModelName(name);
    Names.checkVersionNumber(version);
    write(name, () -> {
      VersionRecord v = writes.requireVersion(name, version);
      writes.updateModel(name, (m, events) -> {
        List<String> blockers = new ArrayList<>();
        if (m.stageOf(version) == Stage.PRODUCTION) {
          blockers.add("it is in PRODUCTION (archive it or promote another version first)");
        }
        m.aliases().forEach((alias, n) -> {
          if (n == version) {
            blockers.add("alias '" + alias + "' points to it (delete or move the alias first)");
          }
        });
        if (!blockers.isEmpty()) {
          throw new IllegalStateException("Cannot delete version " + version + " of '" + name + "': "
              + String.join("; ", blockers));
        }
        Map<Integer, Stage> stages = new TreeMap<>(m.stages());
        stages.remove(version);
        List<Integer> history = new ArrayList<>(m.productionHistory());
        history.removeIf(n -> n == version);
        return stages.equals(m.stages()) && history.equals(m.productionHistory()) ? m : m.withStages(stages, history);
      });
      store.deleteVersion(name, version);
      reads.versionsChanged(name);
      writes.append(name, RegistryEvent.Type.VERSION_DELETED, version,
          ModelWrites.details("digest", v.manifest().digest().toString()));
      return null;
    });
  }

  @Override
  public ModelVersion setVersionTag(String name, int version, String key, String value) {
    Names.checkValue("tag", Names.checkUserKey("tag", key), value);
    return tagVersion(name, version, key, value);
  }

  @Override
  public ModelVersion deleteVersionTag(String name, int version, String key) {
    Names.checkUserKey("tag", key);
    return tagVersion(name, version, key, null);
  }

  private ModelVersion tagVersion(String name, int version, String key, @Nullable String value) {
    return updateVersion(name, version, (v, events) -> {
      Map<String, String> tags = retag(name, version, v.tags(), key, value, events);
      return tags == null ? v : v.withTags(tags);
    });
  }

  @Override
  public ModelVersion recordMetrics(String name, int version, MetricRecord record) {
    return updateVersion(name, version, (v, events) -> {
      StringBuilder values = new StringBuilder();
      record.values().forEach((k, x) -> values.append(values.length() == 0 ? "" : ", ").append(k).append('=').append(x));
      events.add(writes.event(name, RegistryEvent.Type.METRICS_RECORDED, version,
          ModelWrites.details("run_id", record.runId(), "values", values.toString())));
      return v.withMetricRun(record);
    });
  }

  // ============================================================== aliases and stages

  @Override
  public ModelVersion setAlias(String name, String alias, int version) {
    Names.checkModelName(name);
    Names.checkUserAlias(alias);
    Names.checkVersionNumber(version);
    return write(name, () -> {
      VersionRecord v = writes.requireVersion(name, version);
      ModelRecord stored = writes.updateModel(name, (m, events) -> {
        Integer old = m.aliases().get(alias);
        if (old != null && old == version) {
          return m;
        }
        Map<String, Integer> aliases = new TreeMap<>(m.aliases());
        aliases.put(alias, version);
        events.add(writes.event(name, RegistryEvent.Type.ALIAS_SET, version,
            ModelWrites.details("alias", alias, "from", old == null ? null : old.toString(), "to", Integer.toString(version))));
        return m.withAliases(aliases);
      });
      return CachedReads.view(stored, v);
    });
  }

  @Override
  public void deleteAlias(String name, String alias) {
    Names.checkModelName(name);
    Names.checkAliasSyntax(alias);
    updateModel(name, (m, events) -> {
      Integer old = m.aliases().get(alias);
      if (old == null) {
        throw new NotFoundException("Alias '" + alias + "' of model '" + name + "' not found; its aliases are "
            + m.aliases().keySet());
      }
      Map<String, Integer> aliases = new TreeMap<>(m.aliases());
      aliases.remove(alias);
      events.add(writes.event(name, RegistryEvent.Type.ALIAS_DELETED, old, ModelWrites.details("alias", alias, "from", old.toString())));
      return m.withAliases(aliases);
    });
  }

  /**
   * No skipping, gates per target stage, and one PRODUCTION holder: promoting to PRODUCTION archives the
   * previous holder and remembers it for {@link #rollback}; all in one compare-and-set of the model record.
   */
  @Override
  public ModelVersion transition(String name, int version, Stage target) {
    Names.checkModelName(name);
    Names.checkVersionNumber(version);
    return write(name, () -> {
      VersionRecord v = writes.requireVersion(name, version);
      ModelRecord stored = writes.updateModel(name, (m, events) -> {
        Stage from = m.stageOf(version);
        if (from == target) {
          return m;
        }
        String subject = "Moving version " + version + " of '" + name + "' from " + from + " to " + target;
        if (!from.canMoveTo(target)) {
          throw new PromotionRejectedException(subject, List.of(from + " → " + target + " is not allowed; from "
              + from + " a version may move to " + from.allowedTargets()));
        }
        Integer holder = RegisteredModel.productionHolder(m);
        PromotionRequest request = new PromotionRequest(CachedReads.view(m, v), from, target, options.actor(),
            target == Stage.PRODUCTION && holder != null ? store.findVersion(name, holder).map(h -> CachedReads.view(m, h)).orElse(null) : null);
        List<String> violations = options.promotionPolicy(target).violations(request);
        if (!violations.isEmpty()) {
          throw new PromotionRejectedException(subject, violations);
        }
        Map<Integer, Stage> stages = new TreeMap<>(m.stages());
        List<Integer> history = new ArrayList<>(m.productionHistory());
        if (target == Stage.PRODUCTION && holder != null) {
          stages.put(holder, Stage.ARCHIVED);
          history.add(holder);
          events.add(writes.event(name, RegistryEvent.Type.STAGE_CHANGED, holder, ModelWrites.details("from", "PRODUCTION",
              "to", "ARCHIVED", "reason", "replaced by version " + version)));
        }
        if (from == Stage.PRODUCTION) {
          history.add(version);
        }
        stages.put(version, target);
        events.add(writes.event(name, RegistryEvent.Type.STAGE_CHANGED, version,
            ModelWrites.details("from", from.name(), "to", target.name())));
        return m.withStages(stages, history);
      });
      return CachedReads.view(stored, v);
    });
  }

  /** PRODUCTION back to the newest earlier holder that still exists; the current one is archived; no gates. */
  @Override
  public ModelVersion rollback(String name) {
    Names.checkModelName(name);
    return write(name, () -> {
      ModelRecord before = writes.requireModel(name);
      List<Integer> history = new ArrayList<>(before.productionHistory());
      Integer current = RegisteredModel.productionHolder(before);
      while (!history.isEmpty() && (store.findVersion(name, history.get(history.size() - 1)).isEmpty()
          || Objects.equals(history.get(history.size() - 1), current))) {
        history.remove(history.size() - 1);
      }
      if (history.isEmpty()) {
        throw new IllegalStateException("Cannot roll back '" + name + "': no earlier production version is recorded"
            + (current == null ? "" : "; version " + current + " is the only one that has held PRODUCTION"));
      }
      int previous = history.remove(history.size() - 1);
      VersionRecord v = writes.requireVersion(name, previous);
      ModelRecord stored = writes.updateModel(name, (m, events) -> {
        Map<Integer, Stage> stages = new TreeMap<>(m.stages());
        Integer holder = RegisteredModel.productionHolder(m);
        if (holder != null) {
          stages.put(holder, Stage.ARCHIVED);
        }
        stages.put(previous, Stage.PRODUCTION);
        events.add(writes.event(name, RegistryEvent.Type.ROLLBACK, previous, ModelWrites.details(
            "from", holder == null ? null : holder.toString(), "to", Integer.toString(previous),
            "previous_stage", m.stageOf(previous).name())));
        return m.withStages(stages, history);
      });
      return CachedReads.view(stored, v);
    });
  }

  // ============================================================== helpers

  private <T> T write(String model, Supplier<T> action) {
    requireOpen();
    return writes.locked(model, action);
  }

  private ModelRecord updateModel(String name, ModelWrites.Change<ModelRecord> change) {
    return write(name, () -> writes.updateModel(name, change));
  }

  /** Applies {@code change} to a version; the snapshot returned has the stage and aliases stored now. */
  private ModelVersion updateVersion(String name, int version, ModelWrites.Change<VersionRecord> change) {
    Names.checkModelName(name);
    Names.checkVersionNumber(version);
    return write(name, () -> {
      VersionRecord stored = writes.updateVersion(name, version, change);
      return CachedReads.view(writes.requireModel(name), stored);
    });
  }
}
