package io.modelreg.filesystem;

import io.modelreg.Ticker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.TransientRegistryException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guard between uploads and garbage collection. Another process's view of the file lock is what {@link
 * GcRaceTest} and the multi-process tests exercise; here the guard is driven directly, and the lock is observed
 * through this JVM, which cannot take a second lock on a file it has locked.
 */
class UploadGuardTest {
  @TempDir Path dir;

  private static boolean lockedInThisJvm(Path lockFile) throws IOException {
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      try (FileLock lock = ch.tryLock()) {
        return lock == null;
      } catch (OverlappingFileLockException e) {
        return true;
      }
    }
  }

  /** Waits until {@code t} blocks (a state check, not a sleep for timing). */
  private static void awaitBlocked(Thread t) {
    while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
      assertThat(t.isAlive()).as("the thread ended instead of waiting").isTrue();
      Thread.onSpinWait();
    }
  }

  @Test
  void oneGuardPerLockFile() {
    Path lock = dir.resolve("gc.lock");
    assertThat(UploadGuard.forLockFile(lock, Duration.ofSeconds(1), Ticker.system()))
        .isSameAs(UploadGuard.forLockFile(lock, Duration.ofSeconds(5), Ticker.system()));
    assertThat(UploadGuard.forLockFile(dir.resolve("other.lock"), Duration.ofSeconds(1), Ticker.system()))
        .isNotSameAs(UploadGuard.forLockFile(lock, Duration.ofSeconds(1), Ticker.system()));
  }

  @Test
  void theFileIsLockedWhileAnyUploadIsOpenAndReleasedAfterTheLast() throws IOException {
    Path lock = dir.resolve("gc.lock");
    UploadGuard guard = UploadGuard.forLockFile(lock, Duration.ofSeconds(5), Ticker.system());
    guard.beginUpload();
    guard.beginUpload();
    assertThat(lockedInThisJvm(lock)).isTrue();
    guard.endUpload();
    assertThat(lockedInThisJvm(lock)).as("one upload is still open").isTrue();
    guard.endUpload();
    assertThat(lockedInThisJvm(lock)).isFalse();
    guard.endUpload(); // one end too many is harmless
    guard.beginUpload();
    assertThat(lockedInThisJvm(lock)).isTrue();
    guard.endUpload();
  }

  @Test
  void collectionRunsWhenNoUploadIsOpenAndGivesItsResult() {
    UploadGuard guard = UploadGuard.forLockFile(dir.resolve("gc.lock"), Duration.ofSeconds(5), Ticker.system());
    assertThat(guard.exclusively(() -> "collected")).isEqualTo("collected");
    assertThatThrownBy(() -> guard.exclusively(() -> {
      throw new IllegalStateException("boom");
    })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    assertThat(guard.exclusively(() -> "again")).as("a failed collection leaves the guard usable").isEqualTo("again");
  }

  @Test
  void collectionWaitsForTheOpenUploadAndTimesOutWithATransientError() {
    Path lock = dir.resolve("gc.lock");
    UploadGuard guard = UploadGuard.forLockFile(lock, Duration.ofMillis(50), Ticker.system());
    guard.beginUpload();
    AtomicBoolean ran = new AtomicBoolean();
    assertThatThrownBy(() -> guard.exclusively(() -> ran.getAndSet(true)))
        .isInstanceOf(TransientRegistryException.class)
        .hasMessage("Timed out after PT0.05S waiting for " + lock);
    assertThat(ran).isFalse();
    guard.endUpload();
  }

  @Test
  void anUploadStartedDuringCollectionWaitsForItToFinish() throws Exception {
    UploadGuard guard = UploadGuard.forLockFile(dir.resolve("gc.lock"), Duration.ofSeconds(30), Ticker.system());
    CountDownLatch collecting = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Thread gc = new Thread(() -> guard.exclusively(() -> {
      collecting.countDown();
      try {
        return finish.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }));
    gc.start();
    assertThat(collecting.await(30, TimeUnit.SECONDS)).isTrue();
    AtomicBoolean began = new AtomicBoolean();
    Thread upload = new Thread(() -> {
      guard.beginUpload();
      began.set(true);
      guard.endUpload();
    });
    upload.start();
    awaitBlocked(upload);
    assertThat(began).as("the upload waits while collection runs").isFalse();
    finish.countDown();
    upload.join(30_000);
    gc.join(30_000);
    assertThat(began).isTrue();
  }

  @Test
  void collectionStartedDuringAnUploadRunsWhenTheUploadEnds() throws Exception {
    UploadGuard guard = UploadGuard.forLockFile(dir.resolve("gc.lock"), Duration.ofSeconds(30), Ticker.system());
    guard.beginUpload();
    AtomicBoolean ran = new AtomicBoolean();
    Thread gc = new Thread(() -> guard.exclusively(() -> ran.getAndSet(true)));
    gc.start();
    awaitBlocked(gc);
    assertThat(ran).isFalse();
    guard.endUpload();
    gc.join(30_000);
    assertThat(ran).isTrue();
  }
}
