package io.modelreg.filesystem;

import io.modelreg.AlreadyExistsException;
import io.modelreg.ArtifactEntry;
import io.modelreg.ConflictException;
import io.modelreg.Digest;
import io.modelreg.GcReport;
import io.modelreg.IntegrityException;
import io.modelreg.ModelNotFoundException;
import io.modelreg.Names;
import io.modelreg.NotFoundException;
import io.modelreg.RegistryEvent;
import io.modelreg.RegistryException;
import io.modelreg.Ticker;
import io.modelreg.VersionNotFoundException;
import io.modelreg.spi.ArtifactUpload;
import io.modelreg.spi.BlobDirectory;
import io.modelreg.spi.DurableFiles;
import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.RegistryStore;
import io.modelreg.spi.StorageCheck;
import io.modelreg.spi.StoreCapability;
import io.modelreg.spi.TreeReader;
import io.modelreg.spi.VersionRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code file:} store. Layout under the root (see the module README for an example):
 *
 * <pre>
 * modelreg.json                       format version of the directory
 * models/NAME/model.json              the model record
 * models/NAME/versions/N.json         one file per version
 * models/NAME/events.jsonl            append-only event log (kept when the model is deleted)
 * models/NAME/counter                 last version number allocated (kept when the model is deleted)
 * blobs/sha256/AB/ABCD…               artifact bytes, stored once, named by their SHA-256
 * locks/NAME.lock, locks/gc.lock      lock files
 * tmp/                                temp files, renamed into place when complete
 * </pre>
 *
 * Every file is written to {@code tmp/}, fsynced, renamed over its target and the target directory is
 * fsynced; blobs are durable before the version record that names them. Writes to a model hold its
 * lock (threads and processes); reads take no lock and only ever see complete files.
 */
