package io.modelreg.jdbc;

import io.modelreg.ArtifactEntry;
import io.modelreg.ModelVersion;
import io.modelreg.spi.RegistryStore;
import io.modelreg.testkit.RegistryCompatibilityKit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@code jdbc:postgresql:} store passes the whole compatibility kit on a real PostgreSQL: each store a test
 * creates gets an empty schema of its own, and a second client is a second store (its own pool) on the same
 * schema. The schemas are migrated once and emptied by {@code TRUNCATE} between tests ({@link
 * TestDatabase#recycledSchema}): a Flyway migration per test made this class take minutes.
 */
@ExtendWith(RequiresPostgres.class)
class JdbcStoreCompatibilityTest extends RegistryCompatibilityKit {
  @BeforeEach
  void database() {
    TestDatabase.require(); // each test shows as skipped, with the reason, when there is no server
  }

  /** The schemas of this test's stores, given back for reuse after the test (and its stores) ended. */
  private final List<String> schemas = new ArrayList<>();

  @AfterEach
  void giveSchemasBack() {
    // runs before the kit closes this test's registries; the schemas are emptied only when handed out again,
    // by the next test's first newStore(), after these stores are closed
    TestDatabase.giveBack(schemas);
    schemas.clear();
  }

  @Override
  protected RegistryStore newStore() {
    String schema = TestDatabase.recycledSchema("kit");
    schemas.add(schema);
    return open(schema);
  }

  /** A store (or a second client) on {@code schema}; the directory variant adds its option. */
  protected JdbcRegistryStore open(String schema) {
    return TestDatabase.open(schema);
  }

  @Override
  protected Optional<RegistryStore> secondClient(RegistryStore store) {
    return Optional.of(open(((JdbcRegistryStore) store).schema()));
  }

  @Override
  protected boolean corruptArtifact(RegistryStore store, ModelVersion version, ArtifactEntry entry) {
    try (Connection c = TestDatabase.connect(((JdbcRegistryStore) store).schema());
         PreparedStatement s = c.prepareStatement("UPDATE chunks SET data = set_byte(data, 0, get_byte(data, 0) # 1)"
             + " WHERE seq = 0 AND content_id = (SELECT content_id FROM blobs WHERE digest = ?)")) {
      s.setString(1, entry.digest().hex());
      return s.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }
}
