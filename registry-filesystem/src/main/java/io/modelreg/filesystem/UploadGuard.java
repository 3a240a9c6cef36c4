package io.modelreg.filesystem;

import io.modelreg.RegistryException;
import io.modelreg.Ticker;
import io.modelreg.TransientRegistryException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Keeps garbage collection away from bytes uploaded for a version that is not committed yet.
 *
 * <p>While any upload of this JVM is open, the JVM holds a shared lock on {@code locks/gc.lock};
 * collection takes it exclusively, so it waits for every open upload in every process, and uploads wait
 * for a running collection. One guard per lock file and JVM, because a JVM cannot hold two locks on the
 * same file.
 */
final class UploadGuard {
  private static final ConcurrentHashMap<Path, UploadGuard> GUARDS = new ConcurrentHashMap<>();

  private final Path lockFile;
  private final Duration timeout;
  private final Ticker ticker;
  private int open;
  private boolean collecting;
  private @Nullable FileChannel channel;
  private @Nullable FileLock shared;

  private UploadGuard(Path lockFile, Duration timeout, Ticker ticker) {
    this.lockFile = lockFile;
    this.timeout = timeout;
    this.ticker = ticker;
  }

  /** The guard of {@code lockFile} in this JVM; the first store to ask sets its timeout and ticker. */
  static UploadGuard forLockFile(Path lockFile, Duration timeout, Ticker ticker) {
    return GUARDS.computeIfAbsent(lockFile, k -> new UploadGuard(k, timeout, ticker));
  }

  synchronized void beginUpload() {
    long deadline = ticker.nanoTime() + timeout.toNanos();
    while (collecting) {
      waitUntil(deadline);
    }
    if (open == 0) {
      try {
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        try {
          shared = Disk.acquire(ch, true, lockFile, deadline, timeout, ticker);
        } catch (IOException | RuntimeException e) {
          ch.close();
          throw e;
        }
        channel = ch;
      } catch (IOException e) {
        throw new RegistryException("Cannot lock " + lockFile + ": " + e, e);
      }
    }
    open++;
  }

  synchronized void endUpload() {
    if (open <= 0) {
      return;
    }
    if (--open == 0) {
      release();
    }
    notifyAll();
  }

  /** Runs {@code collection} when no upload is open anywhere, keeping new uploads out meanwhile. */
  <T> T exclusively(Supplier<T> collection) {
    long deadline = ticker.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (open > 0 || collecting) {
        waitUntil(deadline);
      }
      collecting = true;
    }
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = Disk.acquire(ch, false, lockFile, deadline, timeout, ticker)) {
      return collection.get();
    } catch (IOException e) {
      throw new RegistryException("Cannot lock " + lockFile + ": " + e, e);
    } finally {
      synchronized (this) {
        collecting = false;
        notifyAll();
      }
    }
  }

  private void release() {
    try {
      FileLock lock = shared;
      if (lock != null) {
        lock.release();
      }
      FileChannel ch = channel;
      if (ch != null) {
        ch.close();
      }
    } catch (IOException e) {
      // the lock goes with the channel; nothing else to do
    } finally {
      shared = null;
      channel = null;
    }
  }

  private void waitUntil(long deadlineNanos) {
    long left = deadlineNanos - ticker.nanoTime();
    if (left <= 0) {
      throw new TransientRegistryException("Timed out after " + timeout + " waiting for " + lockFile, null);
    }
    try {
      wait(Math.max(1, left / 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientRegistryException("Interrupted while waiting for " + lockFile, e);
    }
  }
}
