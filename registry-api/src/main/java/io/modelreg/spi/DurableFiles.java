package io.modelreg.spi;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Durable file operations for stores that keep files: temp files named after their writer, atomic renames made
 * durable by syncing the directory, and directories created durably. Shared by the {@code file:} store and by
 * stores that keep artifact bytes in a directory ({@link BlobDirectory}), so both give the same guarantees.
 */
public final class DurableFiles {
  /** This process, written into temp file names so that a store can tell its own temp files from others'. */
  public static final long PID = ProcessHandle.current().pid();

  private DurableFiles() {}

  /** A new temp file name in {@code tmpDir}: {@code <kind>-<writer>-<uuid>.tmp}, the writer being this pid. */
  public static Path tempFile(Path tmpDir, String kind) {
    return tempFile(tmpDir, kind, Long.toString(PID));
  }

  /**
   * A new temp file name in {@code tmpDir}: {@code <kind>-<writer>-<uuid>.tmp}.
   *
   * @throws IllegalArgumentException when {@code kind} or {@code writer} is empty or holds anything but letters and
   *     digits (the name must stay one file in {@code tmpDir} and parse back)
   */
  public static Path tempFile(Path tmpDir, String kind, String writer) {
    if (!kind.matches("[A-Za-z0-9]+") || !writer.matches("[A-Za-z0-9]+")) {
      throw new IllegalArgumentException("A temp file's kind and writer are letters and digits; got '" + kind
          + "' and '" + writer + "'");
    }
    return tmpDir.resolve(kind + "-" + writer + "-" + UUID.randomUUID() + ".tmp");
  }

  /** The writer part of a temp file name made by {@link #tempFile}, if it is one. */
  public static Optional<String> writer(String fileName) {
    String[] parts = fileName.split("-", 3);
    return parts.length == 3 && fileName.endsWith(".tmp") ? Optional.of(parts[1]) : Optional.empty();
  }

  /** The writer's pid of a temp file name, if it has one. */
  public static Optional<Long> writerPid(String fileName) {
    Optional<String> writer = writer(fileName);
    if (writer.isPresent()) {
      try {
        return Optional.of(Long.parseLong(writer.get()));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /**
   * Deletes the temp files in {@code tmpDir} that {@code orphan} says no live writer owns, and those whose
   * writer cannot be told (no {@link #tempFile} name) once they are older than {@code maxAge} at {@code now}.
   *
   * @return how many files were deleted
   */
  public static int deleteOrphans(Path tmpDir, Predicate<String> orphan, Instant now, Duration maxAge)
      throws IOException {
    int removed = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(tmpDir)) {
      for (Path f : files) {
        String name = String.valueOf(f.getFileName());
        boolean dead = writer(name).isPresent()
            ? orphan.test(name)
            : Files.getLastModifiedTime(f).toInstant().isBefore(now.minus(maxAge));
        if (dead && Files.deleteIfExists(f)) {
          removed++;
        }
      }
    }
    return removed;
  }

  /** Renames {@code source} over {@code target} atomically, then makes the rename durable. */
  public static void moveAtomically(Path source, Path target) throws IOException {
    try {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("The file system of " + target + " cannot rename atomically; the store needs a file"
          + " system with POSIX rename (its temp directory and its files must be on the same one)", e);
    }
    Path parent = target.getParent();
    if (parent != null) {
      syncDirectory(parent);
    }
  }

  /** Flushes a directory's entries to disk (a no-op where the platform cannot open directories). */
  public static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Windows cannot open a directory as a channel; its renames are durable through the journal.
    }
  }

  /** Creates a directory and its parents, syncing each directory that gains an entry. */
  public static void createDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.getParent();
    if (parent != null) {
      createDirectories(parent);
    }
    try {
      Files.createDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(dir)) {
        throw e;
      }
      return;
    }
    if (parent != null) {
      syncDirectory(parent);
    }
  }
}
