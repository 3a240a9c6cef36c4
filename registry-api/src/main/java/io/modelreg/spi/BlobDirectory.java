package io.modelreg.spi;

import io.modelreg.Digest;
import io.modelreg.IntegrityException;
import io.modelreg.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * Artifact bytes as files named by their SHA-256: {@code <root>/ab/ab12…} (the {@code file:} store's
 * {@code blobs/sha256/}), each written to a temp file, fsynced, renamed to its content address and made durable by
 * syncing the directory. A digest is 64 hex characters by construction, so no blob is ever written outside the
 * root. Reads return the raw bytes; the policy layer verifies size and SHA-256 while the caller streams them.
 *
 * <p>What may be deleted, and when, is the store's rule (the {@code file:} store's gc lock, the {@code jdbc:} store's
 * upload rows); this class only stores, lists, re-hashes and deletes.
 */
public final class BlobDirectory {
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  private final Path root;
  private final Path tmp;

  private BlobDirectory(Path root, Path tmp) {
    this.root = root;
    this.tmp = tmp;
  }

  /**
   * Blobs under {@code root}, written through temp files in {@code tmp} (which must be on the same file system);
   * both are created if missing.
   *
   * @throws IOException when a directory cannot be created
   * @throws RegistryException when either is a symbolic link (the store's bytes stay inside its directory)
   */
  public static BlobDirectory open(Path root, Path tmp) throws IOException {
    for (Path dir : List.of(root, tmp)) {
      DurableFiles.createDirectories(dir);
      if (Files.isSymbolicLink(dir)) {
        throw new RegistryException(dir + " is a symbolic link; the store keeps its bytes in the directory it names");
      }
    }
    return new BlobDirectory(root, tmp);
  }

  /** The directory holding the blobs. */
  public Path root() {
    return root;
  }

  /** The file of the blob {@code digest}, whether or not it exists. */
  public Path file(Digest digest) {
    return root.resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
  }

  /** Opens the stored bytes of {@code digest}; {@link java.nio.file.NoSuchFileException} when there are none. */
  public InputStream open(Digest digest) throws IOException {
    return Files.newInputStream(file(digest));
  }

  /** A sink writing a new temp file {@code blob-<writer>-<uuid>.tmp} ({@link DurableFiles#tempFile}). */
  public BlobSink newSink(String writer) throws IOException {
    return new BlobSink(DurableFiles.tempFile(tmp, "blob", writer));
  }

  /**
   * Streams one artifact into a temp file. {@link #commit} is {@link #seal} (size check, fsync) then {@link
   * #publish} (atomic rename to the content address, directory fsync); a store that must record the blob under a
   * lock calls the two itself. Closing without publishing deletes the temp file.
   */
  public final class BlobSink extends ArtifactUpload.Sink {
    private final Path file;
    private final FileChannel channel;
    private long count;
    private boolean sealed;
    private boolean done;

    private BlobSink(Path file) throws IOException {
      this.file = file;
      this.channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /** The temp file being written. */
    public Path file() {
      return file;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (sealed) {
        throw new IOException("The artifact sink is sealed");
      }
      ByteBuffer buf = ByteBuffer.wrap(b, off, len);
      while (buf.hasRemaining()) {
        count += channel.write(buf);
      }
    }

    @Override
    public void commit(Digest digest, long size) throws IOException {
      seal(size);
      publish(digest);
    }

    /**
     * Checks the count and makes the bytes durable in the temp file.
     *
     * @throws IntegrityException when the sink received another number of bytes than {@code size}
     */
    public void seal(long size) throws IOException {
      if (count != size) {
        throw new IntegrityException("Artifact upload wrote " + count + " bytes, " + size + " expected");
      }
      if (!sealed) {
        channel.force(true);
        channel.close();
        sealed = true;
      }
    }

    /** Renames the sealed temp file to the blob of {@code digest} (replacing a copy also heals a damaged one). */
    public void publish(Digest digest) throws IOException {
      if (!sealed || done) {
        throw new IllegalStateException("Publish a sealed blob once; sealed " + sealed + ", published " + done);
      }
      Path target = BlobDirectory.this.file(digest);
      Path parent = target.getParent();
      if (parent != null) {
        DurableFiles.createDirectories(parent);
      }
      DurableFiles.moveAtomically(file, target);
      done = true;
    }

    @Override
    public void close() throws IOException {
      if (channel.isOpen()) {
        channel.close();
      }
      if (!done) {
        Files.deleteIfExists(file);
        done = true;
      }
    }
  }

  /**
   * Calls {@code visitor} with every blob; a file that is not where its name says it belongs is reported in
   * {@code problems} and skipped.
   */
  public void forEach(List<String> problems, BiConsumer<Digest, Path> visitor) throws IOException {
    try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(root)) {
      for (Path prefix : prefixes) {
        if (!Files.isDirectory(prefix)) {
          problems.add("Unexpected file in the blob store: " + prefix);
          continue;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(prefix)) {
          for (Path file : files) {
            String name = String.valueOf(file.getFileName());
            if (!HEX64.matcher(name).matches() || !name.startsWith(String.valueOf(prefix.getFileName()))) {
              problems.add("Unexpected file in the blob store: " + file);
              continue;
            }
            visitor.accept(new Digest(name), file);
          }
        }
      }
    }
  }

  /** Re-hashes every blob: intact ones go to {@code intact} with their size, damaged ones to {@code problems}. */
  public void verify(List<String> problems, Map<Digest, Long> intact) throws IOException {
    forEach(problems, (digest, file) -> {
      try {
        Digest actual = Digest.ofFile(file);
        if (actual.equals(digest)) {
          intact.put(digest, Files.size(file));
        } else {
          problems.add("Blob " + file + " is damaged: its content hashes to " + actual);
        }
      } catch (IOException e) {
        problems.add("Blob " + file + " cannot be read: " + e);
      }
    });
  }

  /**
   * Deletes the blob of {@code digest} durably.
   *
   * @return its size, or -1 when there was none
   */
  public long delete(Digest digest) throws IOException {
    Path file = file(digest);
    long size;
    try {
      size = Files.size(file);
    } catch (java.nio.file.NoSuchFileException e) {
      return -1;
    }
    if (!Files.deleteIfExists(file)) {
      return -1;
    }
    Path parent = file.getParent();
    if (parent != null) {
      DurableFiles.syncDirectory(parent);
    }
    return size;
  }
}
