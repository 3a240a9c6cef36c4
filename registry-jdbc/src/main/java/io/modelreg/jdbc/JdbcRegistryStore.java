package io.modelreg.jdbc;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.modelreg.AlreadyExistsException;
import io.modelreg.ArtifactEntry;
import io.modelreg.ConflictException;
import io.modelreg.Digest;
import io.modelreg.GcReport;
import io.modelreg.IntegrityException;
import io.modelreg.ModelNotFoundException;
import io.modelreg.Names;
import io.modelreg.RegistryEvent;
import io.modelreg.RegistryException;
import io.modelreg.VersionNotFoundException;
import io.modelreg.spi.ArtifactUpload;
import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.RecordTrees;
import io.modelreg.spi.RegistryStore;
import io.modelreg.spi.SearchClause;
import io.modelreg.spi.StorageCheck;
import io.modelreg.spi.StoreCapability;
import io.modelreg.spi.VersionRecord;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The {@code jdbc:postgresql:} store. Each method is one transaction; updates are a compare-and-set on the
 * {@code revision} column ({@code UPDATE … WHERE revision = ?}); version numbers and event sequences come from
 * the {@code model_names} row, which outlives the model. Records are kept as their {@link RecordTrees} JSON in
 * a {@code jsonb} column; triggers derive the constrained and indexed columns and tables from it (see the
 * module README). Model write locks are PostgreSQL advisory locks, so they exclude writers on every machine.
 * Open it with {@code ModelRegistries.open("jdbc:postgresql://host:5432/db")} ({@link JdbcRegistryProvider}).
 */
public final class JdbcRegistryStore implements RegistryStore {
  /**
   * Most version records searches keep parsed by default; a typical record parses into a few KiB of heap
   * (an estimate), so some tens of MiB at most.
   */
  static final int SEARCHED_RECORDS = 20_000;
  private static final Comparator<VersionRecord> BY_MODEL_AND_NUMBER =
      Comparator.comparing(VersionRecord::model).thenComparingInt(VersionRecord::number);
  private final Database db;
  private final DatabaseBlobs blobs;
  private final String describe;
  private final Supplier<ChangeListener> listenerFactory;
  /** Version lists by model, each valid while the model's versions token is unchanged. */
  private final Cache<String, VersionList> versionLists = Caffeine.newBuilder().maximumSize(10_000).build();
  /**
   * Version records a search parsed, by key, each with the row version its search saw (an {@code xmin}, see
   * {@link #searchVersions}): a search asks the database only for the keys and row versions of its matches and
   * reads the records it has not parsed at that row version. Bounded by the store option {@code jdbc.search-cache}
   * (default {@link #SEARCHED_RECORDS}); null when it is 0.
   */
  private final @Nullable Cache<VersionKey, SearchedVersion> searched;
  private @Nullable ChangeListener listener;
  private volatile boolean closed;

  JdbcRegistryStore(Database db, DatabaseBlobs blobs, String describe, int searchedRecords,
      Supplier<ChangeListener> listenerFactory) {
    this.searched = searchedRecords == 0 ? null : Caffeine.newBuilder().maximumSize(searchedRecords).build();
    this.db = db;
    this.blobs = blobs;
    this.describe = describe;
    this.listenerFactory = listenerFactory;
  }

  @Override
  public Set<StoreCapability> capabilities() {
    return EnumSet.of(StoreCapability.EXCLUSIVE_MODEL_LOCK, StoreCapability.DURABLE, StoreCapability.SHARED);
  }

  @Override
  public String describe() {
    return describe;
  }

  /** The schema holding this registry's tables. */
  public String schema() {
    return db.schema();
  }

  // ================================================================== models

  @Override
  public Optional<ModelRecord> findModel(String name) {
    return Optional.ofNullable(db.readOrNull("read model '" + name + "'", c -> readModel(c, name)));
  }

