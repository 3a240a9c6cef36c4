package io.modelreg.filesystem;

import io.modelreg.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** File helpers for the file backend's tests. */
final class TestFiles {
  private TestFiles() {}

  static Path blob(Path root, Digest digest) {
    return root.resolve("blobs/sha256").resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
  }

  static void flipFirstByte(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      bytes[0] ^= 0x01;
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // best effort: a temp directory
        }
      });
    } catch (IOException e) {
      // best effort
    }
  }

  /** Every regular file below a directory, relative, sorted. */
  static java.util.List<String> listFiles(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted()
          .collect(java.util.stream.Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
