package io.modelreg.filesystem;

import io.modelreg.RegistryException;
import io.modelreg.Ticker;
import io.modelreg.TransientRegistryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Durable file operations: atomic replacement (temp file, fsync, rename, directory fsync) and model
 * locks that exclude threads of this JVM and other processes alike.
 */
final class Disk {
  /** This process, written into temp file names so that opening a registry can tell orphans from live ones. */
  static final long PID = ProcessHandle.current().pid();
  private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private Disk() {}

  /** A new temp file name in {@code tmpDir}: {@code <kind>-<pid>-<uuid>.tmp}. */
  static Path tempFile(Path tmpDir, String kind) {
    return tmpDir.resolve(kind + "-" + PID + "-" + UUID.randomUUID() + ".tmp");
  }

  /** The writer's pid of a temp file name, if it has one. */
  static Optional<Long> writerPid(String fileName) {
    String[] parts = fileName.split("-", 3);
    if (parts.length == 3 && fileName.endsWith(".tmp")) {
      try {
        return Optional.of(Long.parseLong(parts[1]));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /**
   * Replaces {@code target} with {@code bytes} atomically and durably: readers see the old or the new
   * content, never a mix, and after return the new content survives a power cut.
   */
  static void writeAtomically(Path tmpDir, Path target, byte[] bytes) throws IOException {
    Path tmp = tempFile(tmpDir, "meta");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      moveAtomically(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Renames {@code source} over {@code target} atomically, then makes the rename durable. */
  static void moveAtomically(Path source, Path target) throws IOException {
    try {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("The file system of " + target + " cannot rename atomically; a file: registry needs a"
          + " local file system (the temp directory and the registry must be on the same one)", e);
    }
    Path parent = target.getParent();
    if (parent != null) {
      syncDirectory(parent);
    }
  }

  /** Flushes a directory's entries to disk (a no-op where the platform cannot open directories). */
  static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Windows cannot open a directory as a channel; its renames are durable through the journal.
    }
  }

  /** Creates a directory and its parents, syncing each directory that gains an entry. */
  static void createDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.getParent();
    if (parent != null) {
      createDirectories(parent);
    }
    try {
      Files.createDirectory(dir);
    } catch (java.nio.file.FileAlreadyExistsException e) {
      if (!Files.isDirectory(dir)) {
        throw e;
      }
      return;
    }
    if (parent != null) {
      syncDirectory(parent);
    }
  }

  /** The parent directory of a file path that has one. */
  static Path parentOf(Path file) {
    Path parent = file.getParent();
    if (parent == null) {
      throw new IllegalArgumentException(file + " has no parent directory");
    }
    return parent;
  }

  /** Reads a file, or returns null when it does not exist. */
  static byte @org.jspecify.annotations.Nullable [] readIfExists(Path file) throws IOException {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /**
   * Runs {@code action} holding the lock on {@code lockFile}: a reentrant lock for the threads of this
   * JVM (shared by every store open on the same file) and an exclusive file lock for other processes.
   * A thread that already holds it runs the action directly.
   *
   * @throws TransientRegistryException when the lock is not free within {@code timeout} (measured by {@code ticker})
   */
  static <T> T withLock(Path lockFile, Duration timeout, Ticker ticker, Supplier<T> action) {
    ReentrantLock jvm = JVM_LOCKS.computeIfAbsent(lockFile, k -> new ReentrantLock());
    if (jvm.isHeldByCurrentThread()) {
      return action.get();
    }
    long deadline = ticker.nanoTime() + timeout.toNanos();
    try {
      if (!jvm.tryLock(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
        throw new TransientRegistryException("Timed out after " + timeout + " waiting for " + lockFile
            + " (held by another thread of this process)", null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientRegistryException("Interrupted while waiting for " + lockFile, e);
    }
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = acquire(ch, false, lockFile, deadline, timeout, ticker)) {
      return action.get();
    } catch (IOException e) {
      throw new RegistryException("Cannot lock " + lockFile + ": " + e, e);
    } finally {
      jvm.unlock();
    }
  }

  /** Takes a file lock, polling with back-off (1 ms doubling to 20 ms) until the deadline on {@code ticker}. */
  static FileLock acquire(FileChannel ch, boolean shared, Path lockFile, long deadlineNanos, Duration timeout,
      Ticker ticker) throws IOException {
    long pause = 1;
    while (true) {
      FileLock lock = ch.tryLock(0, Long.MAX_VALUE, shared);
      if (lock != null) {
        return lock;
      }
      if (ticker.nanoTime() > deadlineNanos) {
        throw new TransientRegistryException("Timed out after " + timeout + " waiting for " + lockFile
            + " (held by another process)", null);
      }
      try {
        ticker.sleep(Duration.ofMillis(pause));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TransientRegistryException("Interrupted while waiting for " + lockFile, e);
      }
      pause = Math.min(pause * 2, 20);
    }
  }
}
