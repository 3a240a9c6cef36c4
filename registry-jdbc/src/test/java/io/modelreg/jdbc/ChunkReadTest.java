package io.modelreg.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.IntegrityException;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Reading bytes stored in the database: the first chunk comes with the blob lookup and a read ends at the
 * recorded size, so files of zero, one and several chunks (also exactly on a chunk boundary) must come back
 * whole, a missing chunk must fail the digest, and bytes stored beyond the size are not read but are reported
 * by {@code verify}.
 */
@ExtendWith(RequiresPostgres.class)
class ChunkReadTest {
  private static final int CHUNK = DatabaseBlobs.CHUNK;

  @BeforeEach
  void database() {
    TestDatabase.require();
  }

  @Test
  void filesOfEveryChunkCountComeBackWhole() throws Exception {
    String schema = TestDatabase.newSchema("chunks");
    byte[][] files = {new byte[0], bytes(1, 10), bytes(2, CHUNK), bytes(3, 2 * CHUNK + 17)};
    try (ModelRegistry registry = ModelRegistries.open(TestDatabase.url(), TestDatabase.options(schema).build())) {
      Registration.Builder b = Registration.builder();
      for (int i = 0; i < files.length; i++) {
        b.bytes("f" + i, files[i]);
      }
      ModelVersion v = registry.register("m", b.build());
      for (int i = 0; i < files.length; i++) {
        try (InputStream in = registry.openArtifact(v, "f" + i)) {
          assertThat(in.readAllBytes()).as("f%d, %d bytes", i, files[i].length).isEqualTo(files[i]);
        }
      }
      assertThat(registry.verify().problems()).isEmpty();
    }
  }

  @Test
  void aMissingChunkFailsTheReadAndBytesBeyondTheSizeAreReportedNotRead() throws Exception {
    String schema = TestDatabase.newSchema("chunks");
    byte[] two = bytes(4, CHUNK + 5);
    byte[] one = bytes(5, 100);
    try (ModelRegistry registry = ModelRegistries.open(TestDatabase.url(), TestDatabase.options(schema).build())) {
      ModelVersion v = registry.register("m", Registration.builder().bytes("two", two).bytes("one", one).build());
      try (Connection c = TestDatabase.connect(schema)) {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM chunks WHERE seq = 1")) {
          assertThat(s.executeUpdate()).isEqualTo(1);
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO chunks (content_id, seq, data)"
            + " SELECT content_id, 1, '\\x00ff'::bytea FROM chunks WHERE length(data) = 100")) {
          assertThat(s.executeUpdate()).isEqualTo(1);
        }
      }
      assertThatThrownBy(() -> {
        try (InputStream in = registry.openArtifact(v, "two")) {
          in.readAllBytes();
        }
      }).isInstanceOf(IntegrityException.class);
      try (InputStream in = registry.openArtifact(v, "one")) {
        assertThat(in.readAllBytes()).as("the recorded 100 bytes, not the chunk stored after them").isEqualTo(one);
      }
      String twoDigest = v.manifest().find("two").orElseThrow().digest().toString();
      String oneDigest = v.manifest().find("one").orElseThrow().digest().toString();
      assertThat(registry.verify().problems()).as("verify reads every stored chunk").hasSize(3)
          .anySatisfy(p -> assertThat(p).contains(oneDigest).contains("damaged"))
          .anySatisfy(p -> assertThat(p).contains(twoDigest).contains("damaged"))
          .anySatisfy(p -> assertThat(p).contains("'two'").contains("1048576 bytes stored, 1048581 recorded"));
    }
  }

  private static byte[] bytes(long seed, int size) {
    byte[] out = new byte[size];
    new Random(seed).nextBytes(out);
    return out;
  }
}
