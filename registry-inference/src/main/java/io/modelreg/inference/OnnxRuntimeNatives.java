package io.modelreg.inference;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps ONNX Runtime's native libraries in the modelreg cache instead of the temp directory.
 *
 * <p>ONNX Runtime's Java loader copies its libraries (about 28 MB on Linux) into a new
 * {@code java.io.tmpdir/onnxruntime-java<random>} directory on every start; a JVM that is killed leaves them
 * there. Unless the system property {@value #PROPERTY} is already set, {@link #prepare(Path)} extracts the
 * libraries of this platform once into {@code <cache>/native/onnxruntime-<key>/} and sets the property to that
 * directory, so ONNX Runtime loads them from there and extracts nothing. The key is the SHA-256 of the
 * libraries' names, sizes and CRC-32s as the jar lists them, so another ONNX Runtime version gets another
 * directory and the same version is shared by every JVM using the cache.
 *
 * <p>The directory is written as {@code .onnxruntime-<key>-<uuid>.partial} (each file checked against the jar's
 * CRC-32 and fsynced), completed with a {@code .complete} marker and renamed into place atomically; a JVM
 * that loses the race uses the winner's copy. Every start checks the files' sizes and CRC-32s against the
 * jar, so a damaged copy is replaced. Partial directories older than an hour (a JVM killed while
 * extracting) are deleted.
 *
 * <p>The library calls this before it starts DJL's ONNX Runtime engine. Code that uses ONNX Runtime directly
 * before loading any model should call it first too; once ONNX Runtime has started in a JVM the property has
 * no effect.
 */
public final class OnnxRuntimeNatives {
  /** The system property ONNX Runtime's loader reads: a directory already holding its native libraries. */
  public static final String PROPERTY = "onnxruntime.native.path";

  private static final String RESOURCE_ROOT = "ai/onnxruntime/native/";
  private static final String MARKER = ".complete";
  private static final Duration STALE_PARTIAL = Duration.ofHours(1);

  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(OnnxRuntimeNatives.class);
  }

  private static @Nullable Path prepared;
  private static boolean attempted;

  private OnnxRuntimeNatives() {}

  /** One native file in the jar: its path below the platform directory, size and CRC-32. */
  record NativeFile(String name, long size, long crc) {}

  /**
   * Makes sure this platform's libraries are in {@code <cacheRoot>/native/onnxruntime-<key>/} and points
   * {@value #PROPERTY} at that directory. Only the first call in a JVM does anything.
   *
   * @return the directory ONNX Runtime will load from; empty when the property was set by someone else, when
   *     the jar holds no libraries for this platform, or when the cache cannot be written (then ONNX
   *     Runtime falls back to its temp directory and a warning says why)
   */
  public static synchronized Optional<Path> prepare(Path cacheRoot) {
    return prepare(cacheRoot, Clock.systemUTC());
  }

  /** {@link #prepare(Path)} with the clock that says when a half-extracted directory is stale (an hour old). */
  static synchronized Optional<Path> prepare(Path cacheRoot, Clock clock) {
    if (attempted) {
      return Optional.ofNullable(prepared);
    }
    attempted = true;
    String preset = System.getProperty(PROPERTY);
    if (preset != null) {
      Log.LOG.debug("{} is set to {}; ONNX Runtime loads its libraries from there", PROPERTY, preset);
      return Optional.empty();
    }
    try {
      Optional<Path> dir = extract(cacheRoot.resolve("native"), clock);
      dir.ifPresent(d -> {
        System.setProperty(PROPERTY, d.toString());
        Log.LOG.debug("ONNX Runtime loads its native libraries from {}", d);
      });
      prepared = dir.orElse(null);
      return dir;
    } catch (IOException | RuntimeException e) {
      Log.LOG.warn("Cannot keep ONNX Runtime's native libraries in {} ({}); ONNX Runtime extracts them to {}"
          + " on every start instead", cacheRoot.resolve("native"), e.toString(), System.getProperty("java.io.tmpdir"));
      return Optional.empty();
    }
  }

  /**
   * Deletes the directory ONNX Runtime's loader created in {@code java.io.tmpdir} once it has started from our
   * directory. The loader creates {@code onnxruntime-java<random>} even when it extracts nothing and only marks
   * it for deletion at exit, so a killed JVM would leave it behind. Only an empty directory is deleted, and only
   * when {@link #prepare} pointed ONNX Runtime at the cache. The loader's field is read reflectively; where that
   * is refused (ONNX Runtime on the module path, not opened) the directory stays until the JVM exits.
   */
  static synchronized void removeLoaderTempDirectory() {
    if (prepared == null) {
      return;
    }
    try {
      Class<?> loader = Class.forName("ai.onnxruntime.OnnxRuntime", false, OrtEnvironment.class.getClassLoader());
      java.lang.reflect.Field field = loader.getDeclaredField("tempDirectory");
      field.setAccessible(true);
      Object value = field.get(null);
      if (value instanceof Path) {
        Path temp = (Path) value;
        try (Stream<Path> s = Files.list(temp)) {
          if (s.findAny().isEmpty()) {
            Files.delete(temp);
            Log.LOG.debug("Deleted ONNX Runtime's empty loader directory {}", temp);
          }
        }
      }
    } catch (java.nio.file.NoSuchFileException gone) {
      // already deleted
    } catch (ReflectiveOperationException | IOException | RuntimeException e) {
      Log.LOG.debug("Cannot delete ONNX Runtime's loader directory: {}", e.toString());
    }
  }

  /** This platform's directory name in ONNX Runtime's jar ({@code linux-x64}, {@code osx-aarch64}, ...). */
  static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String o = os.contains("linux") ? "linux" : os.contains("mac") || os.contains("darwin") ? "osx"
        : os.contains("win") ? "win" : os;
    String a = arch.equals("amd64") || arch.equals("x86_64") ? "x64"
        : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
    return o + "-" + a;
  }

  /**
   * Extracts (or finds intact) this platform's libraries under {@code nativeRoot} without touching the system
   * property; empty when the jar has none for this platform. Leftovers of other extractions count as stale
   * when {@code clock} says they are an hour old.
   */
  static Optional<Path> extract(Path nativeRoot, Clock clock) throws IOException {
    String prefix = RESOURCE_ROOT + platform() + "/";
    URL probe = OrtEnvironment.class.getClassLoader().getResource(prefix + System.mapLibraryName("onnxruntime"));
    if (probe == null) {
      Log.LOG.debug("ONNX Runtime's jar has no libraries under {}; leaving its loader alone", prefix);
      return Optional.empty();
    }
    URLConnection connection = probe.openConnection();
    if (!(connection instanceof JarURLConnection)) {
      Log.LOG.debug("ONNX Runtime's libraries are not in a jar ({}); leaving its loader alone", probe);
      return Optional.empty();
    }
    connection.setUseCaches(false);
    try (JarFile jar = ((JarURLConnection) connection).getJarFile()) {
      List<NativeFile> files = new ArrayList<>();
      for (JarEntry e : jar.stream().toList()) {
        String n = e.getName();
        if (n.startsWith(prefix) && !e.isDirectory() && !n.contains(".dSYM/")) {
          files.add(new NativeFile(n.substring(prefix.length()), e.getSize(), e.getCrc()));
        }
      }
      files.sort(Comparator.comparing(NativeFile::name));
      Path target = nativeRoot.resolve("onnxruntime-" + key(files));
      Files.createDirectories(nativeRoot);
      deleteStalePartials(nativeRoot, clock);
      if (intact(target, files)) {
        return Optional.of(target);
      }
      if (Files.exists(target)) {
        Log.LOG.debug("{} is damaged or incomplete; extracting again", target);
        Path doomed = nativeRoot.resolve(".damaged-" + UUID.randomUUID());
        try {
          Files.move(target, doomed, StandardCopyOption.ATOMIC_MOVE);
          ModelBundle.deleteQuietly(doomed);
        } catch (java.nio.file.NoSuchFileException gone) {
          // another JVM moved it first
        }
      }
      Path staging = nativeRoot.resolve("." + target.getFileName() + "-" + UUID.randomUUID() + ".partial");
      try {
        Files.createDirectory(staging);
        for (NativeFile f : files) {
          copy(jar, prefix + f.name(), f, staging.resolve(f.name()));
        }
        Path marker = staging.resolve(MARKER);
        Files.writeString(marker, "onnxruntime natives for " + platform() + "\n", StandardCharsets.UTF_8);
        fsync(marker);
        fsyncDirectory(staging);
        try {
          Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
          fsyncDirectory(nativeRoot);
        } catch (AtomicMoveNotSupportedException e) {
          throw new IOException(nativeRoot + " cannot rename atomically", e);
        } catch (FileSystemException raced) {
          // FileAlreadyExists, DirectoryNotEmpty, or on Linux a plain "Directory not empty": another JVM won
          if (!intact(target, files)) {
            throw raced;
          }
        }
      } finally {
        if (Files.exists(staging)) {
          ModelBundle.deleteQuietly(staging);
        }
      }
      return Optional.of(target);
    }
  }

  private static String key(List<NativeFile> files) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (NativeFile f : files) {
        sha.update((f.name() + "\t" + f.size() + "\t" + Long.toHexString(f.crc()) + "\n").getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Whether {@code dir} is complete and every file has the jar's size and CRC-32. */
  private static boolean intact(Path dir, List<NativeFile> files) throws IOException {
    if (!Files.exists(dir.resolve(MARKER))) {
      return false;
    }
    byte[] buffer = new byte[1 << 16];
    for (NativeFile f : files) {
      Path p = dir.resolve(f.name());
      if (!Files.isRegularFile(p) || Files.size(p) != f.size()) {
        return false;
      }
      CRC32 crc = new CRC32();
      try (InputStream in = Files.newInputStream(p)) {
        int n;
        while ((n = in.read(buffer)) > 0) {
          crc.update(buffer, 0, n);
        }
      }
      if (f.crc() >= 0 && crc.getValue() != f.crc()) {
        return false;
      }
    }
    return true;
  }

  private static void copy(JarFile jar, String entryName, NativeFile f, Path to) throws IOException {
    JarEntry entry = jar.getJarEntry(entryName);
    if (entry == null) {
      throw new IOException("ONNX Runtime's jar lost " + entryName + " while it was read");
    }
    Files.createDirectories(to.getParent());
    CRC32 crc = new CRC32();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = jar.getInputStream(entry);
        OutputStream out = Files.newOutputStream(to, StandardOpenOption.CREATE_NEW)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        crc.update(buffer, 0, n);
        out.write(buffer, 0, n);
      }
    }
    if (f.crc() >= 0 && crc.getValue() != f.crc()) {
      throw new IOException("Extracting " + entryName + " gave CRC-32 " + Long.toHexString(crc.getValue())
          + " but the jar lists " + Long.toHexString(f.crc()));
    }
    fsync(to);
  }

  private static void fsync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /** Makes a rename or a new entry durable; not every platform can open a directory, which is then skipped. */
  private static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Windows cannot open a directory as a channel; its renames are durable without it
    }
  }

  private static void deleteStalePartials(Path nativeRoot, Clock clock) throws IOException {
    Instant cutoff = clock.instant().minus(STALE_PARTIAL);
    try (Stream<Path> s = Files.list(nativeRoot)) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        boolean leftover = (n.endsWith(".partial") && n.startsWith(".onnxruntime-")) || n.startsWith(".damaged-");
        if (leftover && Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
          ModelBundle.deleteQuietly(p);
        }
      }
    }
  }
}
