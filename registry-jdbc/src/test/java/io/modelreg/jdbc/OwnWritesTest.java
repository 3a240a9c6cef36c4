package io.modelreg.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import io.modelreg.Registration;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A registry sees its own writes at once, also when its cache holds a model record read from the store with
 * the versions token of that moment (the store keeps version lists under those tokens). Found while
 * measuring P11's pool switch: {@code register} then {@code find("models:/m/<new>")} on the same registry
 * answered empty, and {@code latest} the version before, until the cached record expired.
 */
@ExtendWith(RequiresPostgres.class)
class OwnWritesTest {
  @BeforeEach
  void database() {
    TestDatabase.require();
  }

  @Test
  void aVersionRegisteredThroughThisRegistryIsFoundAtOnceAfterTheModelRecordWasReadFromTheStore() {
    String schema = TestDatabase.newSchema("own");
    Duration hour = Duration.ofHours(1); // nothing expires during the test: only invalidation can help
    try (ModelRegistry other = ModelRegistries.open(TestDatabase.url(), TestDatabase.options(schema).build());
         ModelRegistry registry = ModelRegistries.open(TestDatabase.url(), TestDatabase.options(schema)
             .cacheTtl(hour).build())) {
      other.register("m", Registration.builder().bytes("f", "1".getBytes(StandardCharsets.UTF_8)).build());
      for (int n = 2; n <= 4; n++) {
        // the record (and its versions token) read from the store and cached, the version list cached under it
        assertThat(registry.resolve("models:/m/latest").number()).isEqualTo(n - 1);
        int registered = registry.register("m",
            Registration.builder().bytes("f", Integer.toString(n).getBytes(StandardCharsets.UTF_8)).build()).number();
        assertThat(registered).isEqualTo(n);
        assertThat(registry.find(ModelUri.parse("models:/m/" + n))).as("version %d, just registered here", n)
            .isPresent();
        assertThat(registry.resolve("models:/m/latest").number()).isEqualTo(n);
        registry.setAlias("m", "live", n);
        assertThat(registry.resolve("models:/m@live").number()).isEqualTo(n);
      }
      registry.setAlias("m", "live", 3);
      assertThat(registry.resolve("models:/m@live").number()).isEqualTo(3);
      registry.deleteVersion("m", 4);
      assertThat(registry.find(ModelUri.parse("models:/m/4"))).as("deleted here").isEmpty();
    }
  }
}
