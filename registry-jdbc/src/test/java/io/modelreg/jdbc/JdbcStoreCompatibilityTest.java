package io.modelreg.jdbc;

import io.modelreg.ArtifactEntry;
import io.modelreg.ModelVersion;
import io.modelreg.spi.RegistryStore;
import io.modelreg.testkit.RegistryCompatibilityKit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@code jdbc:postgresql:} store passes the whole compatibility kit on a real PostgreSQL: each test gets a
 * schema of its own, and a second client is a second store (its own pool) on the same schema.
 */
@ExtendWith(RequiresPostgres.class)
class JdbcStoreCompatibilityTest extends RegistryCompatibilityKit {
  @BeforeEach
  void database() {
    TestDatabase.require(); // each test shows as skipped, with the reason, when there is no server
  }

  @Override
  protected RegistryStore newStore() {
    return TestDatabase.open(TestDatabase.newSchema("kit"));
  }

  @Override
  protected Optional<RegistryStore> secondClient(RegistryStore store) {
    return Optional.of(TestDatabase.open(((JdbcRegistryStore) store).schema()));
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
