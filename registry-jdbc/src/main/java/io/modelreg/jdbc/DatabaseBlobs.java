package io.modelreg.jdbc;

import io.modelreg.ArtifactEntry;
import io.modelreg.Digest;
import io.modelreg.GcReport;
import io.modelreg.IntegrityException;
import io.modelreg.NotFoundException;
import io.modelreg.RegistryException;
import io.modelreg.spi.ArtifactUpload;
import io.modelreg.spi.VersionRecord;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Artifact bytes in the database: each upload streams a file into {@code chunks} of {@link #CHUNK} bytes under a
 * new {@code contents} row; committing names the content by its SHA-256 in {@code blobs} (once per digest).
 * Nothing holds a whole file in memory: one chunk is buffered on the way in and one on the way out.
 *
 * <p>An upload session holds a session advisory lock on its {@code uploads} row for as long as its writer
 * lives, and lists the digests it committed in {@code upload_files}. Garbage collection deletes an upload's
 * row and contents only when it can take that lock (the writer closed it or died: the server drops a dead
 * session's locks), and a blob only when no version and no live upload names it; foreign keys make a delete
 * that races a new reference fail rather than succeed.
 *
 * <p>With a blob directory ({@link SharedDirectory}, store option {@value JdbcRegistryProvider#BLOBS}) new bytes go
 * to files instead, and a {@code blobs} row with no content names each; the upload sessions, the claims and gc's
 * rule stay the ones above. Bytes already in the database are still read from there.
 */
final class DatabaseBlobs {
  /** Bytes per chunk row: big enough that a 1 GiB file is ~1000 rows, small enough to buffer. */
  static final int CHUNK = 1 << 20;

  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(DatabaseBlobs.class);
  }

  private final Database db;
  /** Where new bytes go when the registry keeps them in a shared directory ({@value JdbcRegistryProvider#BLOBS}). */
  private final @Nullable SharedDirectory directory;

  DatabaseBlobs(Database db, @Nullable SharedDirectory directory) {
    this.db = db;
    this.directory = directory;
  }

  // ---------------------------------------------------------------- upload

  /**
   * Opens an upload session. Its row and its lock appear together: the row is inserted and the (uncontended)
   * lock on its id taken in one transaction on the session's connection, so gc can never see the row of a live
   * upload without the lock and take it for a dead one's.
   */
  ArtifactUpload begin(String model) {
    Connection c = db.connection("start an artifact upload for '" + model + "'");
    try {
      c.setAutoCommit(false);
      long id;
      try (PreparedStatement s = c.prepareStatement("INSERT INTO uploads (model) VALUES (?) RETURNING id")) {
        s.setString(1, model);
        try (ResultSet r = s.executeQuery()) {
          r.next();
          id = r.getLong(1);
        }
      }
      try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_lock(?)")) {
        s.setLong(1, db.lockKey("upload", Long.toString(id)));
        s.execute();
      }
      c.commit();
      c.setAutoCommit(true);
      return new Upload(id, c);
    } catch (SQLException e) {
      db.pool().evictConnection(c); // drops a lock taken before the failure with the session
      throw db.translate("start an artifact upload for '" + model + "'", e);
    }
  }

  private final class Upload implements ArtifactUpload {
    private final long id;
    private final Connection connection;
    private boolean closed;
    private boolean broken;

    Upload(long id, Connection connection) {
      this.id = id;
      this.connection = connection;
    }

    @Override
    public String location() {
      return directory == null ? "db:blobs" : "dir:blobs/sha256";
    }

    @Override
    public synchronized Sink open(String path) throws IOException {
      if (closed) {
        throw new IllegalStateException("The upload is closed");
      }
      SharedDirectory dir = directory;
      if (dir != null) {
        return dir.sink(id, connection, this::failed);
      }
      try {
        connection.setAutoCommit(true);
        try (PreparedStatement s = connection.prepareStatement("INSERT INTO contents (upload_id) VALUES (?) RETURNING id")) {
          s.setLong(1, id);
          try (ResultSet r = s.executeQuery()) {
            r.next();
            return new ChunkSink(this, r.getLong(1));
          }
        }
      } catch (SQLException e) {
        throw failed("start storing '" + path + "'", e);
      }
    }

    /**
     * A failed chunk write is not retried: the upload session's lock went with its connection. The registration
     * fails (transiently, when the database went away) and the caller tries it again; gc reclaims the chunks.
     */
    RegistryException failed(String what, SQLException e) {
      if (Database.isConnectionLoss(e)) {
        broken = true;
      }
      return db.translate(what, e);
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (!broken) {
        try (PreparedStatement s = connection.prepareStatement("DELETE FROM uploads WHERE id = ?")) {
          connection.setAutoCommit(true);
          s.setLong(1, id);
          s.executeUpdate();
        } catch (SQLException e) {
          broken = true; // the row stays; gc removes it once it can take the lock
        }
      }
      db.releaseLock(connection, "upload", Long.toString(id), broken);
    }
  }

  /** Streams one file into chunk rows on the upload's connection; commit names it by its digest. */
  private final class ChunkSink extends ArtifactUpload.Sink {
    private final Upload upload;
    private final long contentId;
    private final byte[] buffer = new byte[CHUNK];
    private int filled;
    private int seq;
    private long count;
    private boolean done;

    ChunkSink(Upload upload, long contentId) {
      this.upload = upload;
      this.contentId = contentId;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (done) {
        throw new IOException("The artifact sink is closed");
      }
      while (len > 0) {
        int n = Math.min(len, CHUNK - filled);
        System.arraycopy(b, off, buffer, filled, n);
        filled += n;
        off += n;
        len -= n;
        count += n;
        if (filled == CHUNK) {
          flushChunk();
        }
      }
    }

    private void flushChunk() throws IOException {
      if (filled == 0) {
        return;
      }
      try (PreparedStatement s = upload.connection.prepareStatement(
          "INSERT INTO chunks (content_id, seq, data) VALUES (?, ?, ?)")) {
        s.setLong(1, contentId);
        s.setInt(2, seq);
        s.setBinaryStream(3, new java.io.ByteArrayInputStream(buffer, 0, filled), filled);
        s.executeUpdate();
      } catch (SQLException e) {
        throw upload.failed("store artifact bytes", e);
      }
      seq++;
      filled = 0;
    }

    @Override
    public void commit(Digest digest, long size) throws IOException {
      if (count != size) {
        throw new IntegrityException("Artifact upload wrote " + count + " bytes, " + size + " expected");
      }
      flushChunk();
      Connection c = upload.connection;
      try {
        c.setAutoCommit(false);
        try {
          boolean stored;
          try (PreparedStatement s = c.prepareStatement(
              "INSERT INTO blobs (digest, content_id, size) VALUES (?, ?, ?) ON CONFLICT (digest) DO NOTHING")) {
            s.setString(1, digest.hex());
            s.setLong(2, contentId);
            s.setLong(3, size);
            stored = s.executeUpdate() == 1;
          }
          if (!stored) {
            // the same bytes are stored already: keep that copy (locked against gc until commit), drop ours
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM blobs WHERE digest = ? FOR KEY SHARE")) {
              s.setString(1, digest.hex());
              try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                  throw new SQLException("the stored copy was deleted meanwhile", "40001");
                }
              }
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM contents WHERE id = ?")) {
              s.setLong(1, contentId);
              s.executeUpdate();
            }
          }
          try (PreparedStatement s = c.prepareStatement(
              "INSERT INTO upload_files (upload_id, digest) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            s.setLong(1, upload.id);
            s.setString(2, digest.hex());
            s.executeUpdate();
          }
          c.commit();
        } catch (SQLException e) {
          Database.rollbackQuietly(c);
          throw e;
        } finally {
          c.setAutoCommit(true);
        }
        done = true;
      } catch (SQLException e) {
        throw upload.failed("commit artifact " + digest, e);
      }
    }

    @Override
    public void close() throws IOException {
      if (done) {
        return;
      }
      done = true;
      if (upload.broken) {
        return; // gc reclaims the content of a dead upload
      }
      try (PreparedStatement s = upload.connection.prepareStatement("DELETE FROM contents WHERE id = ?")) {
        upload.connection.setAutoCommit(true);
        s.setLong(1, contentId);
        s.executeUpdate();
      } catch (SQLException e) {
        upload.broken = Database.isConnectionLoss(e);
        Log.LOG.debug("Could not delete discarded content {}: {}", contentId, e.toString());
      }
    }
  }

  // ---------------------------------------------------------------- read

  /**
   * The bytes of {@code entry}: one query finds the blob with its first chunk, so a file of one chunk (most files of
   * a model bundle) is one round trip; the stream stops at the recorded size without asking for a chunk after it.
   */
  InputStream open(VersionRecord version, ArtifactEntry entry) {
    Found found = db.readOrNull("find the bytes of '" + entry.path() + "'", c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT b.content_id, b.size, c.data FROM blobs b"
          + " LEFT JOIN chunks c ON c.content_id = b.content_id AND c.seq = 0 WHERE b.digest = ?")) {
        s.setString(1, entry.digest().hex());
        try (ResultSet r = s.executeQuery()) {
          if (!r.next()) {
            return null;
          }
          long contentId = r.getLong(1);
          boolean inDirectory = r.wasNull();
          return new Found(inDirectory ? -1 : contentId, r.getLong(2), r.getBytes(3));
        }
      }
    });
    if (found == null) {
      throw new NotFoundException("The bytes of artifact '" + entry.path() + "' of version " + version.number()
          + " of '" + version.model() + "' are missing: no blob " + entry.digest() + " in the database");
    }
    if (found.contentId() < 0) {
      SharedDirectory dir = directory;
      if (dir == null) {
        throw new RegistryException("The bytes of artifact '" + entry.path() + "' of version " + version.number()
            + " of '" + version.model() + "' are in a blob directory: open the registry with the store option "
            + JdbcRegistryProvider.BLOBS + " naming it");
      }
      return dir.open(version, entry);
    }
    return new ChunkStream(found.contentId(), entry.digest(), found.size(), found.first());
  }

  /** A blob row: its content id ({@code -1} when its bytes are in the blob directory), size and first chunk. */
  private record Found(long contentId, long size, byte @Nullable [] first) {}

  /**
   * Reads a content chunk by chunk, one short query per chunk (no connection held between reads). A read stream
   * knows the blob's size and ends there (the caller hashes what it read, so a short or altered content still
   * fails its digest); {@code verify} reads to the last stored chunk, so it also sees bytes beyond the size.
   */
  private final class ChunkStream extends InputStream {
    private final long contentId;
    private final Digest digest;
    private byte @Nullable [] chunk = new byte[0];
    private byte @Nullable [] prefetched;
    private long remaining;
    private int pos;
    private int seq;

    /** Reads every stored chunk. */
    ChunkStream(long contentId, Digest digest) {
      this(contentId, digest, -1, null);
    }

    /** Reads {@code size} bytes ({@code -1}: every stored chunk), starting with {@code first} when it was read. */
    ChunkStream(long contentId, Digest digest, long size, byte @Nullable [] first) {
      this.contentId = contentId;
      this.digest = digest;
      this.remaining = size;
      this.prefetched = first;
    }

    private boolean fill() throws IOException {
      byte[] current = chunk;
      if (current == null) {
        return false;
      }
      if (remaining == 0) {
        chunk = null;
        return false;
      }
      if (pos < current.length) {
        return true;
      }
      byte[] first = prefetched;
      if (first != null) {
        prefetched = null;
        chunk = first;
        seq++;
        pos = 0;
        return true;
      }
      try {
        chunk = db.readOrNull("read the bytes of " + digest, c -> {
          try (PreparedStatement s = c.prepareStatement("SELECT data FROM chunks WHERE content_id = ? AND seq = ?")) {
            s.setLong(1, contentId);
            s.setInt(2, seq);
            try (ResultSet r = s.executeQuery()) {
              return r.next() ? r.getBytes(1) : null;
            }
          }
        });
      } catch (RegistryException e) {
        throw new IOException(e.getMessage(), e);
      }
      seq++;
      pos = 0;
      return chunk != null;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (fill()) {
        byte[] current = chunk;
        if (current == null) {
          break;
        }
        int n = Math.min(len, current.length - pos);
        if (remaining >= 0) {
          n = (int) Math.min(n, remaining);
        }
        if (n > 0) {
          System.arraycopy(current, pos, b, off, n);
          pos += n;
          if (remaining > 0) {
            remaining -= n;
          }
          return n;
        }
      }
      return -1;
    }

    @Override
    public void close() {
      chunk = null;
    }
  }

  // ---------------------------------------------------------------- verify and gc

  /** Re-hashes every blob; reports each damaged or unreadable one. */
  void verify(List<String> problems, Map<Digest, Long> intact) {
    List<Object[]> all = db.tx("list stored blobs", c -> {
      List<Object[]> out = new ArrayList<>();
      try (PreparedStatement s = c.prepareStatement("SELECT digest, content_id, size FROM blobs ORDER BY digest");
           ResultSet r = s.executeQuery()) {
        while (r.next()) {
          String digest = r.getString(1);
          long contentId = r.getLong(2);
          boolean inDirectory = r.wasNull(); // right after reading content_id: wasNull is about the last read
          out.add(new Object[] {digest, inDirectory ? -1L : contentId, r.getLong(3)});
        }
      }
      return out;
    });
    Map<String, Long> inDirectory = new java.util.TreeMap<>();
    for (Object[] row : all) {
      if ((Long) row[1] < 0) {
        inDirectory.put((String) row[0], (Long) row[2]);
      }
    }
    SharedDirectory dir = directory;
    if (dir != null) {
      dir.verify(problems, intact, inDirectory);
    } else if (!inDirectory.isEmpty()) {
      problems.add(inDirectory.size() + " blobs are in a blob directory this store was not opened with (store option "
          + JdbcRegistryProvider.BLOBS + "); they were not checked");
    }
    for (Object[] row : all) {
      if ((Long) row[1] < 0) {
        continue;
      }
      String hex = (String) row[0];
      Digest digest = new Digest(hex);
      long size = (Long) row[2];
      try (InputStream in = new ChunkStream((Long) row[1], digest)) {
        MessageDigest sha = sha256();
        byte[] buf = new byte[1 << 16];
        long count = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
          sha.update(buf, 0, n);
          count += n;
        }
        Digest actual = new Digest(java.util.HexFormat.of().formatHex(sha.digest()));
        if (!actual.equals(digest)) {
          problems.add("Blob " + digest + " in " + db.schema() + ".chunks is damaged: its content hashes to " + actual);
        } else if (count != size) {
          problems.add("Blob " + digest + " has " + count + " bytes, " + size + " recorded");
        } else {
          intact.put(digest, size);
        }
      } catch (IOException e) {
        problems.add("Blob " + digest + " cannot be read: " + e.getMessage());
      }
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /**
   * Deletes the rows and contents of uploads whose writer is gone, then every blob that no version and no live
   * upload names. Safe while others register: a live upload's lock cannot be taken, and a blob a version or
   * upload starts to name meanwhile makes its delete fail on the foreign key (that blob is kept).
   */
  GcReport collect() {
    List<Long> uploads = ids("list upload sessions", "SELECT id FROM uploads ORDER BY id");
    for (long id : uploads) {
      reclaimIfDead(id);
    }
    db.tx("delete orphaned artifact chunks", c -> {
      try (PreparedStatement s = c.prepareStatement("DELETE FROM contents ct WHERE ct.upload_id IS NULL"
          + " AND NOT EXISTS (SELECT 1 FROM blobs b WHERE b.content_id = ct.id)")) {
        return s.executeUpdate();
      }
    });
    SharedDirectory dir = directory;
    List<Object[]> candidates = db.tx("find unreferenced blobs", c -> {
      List<Object[]> out = new ArrayList<>();
      // without the directory, blobs in it are left alone: their rows go with their files
      try (PreparedStatement s = c.prepareStatement("SELECT b.digest, b.content_id IS NULL FROM blobs b"
          + " WHERE NOT EXISTS (SELECT 1 FROM version_files f WHERE f.digest = b.digest)"
          + " AND NOT EXISTS (SELECT 1 FROM upload_files u WHERE u.digest = b.digest)"
          + (dir == null ? " AND b.content_id IS NOT NULL" : ""));
           ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(new Object[] {r.getString(1), r.getBoolean(2)});
        }
      }
      return out;
    });
    int deleted = 0;
    long freed = 0;
    for (Object[] candidate : candidates) {
      String digest = (String) candidate[0];
      long size = dir != null && (Boolean) candidate[1] ? dir.deleteBlob(digest) : deleteBlob(digest);
      if (size >= 0) {
        deleted++;
        freed += size;
      }
    }
    if (dir != null) {
      long[] orphans = dir.collectOrphans();
      deleted += (int) orphans[0];
      freed += orphans[1];
    }
    int kept = db.tx("count blobs", c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM blobs"); ResultSet r = s.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    });
    return new GcReport(deleted, freed, kept);
  }

  private List<Long> ids(String what, String sql) {
    return db.tx(what, c -> {
      List<Long> out = new ArrayList<>();
      try (PreparedStatement s = c.prepareStatement(sql); ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(r.getLong(1));
        }
      }
      return out;
    });
  }

  /** Removes an upload's row when no live writer holds its lock; its uncommitted contents become orphans. */
  private void reclaimIfDead(long id) {
    db.tx("reclaim upload " + id, c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
        s.setLong(1, db.lockKey("upload", Long.toString(id)));
        try (ResultSet r = s.executeQuery()) {
          r.next();
          if (!r.getBoolean(1)) {
            return false; // a live writer holds it
          }
        }
      }
      try (PreparedStatement s = c.prepareStatement("DELETE FROM uploads WHERE id = ?")) {
        s.setLong(1, id);
        s.executeUpdate();
      }
      return true;
    });
  }

  /** Deletes one unreferenced blob and its chunks; -1 when something names it again (then it stays). */
  private long deleteBlob(String digest) {
    try {
      return db.tx("delete blob " + digest, c -> {
        long contentId;
        long size;
        try (PreparedStatement s = c.prepareStatement("DELETE FROM blobs b WHERE b.digest = ? AND b.content_id IS NOT NULL"
            + " AND NOT EXISTS (SELECT 1 FROM version_files f WHERE f.digest = b.digest)"
            + " AND NOT EXISTS (SELECT 1 FROM upload_files u WHERE u.digest = b.digest)"
            + " RETURNING content_id, size")) {
          s.setString(1, digest);
          try (ResultSet r = s.executeQuery()) {
            if (!r.next()) {
              return -1L;
            }
            contentId = r.getLong(1);
            size = r.getLong(2);
          }
        }
        try (PreparedStatement s = c.prepareStatement("DELETE FROM contents WHERE id = ?")) {
          s.setLong(1, contentId);
          s.executeUpdate();
        }
        return size;
      });
    } catch (RegistryException e) {
      if (e.getCause() instanceof SQLException && "23503".equals(((SQLException) e.getCause()).getSQLState())) {
        return -1; // a version or an upload started to name it while gc ran: it stays
      }
      throw e;
    }
  }
}