  /** The model record with the versions token read in the same statement (see {@link #listVersions(ModelRecord)}). */
  private @Nullable ModelRecord readModel(Connection c, String name) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT m.record::text, n.versions_changed FROM models m"
        + " JOIN model_names n ON n.name = m.name WHERE m.name = ?")) {
      s.setString(1, name);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? model(r.getString(1), name).withVersionsToken(Long.toString(r.getLong(2))) : null;
      }
    }
  }

  private ModelRecord model(String json, String name) {
    return RecordTrees.model(Json.parse(json, source("models", name)), source("models", name));
  }

  private String source(String table, String key) {
    return db.schema() + "." + table + " '" + key + "'";
  }

  @Override
  public List<String> listModelNames() {
    return db.read("list models", c -> {
      List<String> out = new ArrayList<>();
      try (PreparedStatement s = c.prepareStatement("SELECT name FROM models ORDER BY name COLLATE \"C\"");
           ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(r.getString(1));
        }
      }
      return out;
    });
  }

  @Override
  public List<ModelRecord> listModels() {
    return db.read("list models", c -> {
      List<ModelRecord> out = new ArrayList<>();
      try (PreparedStatement s = c.prepareStatement("SELECT name, record::text FROM models ORDER BY name COLLATE \"C\"");
           ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(model(r.getString(2), r.getString(1)));
        }
      }
      return out;
    });
  }

  /** The named records in one query, each with its versions token as {@link #findModel} reads it. */
  @Override
  public List<ModelRecord> findModels(Set<String> names) {
    if (names.isEmpty()) {
      return List.of();
    }
    return db.read("read models", c -> {
      List<ModelRecord> out = new ArrayList<>();
      try (PreparedStatement s = c.prepareStatement("SELECT m.name, m.record::text, n.versions_changed FROM models m"
          + " JOIN model_names n ON n.name = m.name WHERE m.name = ANY (?)")) {
        s.setArray(1, c.createArrayOf("text", names.toArray(new String[0])));
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            out.add(model(r.getString(2), r.getString(1)).withVersionsToken(Long.toString(r.getLong(3))));
          }
        }
      }
      return out;
    });
  }

  @Override
  public ModelRecord createModel(ModelRecord model) {
    Names.checkModelName(model.name());
    ModelRecord stored = model.withRevision(1);
    return db.tx("create model '" + model.name() + "'", c -> {
      ensureName(c, model.name());
      try (PreparedStatement s = c.prepareStatement("INSERT INTO models (name, revision, description, created_at,"
          + " updated_at, record) VALUES (?, 1, ?, ?, ?, ?::jsonb) ON CONFLICT (name) DO NOTHING")) {
        s.setString(1, model.name());
        setNullableString(s, 2, model.description());
        s.setTimestamp(3, Timestamp.from(model.createdAt()));
        s.setTimestamp(4, Timestamp.from(model.updatedAt()));
        s.setString(5, Json.write(RecordTrees.model(stored)));
        if (s.executeUpdate() == 0) {
          throw new AlreadyExistsException("Registered model '" + model.name() + "' already exists");
        }
      }
      return stored;
    });
  }

  private static void ensureName(Connection c, String name) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO model_names (name) VALUES (?) ON CONFLICT DO NOTHING")) {
      s.setString(1, name);
      s.executeUpdate();
    }
  }

  @Override
  public ModelRecord updateModel(ModelRecord model, long expectedRevision) {
    ModelRecord stored = model.withRevision(expectedRevision + 1);
    return db.tx("update model '" + model.name() + "'", c -> {
      try (PreparedStatement s = c.prepareStatement("UPDATE models SET revision = ?, description = ?, updated_at = ?,"
          + " record = ?::jsonb WHERE name = ? AND revision = ?")) {
        s.setLong(1, stored.revision());
        setNullableString(s, 2, model.description());
        s.setTimestamp(3, Timestamp.from(model.updatedAt()));
        s.setString(4, Json.write(RecordTrees.model(stored)));
        s.setString(5, model.name());
        s.setLong(6, expectedRevision);
        if (s.executeUpdate() == 1) {
          return stored;
        }
      }
      Long current = revision(c, "SELECT revision FROM models WHERE name = ?", model.name(), null);
      if (current == null) {
        throw new ModelNotFoundException(model.name());
      }
      throw new ConflictException("Model '" + model.name() + "' is at revision " + current + ", not " + expectedRevision);
    });
  }

  private static @Nullable Long revision(Connection c, String sql, String name, @Nullable Integer number)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, name);
      if (number != null) {
        s.setInt(2, number);
      }
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? r.getLong(1) : null;
      }
    }
  }

  @Override
  public void deleteModel(String name) {
    db.txOrNull("delete model '" + name + "'", c -> {
      try (PreparedStatement s = c.prepareStatement("DELETE FROM models WHERE name = ?")) {
        s.setString(1, name);
        if (s.executeUpdate() == 0) {
          throw new ModelNotFoundException(name);
        }
      }
      return null;
    });
  }

  // ================================================================== versions

  @Override
  public int allocateVersionNumber(String model) {
    Names.checkModelName(model);
    return db.tx("allocate a version number for '" + model + "'", c -> {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO model_names (name, last_version) VALUES (?, 1)"
          + " ON CONFLICT (name) DO UPDATE SET last_version = model_names.last_version + 1 RETURNING last_version")) {
        s.setString(1, model);
        try (ResultSet r = s.executeQuery()) {
          r.next();
          return r.getInt(1);
        }
      }
    });
  }

  @Override
  public VersionRecord createVersion(VersionRecord version) {
    VersionRecord stored = version.withRevision(1);
    String what = "create version " + version.number() + " of '" + version.model() + "'";
    return db.tx(what, c -> {
      if (revision(c, "SELECT revision FROM models WHERE name = ? FOR KEY SHARE", version.model(), null) == null) {
        throw new ModelNotFoundException(version.model());
      }
      try (PreparedStatement s = c.prepareStatement("INSERT INTO versions (model, number, revision, semver, status,"
          + " digest, run_id, created_at, created_by, record) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?::jsonb)"
          + " ON CONFLICT (model, number) DO NOTHING")) {
        s.setString(1, version.model());
        s.setInt(2, version.number());
        setNullableString(s, 3, version.semver() == null ? null : String.valueOf(version.semver()));
        s.setString(4, version.status().name());
        s.setString(5, version.manifest().digest().toString());
        setNullableString(s, 6, version.lineage().runId());
        s.setTimestamp(7, Timestamp.from(version.createdAt()));
        s.setString(8, version.createdBy());
        s.setString(9, Json.write(RecordTrees.version(stored)));
        if (s.executeUpdate() == 0) {
          throw new AlreadyExistsException("Version " + version.number() + " of '" + version.model() + "' exists");
        }
      } catch (SQLException e) {
        if ("23503".equals(e.getSQLState())) {
          throw new IntegrityException("Cannot " + what + ": the bytes of one of its files are not stored in "
              + describe + " (" + Database.message(e) + ")", e);
        }
        throw e;
      }
      return stored;
    });
  }

  @Override
  public Optional<VersionRecord> findVersion(String model, int number) {
    return Optional.ofNullable(db.readOrNull("read version " + number + " of '" + model + "'", c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT record::text FROM versions WHERE model = ? AND number = ?")) {
        s.setString(1, model);
        s.setInt(2, number);
        try (ResultSet r = s.executeQuery()) {
          return r.next() ? version(r.getString(1), model, number) : null;
        }
      }
    }));
  }

  private VersionRecord version(String json, String model, int number) {
    String source = source("versions", model + "/" + number);
    return RecordTrees.version(Json.parse(json, source), source);
  }

  @Override
  public List<VersionRecord> listVersions(String model) {
    return readVersions(model).versions;
  }

  /**
   * Answers from the list cached under the record's versions token when it is the same (the model record and
   * its token were read in one statement; every version change moves the token), so a resolve past the
   * registry's cache costs one round trip.
   */
  @Override
  public List<VersionRecord> listVersions(ModelRecord model) {
    String token = model.versionsToken();
    VersionList cached = versionLists.getIfPresent(model.name());
    if (token != null && cached != null && cached.token.equals(token)) {
      return cached.versions;
    }
    return readVersions(model.name()).versions;
  }

  /** The version records of a model with the versions token, read in one statement, and cached under it. */
  private VersionList readVersions(String model) {
    VersionList list = db.read("list versions of '" + model + "'", c -> {
      List<VersionRecord> out = new ArrayList<>();
      String token = "none";
      try (PreparedStatement s = c.prepareStatement("SELECT n.versions_changed, v.number, v.record::text"
          + " FROM model_names n LEFT JOIN versions v ON v.model = n.name WHERE n.name = ? ORDER BY v.number")) {
        s.setString(1, model);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            token = Long.toString(r.getLong(1));
            String json = r.getString(3);
            if (json != null) {
              out.add(version(json, model, r.getInt(2)));
            }
          }
        }
      }
      return new VersionList(token, List.copyOf(out));
    });
    versionLists.put(model, list);
    return list;
  }

  /** A model's version records as of one versions token. */
  private static final class VersionList {
    final String token;
    final List<VersionRecord> versions;

    VersionList(String token, List<VersionRecord> versions) {
      this.token = token;
      this.versions = versions;
    }
  }

  @Override
  public VersionRecord updateVersion(VersionRecord version, long expectedRevision) {
    VersionRecord stored = version.withRevision(expectedRevision + 1);
    return db.tx("update version " + version.number() + " of '" + version.model() + "'", c -> {
      try (PreparedStatement s = c.prepareStatement("UPDATE versions SET revision = ?, status = ?, record = ?::jsonb"
          + " WHERE model = ? AND number = ? AND revision = ?")) {
        s.setLong(1, stored.revision());
        s.setString(2, version.status().name());
        s.setString(3, Json.write(RecordTrees.version(stored)));
        s.setString(4, version.model());
        s.setInt(5, version.number());
        s.setLong(6, expectedRevision);
        if (s.executeUpdate() == 1) {
          return stored;
        }
      }
      Long current = revision(c, "SELECT revision FROM versions WHERE model = ? AND number = ?", version.model(),
          version.number());
      if (current == null) {
        throw new VersionNotFoundException("Version " + version.number() + " of model '" + version.model()
            + "' not found");
      }
      throw new ConflictException("Version " + version.number() + " of '" + version.model() + "' is at revision "
          + current + ", not " + expectedRevision);
    });
  }

  @Override
  public void deleteVersion(String model, int number) {
    db.txOrNull("delete version " + number + " of '" + model + "'", c -> {
      try (PreparedStatement s = c.prepareStatement("DELETE FROM versions WHERE model = ? AND number = ?")) {
        s.setString(1, model);
        s.setInt(2, number);
        if (s.executeUpdate() == 0) {
          throw new VersionNotFoundException("Version " + number + " of model '" + model + "' not found");
        }
      }
      return null;
    });
  }

  /** Every subject: name, number, tags, metrics, stages and aliases all have their table and index. */
  @Override
  public Set<SearchClause.Subject> searchSubjects() {
    return EnumSet.allOf(SearchClause.Subject.class);
  }

  /**
   * Search push-down: model name ({@code =}, {@code LIKE}, {@code IN}), version number, version tags
   * ({@code =}, {@code LIKE}), metrics (current values in {@code version_metrics}), stages and aliases become one
   * SQL query with every value a parameter; {@code LIKE} runs with no escape character ({@code ESCAPE ''}), as
   * the registry's grammar says.
   *
   * <p>The query answers each match's key and row version, not its record: records already parsed for that
   * same row version come from {@link #searched}, and only the others are read, in one more query on the same
   * connection. A version changed between the two queries comes back as it is now (the policy layer checks the
   * filter on every record it gets), a version deleted meanwhile not at all.
   *
   * <p>The row version is the {@code xmin} (the writing transaction) of the row the query reads. With a tag or
   * metric clause the query reads no {@code versions} row at all: it starts from that clause's rows in {@code
   * version_tags} or {@code version_metrics} (the others are {@code EXISTS} tests on the same key), because the
   * projection trigger rewrites a version's tag and metric rows in the same transaction as every write of its
   * {@code versions} row, and the foreign keys delete them with it. So the {@code xmin} of those rows changes
   * whenever the version does, and an unchanged one means the record parsed after it was seen is still current.
   * Looking up 1,000 {@code versions} rows for theirs was half of P11's query.
   */
  @Override
  public Optional<List<VersionRecord>> searchVersions(List<SearchClause> clauses) {
    List<Object> params = new ArrayList<>();
    SearchClause driver = null;
    String from = "versions v WHERE TRUE";
    for (SearchClause clause : clauses) {
      String start = startingRows(clause, params);
      if (start != null) {
        driver = clause;
        from = start;
        break;
      }
    }
    StringBuilder sql = new StringBuilder("SELECT v.model, v.number, v.xmin::text::bigint FROM " + from);
    for (SearchClause clause : clauses) {
      if (clause == driver) {
        continue;
      }
      String condition = condition(clause, params);
      if (condition != null) {
        sql.append(" AND ").append(condition);
      }
    }
    return Optional.of(db.read("search versions", c -> {
      List<VersionRecord> out = new ArrayList<>();
      Map<VersionKey, Long> unread = new HashMap<>();
      try (PreparedStatement s = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < params.size(); i++) {
          Object p = params.get(i);
          if (p instanceof Integer) {
            s.setInt(i + 1, (Integer) p);
          } else if (p instanceof Double) {
            s.setDouble(i + 1, (Double) p);
          } else if (p instanceof Double[]) {
            s.setArray(i + 1, c.createArrayOf("float8", (Double[]) p));
          } else if (p instanceof String[]) {
            s.setArray(i + 1, c.createArrayOf("text", (String[]) p));
          } else {
            s.setString(i + 1, (String) p);
          }
        }
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            VersionKey key = new VersionKey(r.getString(1), r.getInt(2));
            long row = r.getLong(3);
            SearchedVersion known = searched == null ? null : searched.getIfPresent(key);
            if (known != null && known.row() == row) {
              out.add(known.record());
            } else {
              unread.put(key, row);
            }
          }
        }
      }
      if (!unread.isEmpty()) {
        out.addAll(readSearched(c, unread));
      }
      out.sort(BY_MODEL_AND_NUMBER);
      return out;
    }));
  }

  /**
   * The records of {@code keys} as they are now, remembered in {@link #searched} under the row version the search
   * saw: read after it, so current for as long as the search sees that row version again.
   */
  private List<VersionRecord> readSearched(Connection c, Map<VersionKey, Long> keys) throws SQLException {
    String[] models = new String[keys.size()];
    Integer[] numbers = new Integer[keys.size()];
    int i = 0;
    for (VersionKey k : keys.keySet()) {
      models[i] = k.model();
      numbers[i] = k.number();
      i++;
    }
    List<VersionRecord> out = new ArrayList<>(keys.size());
    try (PreparedStatement s = c.prepareStatement("SELECT v.model, v.number, v.record::text"
        + " FROM versions v JOIN unnest(?::text[], ?::int[]) k(model, number)"
        + " ON v.model = k.model AND v.number = k.number")) {
      s.setArray(1, c.createArrayOf("text", models));
      s.setArray(2, c.createArrayOf("int4", numbers));
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          VersionKey key = new VersionKey(r.getString(1), r.getInt(2));
          VersionRecord record = version(r.getString(3), key.model(), key.number());
          Long seen = keys.get(key);
          if (searched != null && seen != null) {
            searched.put(key, new SearchedVersion(seen, record));
          }
          out.add(record);
        }
      }
    }
    return out;
  }

  /**
   * The {@code FROM} and first condition of a search starting from the tag or metric rows {@code clause}
   * selects, aliased {@code v} like {@code versions} (every other condition uses only {@code v.model} and {@code
   * v.number}), with its values appended to {@code params}; null when {@code clause} is not a tag or metric clause
   * SQL can answer.
   */
  private static @Nullable String startingRows(SearchClause clause, List<Object> params) {
    if (clause.subject() == SearchClause.Subject.VERSION_TAG) {
      String test = tagTest(clause, params);
      return test == null ? null : "version_tags v WHERE v.key = ? AND v.value " + test;
    }
    if (clause.subject() == SearchClause.Subject.VERSION_METRIC) {
      String test = metricTest(clause, params);
      return test == null ? null : "version_metrics v WHERE v.key = ? AND v.value " + test;
    }
    return null;
  }

  /**
   * The test of a tag clause ({@code =}, {@code LIKE}) on a {@code value} column (after a {@code key = ?});
   * appends the key and the value to {@code params} only when it answers, and answers null for other clauses.
   */
  private static @Nullable String tagTest(SearchClause clause, List<Object> params) {
    String key = clause.key();
    if (key == null || (clause.op() != SearchClause.Op.EQ && clause.op() != SearchClause.Op.LIKE)) {
      return null;
    }
    params.add(key);
    params.add(clause.value());
    return clause.op() == SearchClause.Op.EQ ? "= ?" : "LIKE ? ESCAPE ''";
  }

  /** The SQL of one clause with its values appended to {@code params}; null when it cannot be expressed. */
  private static @Nullable String condition(SearchClause clause, List<Object> params) {
    switch (clause.subject()) {
      case MODEL_NAME:
        switch (clause.op()) {
          case EQ:
            params.add(clause.value());
            return "v.model = ?";
          case LIKE:
            params.add(clause.value());
            return "v.model LIKE ? ESCAPE ''";
          case IN:
            params.add(clause.values().toArray(new String[0]));
            return "v.model = ANY (?)";
          default:
            return null;
        }
      case VERSION_NUMBER:
        Integer n = wholeNumber(clause.value());
        if (n == null) {
          return null;
        }
        String op = comparison(clause.op());
        if (op == null) {
          return null;
        }
        params.add(n);
        return "v.number " + op + " ?";
      case VERSION_TAG:
        String tag = tagTest(clause, params);
        return tag == null ? null : "EXISTS (SELECT 1 FROM version_tags t WHERE t.model = v.model"
            + " AND t.number = v.number AND t.key = ? AND t.value " + tag + ")";
      case VERSION_METRIC:
        return metricCondition(clause, params);
      case STAGE:
        if (clause.op() != SearchClause.Op.EQ && clause.op() != SearchClause.Op.IN) {
          return null;
        }
        params.add(clause.values().toArray(new String[0]));
        return "EXISTS (SELECT 1 FROM model_stages st WHERE st.model = v.model AND st.version = v.number"
            + " AND st.stage = ANY (?))";
      case ALIAS:
        if (clause.op() != SearchClause.Op.EQ && clause.op() != SearchClause.Op.IN) {
          return null;
        }
        params.add(clause.values().toArray(new String[0]));
        return "EXISTS (SELECT 1 FROM model_aliases a WHERE a.model = v.model AND a.version = v.number"
            + " AND a.alias = ANY (?))";
      default:
        return null;
    }
  }

  /**
   * A metric clause over {@code version_metrics}, which holds each metric's current value. PostgreSQL orders
   * {@code NaN} above every number as {@link Double#compare} does, but takes {@code -0.0} and {@code 0.0} as
   * equal where {@code Double.compare} does not; so {@code <} and {@code >} are asked as {@code <=} and {@code
   * >=} (a superset: the policy layer checks the strict comparison), and {@code =}/{@code IN} can only answer more.
   */
  private static @Nullable String metricCondition(SearchClause clause, List<Object> params) {
    String test = metricTest(clause, params);
    return test == null ? null : "EXISTS (SELECT 1 FROM version_metrics x WHERE x.model = v.model"
        + " AND x.number = v.number AND x.key = ? AND x.value " + test + ")";
  }

  /**
   * The test of a metric clause on a {@code value} column (after a {@code key = ?}); appends the key and the
   * value(s) to {@code params} only when it answers, and answers null when SQL cannot test the clause.
   */
  private static @Nullable String metricTest(SearchClause clause, List<Object> params) {
    String key = clause.key();
    if (key == null || clause.op() == SearchClause.Op.LIKE) {
      return null;
    }
    Double[] values = new Double[clause.values().size()];
    for (int i = 0; i < values.length; i++) {
      try {
        values[i] = Double.valueOf(clause.values().get(i));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    String test;
    switch (clause.op()) {
      case EQ:
        test = "= ?";
        break;
      case LT:
      case LE:
        test = "<= ?";
        break;
      case GT:
      case GE:
        test = ">= ?";
        break;
      case IN:
        test = "= ANY (?)";
        break;
      default:
        return null;
    }
    params.add(key);
    params.add(clause.op() == SearchClause.Op.IN ? values : values[0]);
    return test;
  }

  private static @Nullable String comparison(SearchClause.Op op) {
    switch (op) {
      case EQ:
        return "=";
      case LT:
        return "<";
      case LE:
        return "<=";
      case GT:
        return ">";
      case GE:
        return ">=";
      default:
        return null;
    }
  }

  private static @Nullable Integer wholeNumber(String text) {
    try {
      return Integer.valueOf(text.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  // ================================================================== artifacts

  @Override
  public ArtifactUpload beginUpload(String model) {
    Names.checkModelName(model);
    return blobs.begin(model);
  }

  @Override
  public InputStream openArtifact(VersionRecord version, ArtifactEntry entry) {
    return blobs.open(version, entry);
  }

  // ================================================================== events

  @Override
  public RegistryEvent appendEvent(RegistryEvent event) {
    Names.checkModelName(event.model());
    return db.tx("append to the history of '" + event.model() + "'", c -> {
      ensureName(c, event.model());
      long seq;
      try (PreparedStatement s = c.prepareStatement(
          "UPDATE model_names SET last_event = last_event + 1 WHERE name = ? RETURNING last_event")) {
        s.setString(1, event.model());
        try (ResultSet r = s.executeQuery()) {
          r.next();
          seq = r.getLong(1);
        }
      }
      RegistryEvent stored = new RegistryEvent(event.model(), seq, event.time(), event.actor(), event.type(),
          event.version(), event.details());
      try (PreparedStatement s = c.prepareStatement("INSERT INTO events (model, seq, time, type, version, record)"
          + " VALUES (?, ?, ?, ?, ?, ?::jsonb)")) {
        s.setString(1, event.model());
        s.setLong(2, seq);
        s.setTimestamp(3, Timestamp.from(event.time()));
        s.setString(4, event.type().name());
        Integer v = event.version();
        if (v == null) {
          s.setNull(5, Types.INTEGER);
        } else {
          s.setInt(5, v);
        }
        s.setString(6, Json.write(RecordTrees.event(stored)));
        s.executeUpdate();
      }
      return stored;
    });
  }

  @Override
  public List<RegistryEvent> readEvents(String model, long afterSequence) {
    return db.read("read the history of '" + model + "'", c -> {
      List<RegistryEvent> out = new ArrayList<>();
      try (PreparedStatement s = c.prepareStatement(
          "SELECT seq, record::text FROM events WHERE model = ? AND seq > ? ORDER BY seq")) {
        s.setString(1, model);
        s.setLong(2, afterSequence);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            String source = source("events", model + "#" + r.getLong(1));
            out.add(RecordTrees.event(model, Json.parse(r.getString(2), source), source));
          }
        }
      }
      return out;
    });
  }

  @Override
  public long lastEventSequence(String model) {
    Long last = db.readOrNull("read the history of '" + model + "'",
        c -> revision(c, "SELECT last_event FROM model_names WHERE name = ?", model, null));
    return last == null ? 0 : last;
  }

  /**
   * Counts the notifications the schema's triggers send on every committed change ({@code LISTEN}), so a watch
   * on every model reads the logs only when something changed; null (poll every time) while not listening.
   */
  @Override
  public @Nullable Object eventsChangeToken() {
    return listener().token();
  }

  /**
   * Runs {@code wake} whenever a notification arrives (and when a new listening session starts), so a watch
   * reads the logs within milliseconds of another process's commit instead of at its next poll; starts
   * listening if no one has yet.
   */
  @Override
  public void onEventsChanged(Runnable wake) {
    listener().addWake(wake);
  }

  private synchronized ChangeListener listener() {
    ChangeListener l = listener;
    if (l == null) {
      if (closed) {
        throw new IllegalStateException("The store " + describe + " is closed");
      }
      l = listenerFactory.get();
      listener = l;
    }
    return l;
  }

  // ================================================================== maintenance

  /** Re-hashes the stored bytes; the records are read and checked by the policy layer's {@code verify}. */
  @Override
  public StorageCheck verifyStorage() {
    List<String> problems = new ArrayList<>();
    Map<Digest, Long> intact = new HashMap<>();
    blobs.verify(problems, intact);
    return new StorageCheck(problems, intact);
  }

  @Override
  public GcReport collectGarbage() {
    return blobs.collect();
  }

  @Override
  public <T> T withModelLock(String model, Supplier<T> action) {
    Names.checkModelName(model);
    return db.withLock(model, action);
  }

  private static void setNullableString(PreparedStatement s, int index, @Nullable String value) throws SQLException {
    if (value == null) {
      s.setNull(index, Types.VARCHAR);
    } else {
      s.setString(index, value);
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    ChangeListener l = listener;
    if (l != null) {
      l.close();
    }
    db.close();
  }

  /** A version's key. */
  private record VersionKey(String model, int number) {}

  /**
   * A record a search parsed and the row version the search saw: the {@code xmin} (writing transaction) of the
   * {@code versions}, {@code version_tags} or {@code version_metrics} row it started from. Every write of any kind
   * changes it, so a row deleted and written again, rewritten by hand, or restored from a backup is never taken
   * for the one parsed. A search starting from another table may see another transaction for the same state (a
   * migration that rewrote one projection): then the record is read again, never answered stale.
   */
  private record SearchedVersion(long row, VersionRecord record) {}
}
