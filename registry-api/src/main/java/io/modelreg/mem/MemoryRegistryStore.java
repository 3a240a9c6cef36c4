package io.modelreg.mem;

import io.modelreg.AlreadyExistsException;
import io.modelreg.ArtifactEntry;
import io.modelreg.ConflictException;
import io.modelreg.Digest;
import io.modelreg.GcReport;
import io.modelreg.IntegrityException;
import io.modelreg.ModelNotFoundException;
import io.modelreg.NotFoundException;
import io.modelreg.RegistryEvent;
import io.modelreg.VersionNotFoundException;
import io.modelreg.spi.ArtifactUpload;
import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.RegistryStore;
import io.modelreg.spi.StorageCheck;
import io.modelreg.spi.StoreCapability;
import io.modelreg.spi.VersionRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The reference {@link RegistryStore}: everything in maps, guarded by one monitor per store, artifact
 * bytes content-addressed by SHA-256. Create one directly for a unit test with {@link #create()}, or
 * open {@code mem:} / {@code mem:NAME} through {@link io.modelreg.ModelRegistries}.
 */
public final class MemoryRegistryStore implements RegistryStore {

  /** The data behind one store name; shared by every store opened on it. */
  static final class Data {
    final Map<String, ModelRecord> models = new TreeMap<>();
    final Map<String, TreeMap<Integer, VersionRecord>> versions = new HashMap<>();
    final Map<String, Integer> counters = new HashMap<>();
    final Map<String, List<RegistryEvent>> events = new HashMap<>();
    final ConcurrentHashMap<Digest, byte[]> blobs = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    final AtomicInteger openUploads = new AtomicInteger();
    final Set<String> uploads = new HashSet<>();
  }

  private final String description;
  private final Data data;

  private final List<Runnable> wakeHooks = new CopyOnWriteArrayList<>();

  MemoryRegistryStore(String description, Data data) {
    this.description = description;
    this.data = data;
  }

  /** A new, private, empty store. */
  public static MemoryRegistryStore create() {
    return new MemoryRegistryStore("mem:", new Data());
  }

  /** Another client on the same data, as a second process would be on a shared backend. */
  public MemoryRegistryStore sharedView() {
    return new MemoryRegistryStore(description, data);
  }

  /**
   * Keeps the hook, so a test can play a store that pushes change notifications (as {@code jdbc:}'s LISTEN/NOTIFY)
   * with {@link #signalEventsChanged}. This store never runs it by itself: without a signal, watches poll.
   */
  @Override
  public void onEventsChanged(Runnable wake) {
    wakeHooks.add(wake);
  }

  /** Runs every hook registries gave this store instance through {@link #onEventsChanged}: a change signal. */
  public void signalEventsChanged() {
    wakeHooks.forEach(Runnable::run);
  }

  /** How many hooks registries gave this store instance through {@link #onEventsChanged}. */
  public int eventsChangedHooks() {
    return wakeHooks.size();
  }

  @Override
  public Set<StoreCapability> capabilities() {
    return EnumSet.of(StoreCapability.EXCLUSIVE_MODEL_LOCK, StoreCapability.SHARED, StoreCapability.REGISTER_CHECKS_MODEL);
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public Optional<ModelRecord> findModel(String name) {
    synchronized (data) {
      return Optional.ofNullable(data.models.get(name));
    }
  }

  @Override
  public List<String> listModelNames() {
    synchronized (data) {
      return new ArrayList<>(data.models.keySet());
    }
  }

  @Override
  public ModelRecord createModel(ModelRecord model) {
    synchronized (data) {
      if (data.models.containsKey(model.name())) {
        throw new AlreadyExistsException("Registered model '" + model.name() + "' already exists");
      }
      ModelRecord stored = model.withRevision(1);
      data.models.put(model.name(), stored);
      data.versions.put(model.name(), new TreeMap<>());
      return stored;
    }
  }

  @Override
  public ModelRecord updateModel(ModelRecord model, long expectedRevision) {
    synchronized (data) {
      ModelRecord current = data.models.get(model.name());
      if (current == null) {
        throw new ModelNotFoundException(model.name());
      }
      if (current.revision() != expectedRevision) {
        throw new ConflictException("Model '" + model.name() + "' is at revision " + current.revision()
            + ", not " + expectedRevision);
      }
      ModelRecord stored = model.withRevision(expectedRevision + 1);
      data.models.put(model.name(), stored);
      return stored;
    }
  }

  @Override
  public void deleteModel(String name) {
    synchronized (data) {
      if (data.models.remove(name) == null) {
        throw new ModelNotFoundException(name);
      }
      data.versions.remove(name);
    }
  }

  @Override
  public int allocateVersionNumber(String model) {
    synchronized (data) {
      return data.counters.merge(model, 1, Integer::sum);
    }
  }

  /** Checks the model, numbers and stores under one lock: {@link StoreCapability#REGISTER_CHECKS_MODEL}. */
  @Override
  public VersionRecord registerVersion(String model, IntFunction<VersionRecord> recordFor) {
    synchronized (data) {
      if (!data.versions.containsKey(model)) {
        throw new ModelNotFoundException(model);
      }
      return createVersion(recordFor.apply(allocateVersionNumber(model)));
    }
  }

  @Override
  public VersionRecord createVersion(VersionRecord version) {
    synchronized (data) {
      TreeMap<Integer, VersionRecord> versions = data.versions.get(version.model());
      if (versions == null) {
        throw new ModelNotFoundException(version.model());
      }
      if (versions.containsKey(version.number())) {
        throw new AlreadyExistsException("Version " + version.number() + " of '" + version.model() + "' exists");
      }
      VersionRecord stored = version.withRevision(1);
      versions.put(version.number(), stored);
      return stored;
    }
  }

  @Override
  public Optional<VersionRecord> findVersion(String model, int number) {
    synchronized (data) {
      TreeMap<Integer, VersionRecord> versions = data.versions.get(model);
      return versions == null ? Optional.empty() : Optional.ofNullable(versions.get(number));
    }
  }

  @Override
  public List<VersionRecord> listVersions(String model) {
    synchronized (data) {
      TreeMap<Integer, VersionRecord> versions = data.versions.get(model);
      return versions == null ? List.of() : List.copyOf(versions.values());
    }
  }

  @Override
  public VersionRecord updateVersion(VersionRecord version, long expectedRevision) {
    synchronized (data) {
      TreeMap<Integer, VersionRecord> versions = data.versions.get(version.model());
      VersionRecord current = versions == null ? null : versions.get(version.number());
      if (versions == null || current == null) {
        throw new VersionNotFoundException("Version " + version.number() + " of model '" + version.model() + "' not found");
      }
      if (current.revision() != expectedRevision) {
        throw new ConflictException("Version " + version.number() + " of '" + version.model() + "' is at revision "
            + current.revision() + ", not " + expectedRevision);
      }
      VersionRecord stored = version.withRevision(expectedRevision + 1);
      versions.put(version.number(), stored);
      return stored;
    }
  }

  @Override
  public void deleteVersion(String model, int number) {
    synchronized (data) {
      TreeMap<Integer, VersionRecord> versions = data.versions.get(model);
      if (versions == null || versions.remove(number) == null) {
        throw new VersionNotFoundException("Version " + number + " of model '" + model + "' not found");
      }
    }
  }

  @Override
  public ArtifactUpload beginUpload(String model) {
    String location = "mem:upload/" + UUID.randomUUID();
    synchronized (data) {
      data.openUploads.incrementAndGet();
      data.uploads.add(location);
    }
    return new ArtifactUpload() {
      @Override
      public String location() {
        return location;
      }

      @Override
      public Sink open(String path) {
        return new Sink() {
          private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

          @Override
          public void write(int b) {
            buffer.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            buffer.write(b, off, len);
          }

          @Override
          public void commit(Digest digest, long size) {
            byte[] bytes = buffer.toByteArray();
            if (bytes.length != size || !Digest.of(bytes).equals(digest)) {
              throw new IntegrityException("Artifact '" + path + "' arrived as " + bytes.length + " bytes with digest "
                  + Digest.of(bytes) + ", expected " + size + " bytes with " + digest);
            }
            data.blobs.putIfAbsent(digest, bytes);
          }
        };
      }

      @Override
      public void close() {
        endUpload(location);
      }
    };
  }

  /** Ends an upload session once; later calls do nothing. */
  private void endUpload(String location) {
    synchronized (data) {
      if (data.uploads.remove(location)) {
        data.openUploads.decrementAndGet();
      }
    }
  }

  @Override
  public InputStream openArtifact(VersionRecord version, ArtifactEntry entry) {
    byte[] bytes = data.blobs.get(entry.digest());
    if (bytes == null) {
      throw new NotFoundException("The bytes of artifact '" + entry.path() + "' (" + entry.digest() + ") of version "
          + version.number() + " of '" + version.model() + "' are missing from " + description);
    }
    return new ByteArrayInputStream(bytes);
  }

  /**
   * Replaces stored bytes, for tests of integrity checks: simulates a damaged disk or object store.
   *
   * @throws NotFoundException when no bytes are stored under {@code digest}
   */
  public void tamper(Digest digest, UnaryOperator<byte[]> change) {
    byte[] bytes = data.blobs.get(digest);
    if (bytes == null) {
      throw new NotFoundException("No bytes stored under " + digest);
    }
    data.blobs.put(digest, change.apply(bytes.clone()));
  }

  @Override
  public RegistryEvent appendEvent(RegistryEvent event) {
    synchronized (data) {
      List<RegistryEvent> log = data.events.computeIfAbsent(event.model(), k -> new ArrayList<>());
      RegistryEvent stored = event.withSequence(log.size() + 1L);
      log.add(stored);
      return stored;
    }
  }

  @Override
  public List<RegistryEvent> readEvents(String model, long afterSequence) {
    synchronized (data) {
      List<RegistryEvent> log = data.events.get(model);
      if (log == null || afterSequence >= log.size()) {
        return List.of();
      }
      return List.copyOf(log.subList((int) Math.max(0, afterSequence), log.size()));
    }
  }

  @Override
  public long lastEventSequence(String model) {
    synchronized (data) {
      List<RegistryEvent> log = data.events.get(model);
      return log == null ? 0 : log.size();
    }
  }

  /** The length of the model's event log: every change through the policy layer appends an event. */
  @Override
  public Object changeToken(String model) {
    return lastEventSequence(model);
  }

  /** Re-hashes every stored object; damaged ones are reported and left for the policy layer to name. */
  @Override
  public StorageCheck verifyStorage() {
    List<String> problems = new ArrayList<>();
    Map<Digest, Long> intact = new HashMap<>();
    data.blobs.forEach((digest, bytes) -> {
      if (Digest.of(bytes).equals(digest)) {
        intact.put(digest, (long) bytes.length);
      } else {
        problems.add("Stored bytes under " + digest + " have digest " + Digest.of(bytes));
      }
    });
    return new StorageCheck(problems, intact);
  }

  @Override
  public GcReport collectGarbage() {
    synchronized (data) {
      Set<Digest> referenced = new HashSet<>();
      for (TreeMap<Integer, VersionRecord> versions : data.versions.values()) {
        for (VersionRecord v : versions.values()) {
          for (ArtifactEntry e : v.manifest().files()) {
            referenced.add(e.digest());
          }
        }
      }
      // Uploads not yet committed are protected by the upload counter: no collection while any is open.
      if (data.openUploads.get() > 0) {
        return new GcReport(0, 0, data.blobs.size());
      }
      int deleted = 0;
      long freed = 0;
      for (Map.Entry<Digest, byte[]> e : List.copyOf(data.blobs.entrySet())) {
        if (!referenced.contains(e.getKey())) {
          data.blobs.remove(e.getKey());
          deleted++;
          freed += e.getValue().length;
        }
      }
      return new GcReport(deleted, freed, data.blobs.size());
    }
  }

  @Override
  public <T> T withModelLock(String model, Supplier<T> action) {
    ReentrantLock lock = data.locks.computeIfAbsent(model, k -> new ReentrantLock());
    lock.lock();
    try {
      return action.get();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    // nothing to release; the data lives as long as a store or the shared name refers to it
  }
}
