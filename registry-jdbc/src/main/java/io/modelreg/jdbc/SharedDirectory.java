package io.modelreg.jdbc;

import io.modelreg.ArtifactEntry;
import io.modelreg.Digest;
import io.modelreg.NotFoundException;
import io.modelreg.RegistryException;
import io.modelreg.spi.BlobDirectory;
import io.modelreg.spi.DurableFiles;
import io.modelreg.spi.VersionRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Artifact bytes in a directory every machine mounts (store option {@value JdbcRegistryProvider#BLOBS}), laid out as
 * the {@code file:} store lays out its blobs: {@code blobs/sha256/ab/ab12…}, temp files in {@code tmp/}, written
 * through {@link BlobDirectory} (temp file, fsync, atomic rename, directory fsync). The {@code blobs} table still
 * names every blob (with no content row), so the foreign keys from versions and uploads, and gc's one rule, hold
 * unchanged; the file is durable before its row is committed, and so before any version that names it.
 *
 * <p>Files and rows of one digest change only under the transaction-scoped advisory lock {@code blob/<digest>}:
 * an upload renames its file into place and inserts the row holding it; gc deletes an unreferenced row and its
 * file holding it, and a file without a row only when it can take it. Temp files carry their upload's id ({@code
 * blob-u<id>-<uuid>.tmp}, not a pid, which means nothing on another machine) and are deleted once that upload's
 * row is gone. The directory holds {@value #MARKER} naming the registry it belongs to: a second registry (another
 * schema or database) sharing it would collect the first one's blobs, so it is refused.
 */
