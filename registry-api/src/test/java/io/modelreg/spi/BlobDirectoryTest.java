package io.modelreg.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.Digest;
import io.modelreg.IntegrityException;
import io.modelreg.RegistryException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Content-addressed blob files: layout, commit and discard, listing, re-hashing, deletion, temp file names. */
class BlobDirectoryTest {
  @TempDir Path root;

  private static final byte[] BYTES = "the weights".getBytes(StandardCharsets.UTF_8);
  private static final Digest DIGEST = Digest.of(BYTES);

  @Test
  void aCommittedBlobIsNamedByItsDigestAndNoTempFileStays() throws Exception {
    BlobDirectory blobs = BlobDirectory.open(root.resolve("blobs/sha256"), root.resolve("tmp"));
    try (BlobDirectory.BlobSink sink = blobs.newSink("u7")) {
      assertThat(sink.file().getFileName().toString()).startsWith("blob-u7-").endsWith(".tmp");
      sink.write(BYTES);
      sink.commit(DIGEST, BYTES.length);
    }
    Path file = root.resolve("blobs/sha256/" + DIGEST.hex().substring(0, 2) + "/" + DIGEST.hex());
    assertThat(blobs.file(DIGEST)).isEqualTo(file);
    assertThat(file).hasBinaryContent(BYTES);
    try (InputStream in = blobs.open(DIGEST)) {
      assertThat(in.readAllBytes()).isEqualTo(BYTES);
    }
    try (Stream<Path> temps = Files.list(root.resolve("tmp"))) {
      assertThat(temps).isEmpty();
    }
  }

  @Test
  void aSinkClosedWithoutCommitOrWithTheWrongCountLeavesNothing() throws Exception {
    BlobDirectory blobs = BlobDirectory.open(root.resolve("blobs/sha256"), root.resolve("tmp"));
    try (BlobDirectory.BlobSink sink = blobs.newSink("1")) {
      sink.write(BYTES);
    }
    try (BlobDirectory.BlobSink sink = blobs.newSink("1")) {
      sink.write(BYTES);
      assertThatThrownBy(() -> sink.commit(DIGEST, BYTES.length + 1)).isInstanceOf(IntegrityException.class)
          .hasMessageContaining(BYTES.length + " bytes, " + (BYTES.length + 1) + " expected");
    }
    assertThat(blobs.file(DIGEST)).doesNotExist();
    try (Stream<Path> temps = Files.list(root.resolve("tmp"))) {
      assertThat(temps).isEmpty();
    }
  }

  @Test
  void verifyReHashesEveryBlobAndReportsStrangersAndDeleteReturnsTheSize() throws Exception {
    BlobDirectory blobs = BlobDirectory.open(root.resolve("blobs/sha256"), root.resolve("tmp"));
    try (BlobDirectory.BlobSink sink = blobs.newSink("1")) {
      sink.write(BYTES);
      sink.commit(DIGEST, BYTES.length);
    }
    Digest other = Digest.of(new byte[] {1, 2, 3});
    Files.createDirectories(blobs.file(other).getParent());
    Files.write(blobs.file(other), new byte[] {1, 2, 4}); // damaged
    Files.writeString(blobs.file(other).getParent().resolve("notes.txt"), "not a blob");
    List<String> problems = new ArrayList<>();
    Map<Digest, Long> intact = new HashMap<>();
    blobs.verify(problems, intact);
    assertThat(intact).containsExactly(Map.entry(DIGEST, (long) BYTES.length));
    assertThat(problems).hasSize(2)
        .anySatisfy(p -> assertThat(p).contains(other.hex()).contains("damaged"))
        .anySatisfy(p -> assertThat(p).contains("notes.txt").contains("Unexpected file"));
    assertThat(blobs.delete(DIGEST)).isEqualTo(BYTES.length);
    assertThat(blobs.delete(DIGEST)).isEqualTo(-1);
  }

  @Test
  void aSymbolicLinkedDirectoryIsRefused() throws Exception {
    Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));
    Files.createDirectories(root.resolve("reg/blobs"));
    Files.createSymbolicLink(root.resolve("reg/blobs/sha256"), elsewhere);
    assertThatThrownBy(() -> BlobDirectory.open(root.resolve("reg/blobs/sha256"), root.resolve("reg/tmp")))
        .isInstanceOf(RegistryException.class).hasMessageContaining("symbolic link");
  }

  @Test
  void tempFileNamesCarryTheirWriterAndOrphansAreTheCallersCall() throws Exception {
    Path tmp = Files.createDirectories(root.resolve("tmp"));
    Path mine = Files.createFile(DurableFiles.tempFile(tmp, "blob"));
    Path dead = Files.createFile(DurableFiles.tempFile(tmp, "blob", "u42"));
    Path unnamed = Files.createFile(tmp.resolve("by-hand"));
    assertThat(DurableFiles.writerPid(mine.getFileName().toString())).contains(DurableFiles.PID);
    assertThat(DurableFiles.writer(dead.getFileName().toString())).contains("u42");
    assertThat(DurableFiles.writerPid(dead.getFileName().toString())).isEmpty();
    assertThatThrownBy(() -> DurableFiles.tempFile(tmp, "blob", "../x")).isInstanceOf(IllegalArgumentException.class);

    int removed = DurableFiles.deleteOrphans(tmp, name -> name.contains("-u42-"), Instant.now(), Duration.ofDays(1));
    assertThat(removed).isEqualTo(1);
    assertThat(dead).doesNotExist();
    assertThat(mine).exists();
    assertThat(unnamed).as("no writer in its name, younger than a day").exists();
    assertThat(DurableFiles.deleteOrphans(tmp, name -> false, Instant.now().plus(Duration.ofDays(2)), Duration.ofDays(1)))
        .as("a day later").isEqualTo(1);
    assertThat(unnamed).doesNotExist();
  }
}