public final class FilesystemRegistryStore implements RegistryStore {
  /** Created on first use, so opening a registry does not initialise the logging backend. */
  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(FilesystemRegistryStore.class);
  }
  private static final Pattern VERSION_FILE = Pattern.compile("[1-9][0-9]{0,9}\\.json");
  private static final Duration ORPHAN_AGE = Duration.ofDays(1);
  /** Where version records say their artifacts are: content-addressed blobs under the root. */
  static final String ARTIFACT_LOCATION = "blobs/sha256";

  private final Path root;
  private final Path models;
  private final BlobDirectory blobs;
  private final Path tmp;
  private final Path locks;
  private final Duration lockTimeout;
  private final Ticker ticker;
  private final Clock clock;
  private final UploadGuard uploads;
  private final ConcurrentHashMap<String, EventLog> eventLogs = new ConcurrentHashMap<>();

  /**
   * Opens (creating it if needed) the registry directory {@code root}, and removes temp files left by
   * processes that no longer run.
   *
   * @throws RegistryException if the directory cannot be created or was written by a newer format
   */
  public static FilesystemRegistryStore open(Path root, Duration lockTimeout) {
    return open(root, lockTimeout, Ticker.system());
  }

  /**
   * Opens the registry directory {@code root} like {@link #open(Path, Duration)}, measuring lock timeouts and
   * pausing between lock attempts with {@code ticker}.
   */
  public static FilesystemRegistryStore open(Path root, Duration lockTimeout, Ticker ticker) {
    return open(root, lockTimeout, ticker, Clock.systemUTC());
  }

  /**
   * Opens the registry directory {@code root} like {@link #open(Path, Duration, Ticker)}, taking wall-clock
   * time from {@code clock}: the {@code created_at} of a new registry's {@code modelreg.json} and the age
   * past which a temp file of an unknown writer is an orphan. The provider passes {@link
   * io.modelreg.RegistryOptions#clock()}.
   */
  public static FilesystemRegistryStore open(Path root, Duration lockTimeout, Ticker ticker, Clock clock) {
    try {
      return new FilesystemRegistryStore(root, lockTimeout, ticker, clock);
    } catch (IOException e) {
      throw new RegistryException("Cannot open the file registry at " + root + ": " + e, e);
    }
  }

  private FilesystemRegistryStore(Path root, Duration lockTimeout, Ticker ticker, Clock clock) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    this.models = this.root.resolve("models");
    this.tmp = this.root.resolve("tmp");
    this.locks = this.root.resolve("locks");
    this.lockTimeout = lockTimeout;
    this.ticker = ticker;
    this.clock = clock;
    for (Path dir : List.of(models, tmp, locks)) {
      DurableFiles.createDirectories(dir);
      if (Files.isSymbolicLink(dir)) {
        throw new RegistryException(dir + " is a symbolic link; a file registry keeps its data inside " + this.root);
      }
    }
    this.blobs = BlobDirectory.open(this.root.resolve("blobs").resolve("sha256"), tmp);
    checkFormatFile();
    this.uploads = UploadGuard.forLockFile(locks.resolve("gc.lock"), lockTimeout, ticker);
    cleanOrphans(false);
  }

  private void checkFormatFile() throws IOException {
    Path file = root.resolve("modelreg.json");
    byte[] bytes = Disk.readIfExists(file);
    if (bytes == null) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("format", Codec.FORMAT);
      o.put("kind", "modelreg file registry");
      o.put("created_at", clock.instant().toString());
      Disk.writeAtomically(tmp, file, Json.write(o, true));
      return;
    }
    long format = TreeReader.of(Json.parse(bytes, file.toString()), file.toString()).lng("format");
    if (format > Codec.FORMAT) {
      throw new RegistryException("The registry at " + root + " has format " + format + "; this modelreg reads format "
          + Codec.FORMAT + ". It was created by a newer modelreg: upgrade to open it");
    }
  }

  /** Deletes temp files whose writer process is gone (or, without a pid in the name, older than a day). */
  private int cleanOrphans(boolean report) throws IOException {
    int removed = DurableFiles.deleteOrphans(tmp, name -> {
      Optional<Long> pid = DurableFiles.writerPid(name);
      return pid.isPresent() && pid.get() != DurableFiles.PID && ProcessHandle.of(pid.get()).isEmpty();
    }, clock.instant(), ORPHAN_AGE);
    if (removed > 0 && report) {
      Log.LOG.info("Removed {} temp files left by processes that stopped in {}", removed, tmp);
    }
    return removed;
  }

  /** The registry directory. */
  public Path root() {
    return root;
  }

  @Override
  public Set<StoreCapability> capabilities() {
    return EnumSet.of(StoreCapability.EXCLUSIVE_MODEL_LOCK, StoreCapability.DURABLE, StoreCapability.SHARED);
  }

  @Override
  public String describe() {
    return root.toUri().toString();
  }

  // ================================================================== paths

  private Path modelDir(String name) {
    return models.resolve(Names.checkModelName(name));
  }

  private Path modelFile(String name) {
    return modelDir(name).resolve("model.json");
  }

  private Path versionsDir(String name) {
    return modelDir(name).resolve("versions");
  }

  private Path versionFile(String name, int number) {
    return versionsDir(name).resolve(number + ".json");
  }

  private Path lockFile(String model) {
    return locks.resolve(Names.checkModelName(model) + ".lock");
  }

  // ================================================================== models

  @Override
  public Optional<ModelRecord> findModel(String name) {
    Path file = modelFile(name);
    byte[] bytes = read(file);
    return bytes == null ? Optional.empty() : Optional.of(Codec.model(bytes, file.toString()));
  }

  @Override
  public List<String> listModelNames() {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(models)) {
      for (Path dir : dirs) {
        String name = String.valueOf(dir.getFileName());
        if (Names.checkModelNameOrNull(name) != null && Files.exists(dir.resolve("model.json"))) {
          names.add(name);
        }
      }
    } catch (IOException e) {
      throw failure("list models in " + models, e);
    }
    names.sort(null);
    return names;
  }

  @Override
  public ModelRecord createModel(ModelRecord model) {
    return locked(model.name(), () -> {
      Path file = modelFile(model.name());
      if (Files.exists(file)) {
        throw new AlreadyExistsException("Registered model '" + model.name() + "' already exists");
      }
      try {
        Path dir = modelDir(model.name());
        DurableFiles.createDirectories(dir);
        if (!dir.toRealPath().startsWith(root.toRealPath()) || Files.isSymbolicLink(dir)) {
          throw new RegistryException(dir + " leads outside the registry " + root + "; refusing to write there");
        }
        deleteVersionFiles(model.name()); // left by a deletion that was interrupted
        DurableFiles.createDirectories(versionsDir(model.name()));
        ModelRecord stored = model.withRevision(1);
        Disk.writeAtomically(tmp, file, Codec.model(stored));
        return stored;
      } catch (IOException e) {
        throw failure("create model '" + model.name() + "'", e);
      }
    });
  }

  @Override
  public ModelRecord updateModel(ModelRecord model, long expectedRevision) {
    return locked(model.name(), () -> {
      ModelRecord current = findModel(model.name()).orElseThrow(() -> new ModelNotFoundException(model.name()));
      if (current.revision() != expectedRevision) {
        throw new ConflictException("Model '" + model.name() + "' is at revision " + current.revision() + ", not "
            + expectedRevision);
      }
      ModelRecord stored = model.withRevision(expectedRevision + 1);
      write(modelFile(model.name()), Codec.model(stored));
      return stored;
    });
  }

  @Override
  public void deleteModel(String name) {
    locked(name, () -> {
      Path file = modelFile(name);
      try {
        if (!Files.deleteIfExists(file)) {
          throw new ModelNotFoundException(name);
        }
        DurableFiles.syncDirectory(modelDir(name));
        deleteVersionFiles(name);
      } catch (IOException e) {
        throw failure("delete model '" + name + "'", e);
      }
      return null;
    });
  }

  private void deleteVersionFiles(String name) throws IOException {
    Path dir = versionsDir(name);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        Files.deleteIfExists(f);
      }
    }
    DurableFiles.syncDirectory(dir);
  }

  // ================================================================== versions

  @Override
  public int allocateVersionNumber(String model) {
    return locked(model, () -> {
      Path counter = modelDir(model).resolve("counter");
      try {
        byte[] bytes = Disk.readIfExists(counter);
        int last;
        if (bytes == null) {
          last = 0;
          for (VersionRecord v : listVersions(model)) {
            last = Math.max(last, v.number());
          }
        } else {
          try {
            last = Integer.parseInt(new String(bytes, StandardCharsets.US_ASCII).trim());
          } catch (NumberFormatException e) {
            throw new IntegrityException("Corrupt registry file " + counter + ": expected the last version number");
          }
        }
        int next = last + 1;
        DurableFiles.createDirectories(modelDir(model));
        Disk.writeAtomically(tmp, counter, (next + "\n").getBytes(StandardCharsets.US_ASCII));
        return next;
      } catch (IOException e) {
        throw failure("allocate a version number for '" + model + "'", e);
      }
    });
  }

  @Override
  public VersionRecord createVersion(VersionRecord version) {
    return locked(version.model(), () -> {
      if (!Files.exists(modelFile(version.model()))) {
        throw new ModelNotFoundException(version.model());
      }
      Path file = versionFile(version.model(), version.number());
      if (Files.exists(file)) {
        throw new AlreadyExistsException("Version " + version.number() + " of '" + version.model() + "' exists");
      }
      VersionRecord stored = version.withRevision(1);
      try {
        DurableFiles.createDirectories(versionsDir(version.model()));
      } catch (IOException e) {
        throw failure("create " + versionsDir(version.model()), e);
      }
      write(file, Codec.version(stored));
      return stored;
    });
  }

  @Override
  public Optional<VersionRecord> findVersion(String model, int number) {
    if (!Files.exists(modelFile(model))) {
      return Optional.empty();
    }
    Path file = versionFile(model, number);
    byte[] bytes = read(file);
    return bytes == null ? Optional.empty() : Optional.of(Codec.version(bytes, file.toString()));
  }

  @Override
  public List<VersionRecord> listVersions(String model) {
    Path dir = versionsDir(model);
    TreeMap<Integer, VersionRecord> out = new TreeMap<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String name = String.valueOf(f.getFileName());
        if (VERSION_FILE.matcher(name).matches()) {
          byte[] bytes = read(f);
          if (bytes != null) {
            VersionRecord v = Codec.version(bytes, f.toString());
            out.put(v.number(), v);
          }
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw failure("list versions of '" + model + "'", e);
    }
    return List.copyOf(out.values());
  }

  @Override
  public VersionRecord updateVersion(VersionRecord version, long expectedRevision) {
    return locked(version.model(), () -> {
      VersionRecord current = findVersion(version.model(), version.number()).orElseThrow(() ->
          new VersionNotFoundException("Version " + version.number() + " of model '" + version.model() + "' not found"));
      if (current.revision() != expectedRevision) {
        throw new ConflictException("Version " + version.number() + " of '" + version.model() + "' is at revision "
            + current.revision() + ", not " + expectedRevision);
      }
      VersionRecord stored = version.withRevision(expectedRevision + 1);
      write(versionFile(version.model(), version.number()), Codec.version(stored));
      return stored;
    });
  }

  @Override
  public void deleteVersion(String model, int number) {
    locked(model, () -> {
      try {
        if (!Files.deleteIfExists(versionFile(model, number))) {
          throw new VersionNotFoundException("Version " + number + " of model '" + model + "' not found");
        }
        DurableFiles.syncDirectory(versionsDir(model));
      } catch (IOException e) {
        throw failure("delete version " + number + " of '" + model + "'", e);
      }
      return null;
    });
  }

  // ================================================================== artifacts

  @Override
  public ArtifactUpload beginUpload(String model) {
    Names.checkModelName(model);
    uploads.beginUpload();
    return new ArtifactUpload() {
      private boolean closed;

      @Override
      public String location() {
        return ARTIFACT_LOCATION;
      }

      @Override
      public Sink open(String path) throws IOException {
        return blobs.newSink(Long.toString(DurableFiles.PID));
      }

      @Override
      public synchronized void close() {
        if (!closed) {
          closed = true;
          uploads.endUpload();
        }
      }
    };
  }

  @Override
  public InputStream openArtifact(VersionRecord version, ArtifactEntry entry) throws IOException {
    Path file = blobs.file(entry.digest());
    try {
      return blobs.open(entry.digest());
    } catch (NoSuchFileException e) {
      throw new NotFoundException("The bytes of artifact '" + entry.path() + "' of version " + version.number()
          + " of '" + version.model() + "' are missing: " + file + " does not exist");
    }
  }

  // ================================================================== events

  private EventLog eventLog(String model) {
    return eventLogs.computeIfAbsent(model, m -> new EventLog(m, modelDir(m).resolve("events.jsonl")));
  }

  @Override
  public RegistryEvent appendEvent(RegistryEvent event) {
    return locked(event.model(), () -> {
      try {
        DurableFiles.createDirectories(modelDir(event.model()));
        return eventLog(event.model()).append(event);
      } catch (IOException e) {
        throw failure("append to the event log of '" + event.model() + "'", e);
      }
    });
  }

  @Override
  public List<RegistryEvent> readEvents(String model, long afterSequence) {
    try {
      return eventLog(model).after(afterSequence);
    } catch (IOException e) {
      throw failure("read the event log of '" + model + "'", e);
    }
  }

  @Override
  public long lastEventSequence(String model) {
    try {
      return eventLog(model).last();
    } catch (IOException e) {
      throw failure("read the event log of '" + model + "'", e);
    }
  }

  /** The size and modification time of the model's event log: every change appends to it. */
  @Override
  public Object changeToken(String model) {
    try {
      BasicFileAttributes a = Files.readAttributes(modelDir(model).resolve("events.jsonl"), BasicFileAttributes.class);
      return a.size() + "@" + a.lastModifiedTime().toMillis();
    } catch (NoSuchFileException e) {
      return "none";
    } catch (IOException e) {
      throw failure("stat the event log of '" + model + "'", e);
    }
  }

  // ================================================================== maintenance

  @Override
  public StorageCheck verifyStorage() {
    List<String> problems = new ArrayList<>();
    Map<Digest, Long> intact = new HashMap<>();
    try {
      blobs.verify(problems, intact);
    } catch (IOException e) {
      throw failure("list " + blobs.root(), e);
    }
    // the policy layer reads every listed model's record, versions and history; what only this store sees is
    // an entry that is no model name, and the history a deleted model leaves behind
    Set<String> listed = new HashSet<>(listModelNames());
    for (String name : listModelDirs(problems)) {
      if (listed.contains(name)) {
        continue;
      }
      try {
        readEvents(name, 0);
      } catch (IntegrityException e) {
        problems.add(e.getMessage());
      }
    }
    return new StorageCheck(problems, intact);
  }

  @Override
  public GcReport collectGarbage() {
    return uploads.exclusively(() -> {
      Set<Digest> referenced = new HashSet<>();
      for (String name : listModelNames()) {
        for (VersionRecord v : listVersions(name)) {
          for (ArtifactEntry e : v.manifest().files()) {
            referenced.add(e.digest());
          }
        }
      }
      int[] deleted = {0};
      int[] kept = {0};
      long[] freed = {0};
      List<String> problems = new ArrayList<>();
      try {
        blobs.forEach(problems, (digest, file) -> {
          if (referenced.contains(digest)) {
            kept[0]++;
            return;
          }
          try {
            long size = blobs.delete(digest);
            if (size >= 0) {
              deleted[0]++;
              freed[0] += size;
            }
          } catch (IOException e) {
            Log.LOG.warn("gc could not delete {}: {}", file, e.toString());
          }
        });
      } catch (IOException e) {
        throw failure("list " + blobs.root(), e);
      }
      try {
        cleanOrphans(true);
      } catch (IOException e) {
        Log.LOG.warn("gc could not clean {}: {}", tmp, e.toString());
      }
      return new GcReport(deleted[0], freed[0], kept[0]);
    });
  }

  private List<String> listModelDirs(List<String> problems) {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(models)) {
      for (Path dir : dirs) {
        String name = String.valueOf(dir.getFileName());
        if (Names.checkModelNameOrNull(name) == null) {
          problems.add("Unexpected entry in " + models + ": " + name);
        } else {
          names.add(name);
        }
      }
    } catch (IOException e) {
      throw failure("list " + models, e);
    }
    return names;
  }

  // ================================================================== plumbing

  @Override
  public <T> T withModelLock(String model, Supplier<T> action) {
    return locked(model, action);
  }

  private <T> T locked(String model, Supplier<T> action) {
    return Disk.withLock(lockFile(model), lockTimeout, ticker, action);
  }

  private static byte @Nullable [] read(Path file) {
    try {
      return Disk.readIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
  }

  private void write(Path file, byte[] bytes) {
    try {
      Disk.writeAtomically(tmp, file, bytes);
    } catch (IOException e) {
      throw failure("write " + file, e);
    }
  }

  private RegistryException failure(String what, IOException e) {
    return new RegistryException("Cannot " + what + " in " + root + ": " + e, e);
  }

  @Override
  public void close() {
    eventLogs.clear();
  }
}