final class SharedDirectory {
  /** The file binding a directory to one registry. */
  static final String MARKER = "modelreg-blobs.json";
  /** A temp file whose name carries no upload id is garbage after this long. */
  private static final Duration ORPHAN_AGE = Duration.ofDays(1);

  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(SharedDirectory.class);
  }

  private final Database db;
  private final Path root;
  private final Path tmp;
  private final BlobDirectory blobs;
  private final Clock clock;

  private SharedDirectory(Database db, Path root, BlobDirectory blobs, Clock clock) {
    this.db = db;
    this.root = root;
    this.tmp = root.resolve("tmp");
    this.blobs = blobs;
    this.clock = clock;
  }

  /**
   * Opens (creating its subdirectories) the blob directory {@code root}, which the provider checked is an absolute,
   * writable directory, and binds it to this registry or checks that it is bound to it.
   *
   * @throws RegistryException when the directory belongs to another registry or cannot be written
   */
  static SharedDirectory open(Database db, Path root, Clock clock) {
    try {
      BlobDirectory blobs = BlobDirectory.open(root.resolve("blobs").resolve("sha256"), root.resolve("tmp"));
      SharedDirectory dir = new SharedDirectory(db, root, blobs, clock);
      dir.bind();
      return dir;
    } catch (IOException e) {
      throw new RegistryException("Cannot use the blob directory " + root + " (" + JdbcRegistryProvider.BLOBS + "): "
          + e, e);
    }
  }

  /** Writes this registry's id into the directory, or checks that the id already there is this registry's. */
  private void bind() throws IOException {
    String id = db.tx("read the registry's id", c -> {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO registry_identity DEFAULT VALUES ON CONFLICT DO NOTHING")) {
        s.executeUpdate();
      }
      try (PreparedStatement s = c.prepareStatement("SELECT id::text FROM registry_identity");
           ResultSet r = s.executeQuery()) {
        r.next();
        return r.getString(1);
      }
    });
    Path marker = root.resolve(MARKER);
    if (!Files.exists(marker)) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("format", 1);
      o.put("kind", "modelreg jdbc: blob directory");
      o.put("registry", id);
      o.put("database", db.describe());
      Path temp = DurableFiles.tempFile(tmp, "marker");
      try {
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          ch.write(java.nio.ByteBuffer.wrap(Json.write(o).getBytes(StandardCharsets.UTF_8)));
          ch.force(true);
        }
        Files.createLink(marker, temp); // complete or absent, and never replaces another registry's marker
        DurableFiles.syncDirectory(root);
      } catch (FileAlreadyExistsException e) {
        // another process bound it meanwhile: checked below
      } finally {
        Files.deleteIfExists(temp);
      }
    }
    String text = Files.readString(marker, StandardCharsets.UTF_8);
    Object tree = Json.parse(text, marker.toString());
    Object bound = tree instanceof Map ? ((Map<?, ?>) tree).get("registry") : null;
    if (!id.equals(bound)) {
      throw new RegistryException("The blob directory " + root + " belongs to another registry (" + marker
          + " names registry " + bound + ", this is " + id + " in " + db.describe() + "); give each jdbc: registry a"
          + " directory of its own: gc of one would delete the other's bytes");
    }
  }

  /** The directory given as the option. */
  Path root() {
    return root;
  }

  // ---------------------------------------------------------------- upload

  /** A sink writing a temp file named after the upload, committed into place under the digest's lock. */
  ArtifactUploadSink sink(long uploadId, Connection connection,
      BiFunction<String, SQLException, RegistryException> failed) throws IOException {
    return new ArtifactUploadSink(blobs.newSink("u" + uploadId), uploadId, connection, failed);
  }

  final class ArtifactUploadSink extends io.modelreg.spi.ArtifactUpload.Sink {
    private final BlobDirectory.BlobSink file;
    private final long uploadId;
    private final Connection c;
    private final BiFunction<String, SQLException, RegistryException> failed;

    ArtifactUploadSink(BlobDirectory.BlobSink file, long uploadId, Connection c,
        BiFunction<String, SQLException, RegistryException> failed) {
      this.file = file;
      this.uploadId = uploadId;
      this.c = c;
      this.failed = failed;
    }

    @Override
    public void write(int b) throws IOException {
      file.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      file.write(b, off, len);
    }

    /**
     * Makes the bytes durable in the temp file, then in one transaction holding the digest's lock: renames the file
     * to its content address (unless the database holds these bytes already) and inserts the blob row and the
     * upload's claim on it. The row exists only once the file is durable.
     */
    @Override
    public void commit(Digest digest, long size) throws IOException {
      file.seal(size);
      try {
        c.setAutoCommit(false);
        try {
          lockDigest(c, digest);
          boolean inDatabase = false;
          boolean exists = false;
          try (PreparedStatement s = c.prepareStatement("SELECT content_id FROM blobs WHERE digest = ? FOR KEY SHARE")) {
            s.setString(1, digest.hex());
            try (ResultSet r = s.executeQuery()) {
              if (r.next()) {
                exists = true;
                r.getLong(1);
                inDatabase = !r.wasNull();
              }
            }
          }
          if (!inDatabase) {
            file.publish(digest); // replacing a copy also heals a damaged one
          }
          if (!exists) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO blobs (digest, content_id, size) VALUES (?, NULL, ?)")) {
              s.setString(1, digest.hex());
              s.setLong(2, size);
              s.executeUpdate();
            }
          }
          try (PreparedStatement s = c.prepareStatement(
              "INSERT INTO upload_files (upload_id, digest) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            s.setLong(1, uploadId);
            s.setString(2, digest.hex());
            s.executeUpdate();
          }
          c.commit();
        } catch (SQLException | IOException | RuntimeException e) {
          Database.rollbackQuietly(c);
          throw e;
        } finally {
          c.setAutoCommit(true);
        }
      } catch (SQLException e) {
        throw failed.apply("commit artifact " + digest, e);
      }
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }

  private void lockDigest(Connection c, Digest digest) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
      s.setLong(1, db.lockKey("blob", digest.hex()));
      s.execute();
    }
  }

  // ---------------------------------------------------------------- read, verify

  InputStream open(VersionRecord version, ArtifactEntry entry) {
    try {
      return blobs.open(entry.digest());
    } catch (NoSuchFileException e) {
      throw new NotFoundException("The bytes of artifact '" + entry.path() + "' of version " + version.number()
          + " of '" + version.model() + "' are missing: " + blobs.file(entry.digest()) + " does not exist");
    } catch (IOException e) {
      throw new RegistryException("Cannot read " + blobs.file(entry.digest()) + ": " + e, e);
    }
  }

  /** Re-hashes every file; reports damaged ones and rows whose file is missing or has another size. */
  void verify(List<String> problems, Map<Digest, Long> intact, Map<String, Long> rows) {
    Map<Digest, Long> files = new java.util.HashMap<>();
    try {
      blobs.verify(problems, files);
    } catch (IOException e) {
      problems.add("Cannot list the blob directory " + blobs.root() + ": " + e);
      return;
    }
    for (Map.Entry<String, Long> row : rows.entrySet()) {
      Digest digest = new Digest(row.getKey());
      Long size = files.get(digest);
      if (size == null) {
        if (Files.exists(blobs.file(digest))) {
          continue; // damaged: reported by the re-hash
        }
        problems.add("Blob " + digest + " is missing: " + blobs.file(digest) + " does not exist");
      } else if (size.longValue() != row.getValue().longValue()) {
        problems.add("Blob " + blobs.file(digest) + " has " + size + " bytes, " + row.getValue() + " recorded");
      } else {
        intact.put(digest, size);
      }
    }
  }

  // ---------------------------------------------------------------- gc

  /** Deletes an unreferenced blob's row and file under the digest's lock; -1 when it is kept. */
  long deleteBlob(String hex) {
    Digest digest = new Digest(hex);
    try {
      return db.tx("delete blob " + hex, c -> {
        if (!tryLockDigest(c, digest)) {
          return -1L; // an upload is committing it now
        }
        try (PreparedStatement s = c.prepareStatement("DELETE FROM blobs b WHERE b.digest = ? AND b.content_id IS NULL"
            + " AND NOT EXISTS (SELECT 1 FROM version_files f WHERE f.digest = b.digest)"
            + " AND NOT EXISTS (SELECT 1 FROM upload_files u WHERE u.digest = b.digest)"
            + " RETURNING size")) {
          s.setString(1, hex);
          try (ResultSet r = s.executeQuery()) {
            if (!r.next()) {
              return -1L;
            }
          }
        }
        try {
          long size = blobs.delete(digest);
          return Math.max(size, 0L);
        } catch (IOException e) {
          throw new SQLException("cannot delete " + blobs.file(digest) + ": " + e, "58030", e);
        }
      });
    } catch (RegistryException e) {
      if (e.getCause() instanceof SQLException && "23503".equals(((SQLException) e.getCause()).getSQLState())) {
        return -1; // a version or an upload started to name it while gc ran: it stays
      }
      throw e;
    }
  }

  /**
   * Deletes files no row names (their writer died between the rename and the commit) when no upload is committing
   * them, and temp files whose upload's row is gone (closed, or reclaimed by gc after its writer died).
   *
   * @return how many blob files and how many bytes were removed
   */
  long[] collectOrphans() {
    List<String> problems = new ArrayList<>();
    List<Digest> files = new ArrayList<>();
    try {
      blobs.forEach(problems, (digest, file) -> files.add(digest));
    } catch (IOException e) {
      throw new RegistryException("Cannot list the blob directory " + blobs.root() + ": " + e, e);
    }
    long[] removed = {0, 0};
    for (Digest digest : withoutRow(files)) {
      long size = db.tx("delete the orphaned file of " + digest.hex(), c -> {
        if (!tryLockDigest(c, digest)) {
          return -1L;
        }
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM blobs WHERE digest = ?")) {
          s.setString(1, digest.hex());
          try (ResultSet r = s.executeQuery()) {
            if (r.next()) {
              return -1L;
            }
          }
        }
        try {
          return blobs.delete(digest);
        } catch (IOException e) {
          throw new SQLException("cannot delete " + blobs.file(digest) + ": " + e, "58030", e);
        }
      });
      if (size >= 0) {
        removed[0]++;
        removed[1] += size;
      }
    }
    try {
      // each temp file's upload is looked up after the file was seen: a file exists only once its upload's row was
      // committed, so a row missing then belongs to an upload that ended (ids are never reused)
      int temps = DurableFiles.deleteOrphans(tmp, name -> {
        Optional<String> writer = DurableFiles.writer(name);
        if (writer.isEmpty() || !writer.get().matches("u[0-9]{1,18}")) {
          return olderThanADay(tmp.resolve(name)); // not an upload's (the marker's, left by a crash): after a day
        }
        return !uploadLives(Long.parseLong(writer.get().substring(1)));
      }, clock.instant(), ORPHAN_AGE);
      if (temps > 0) {
        Log.LOG.info("Removed {} temp files of ended uploads from {}", temps, tmp);
      }
    } catch (IOException e) {
      Log.LOG.warn("gc could not clean {}: {}", tmp, e.toString());
    }
    return removed;
  }

  /**
   * The files whose digest has no row, asked in batches after the files were listed (one query per 1,000 files
   * instead of a transaction each); each is checked again under its lock before it is deleted.
   */
  private List<Digest> withoutRow(List<Digest> files) {
    List<Digest> out = new ArrayList<>();
    for (int from = 0; from < files.size(); from += 1000) {
      List<Digest> batch = files.subList(from, Math.min(files.size(), from + 1000));
      java.util.Set<String> named = db.read("find the rows of " + batch.size() + " blob files", c -> {
        java.util.Set<String> found = new java.util.HashSet<>();
        try (PreparedStatement s = c.prepareStatement("SELECT digest FROM blobs WHERE digest = ANY (?)")) {
          s.setArray(1, c.createArrayOf("text", batch.stream().map(Digest::hex).toArray()));
          try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
              found.add(r.getString(1));
            }
          }
        }
        return found;
      });
      for (Digest d : batch) {
        if (!named.contains(d.hex())) {
          out.add(d);
        }
      }
    }
    return out;
  }

  private boolean olderThanADay(Path file) {
    try {
      return Files.getLastModifiedTime(file).toInstant().isBefore(clock.instant().minus(ORPHAN_AGE));
    } catch (IOException e) {
      return false;
    }
  }

    private boolean uploadLives(long id) {
    return db.read("look up upload " + id, c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM uploads WHERE id = ?")) {
        s.setLong(1, id);
        try (ResultSet r = s.executeQuery()) {
          return r.next();
        }
      }
    });
  }

  private boolean tryLockDigest(Connection c, Digest digest) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
      s.setLong(1, db.lockKey("blob", digest.hex()));
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getBoolean(1);
      }
    }
  }
}
