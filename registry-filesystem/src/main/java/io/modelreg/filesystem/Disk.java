package io.modelreg.filesystem;

import io.modelreg.RegistryException;
import io.modelreg.Ticker;
import io.modelreg.TransientRegistryException;
import io.modelreg.spi.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Durable file operations: atomic replacement (temp file, fsync, rename, directory fsync) and model
 * locks that exclude threads of this JVM and other processes alike.
 */
final class Disk {
  private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private Disk() {}

  /**
   * Replaces {@code target} with {@code bytes} atomically and durably: readers see the old or the new
   * content, never a mix, and after return the new content survives a power cut.
   */
  static void writeAtomically(Path tmpDir, Path target, byte[] bytes) throws IOException {
    Path tmp = DurableFiles.tempFile(tmpDir, "meta");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      DurableFiles.moveAtomically(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
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
