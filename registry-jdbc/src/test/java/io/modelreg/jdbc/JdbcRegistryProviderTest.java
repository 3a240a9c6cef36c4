package io.modelreg.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.ModelRegistries;
import io.modelreg.RegistryException;
import io.modelreg.RegistryOptions;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** Opening by URI: what is accepted, what is refused and how, and that no message shows a password. */
class JdbcRegistryProviderTest {
  private final JdbcRegistryProvider provider = new JdbcRegistryProvider();

  @Test
  void onlyPostgresqlUrisWithAServerAreAccepted() {
    assertThatThrownBy(() -> provider.open(URI.create("jdbc:mysql://db:3306/ml?password=hunter2"), RegistryOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PostgreSQL only")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> provider.open(URI.create("jdbc:postgresql:ml"), RegistryOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbc:postgresql://host:5432/database");
  }

  @Test
  void theDescriptionDropsParametersAndUserInfo() {
    assertThat(JdbcRegistryProvider.describe("jdbc:postgresql://db:5432/ml?user=me&password=hunter2&ssl=true"))
        .isEqualTo("jdbc:postgresql://db:5432/ml");
    assertThat(JdbcRegistryProvider.describe("jdbc:postgresql://me:hunter2@db:5432/ml"))
        .isEqualTo("jdbc:postgresql://db:5432/ml");
  }

  @Test
  void badStoreOptionsNameTheOptionAndWhatIsAllowed() {
    URI uri = URI.create("jdbc:postgresql://127.0.0.1:1/ml");
    assertThatThrownBy(() -> provider.open(uri, RegistryOptions.builder().storeOption(JdbcRegistryProvider.SCHEMA,
        "Robert'); DROP").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc.schema").hasMessageContaining("lower-case");
    assertThatThrownBy(() -> provider.open(uri, RegistryOptions.builder().storeOption(JdbcRegistryProvider.POOL_SIZE,
        "0").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc.pool-size");
    assertThatThrownBy(() -> provider.open(uri, RegistryOptions.builder().storeOption(JdbcRegistryProvider.LOCK_TIMEOUT,
        "60").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc.lock-timeout").hasMessageContaining("PT30S");
    assertThatThrownBy(() -> provider.open(uri, RegistryOptions.builder().storeOption(JdbcRegistryProvider.SEARCH_CACHE,
        "-1").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc.search-cache")
        .hasMessageContaining("at least 0");
  }

  @Test
  void anUnreachableServerIsTransient() {
    assertThatThrownBy(() -> provider.open(URI.create("jdbc:postgresql://127.0.0.1:1/ml?password=hunter2"),
        RegistryOptions.builder().storeOption(JdbcRegistryProvider.CONNECT_TIMEOUT, "PT1S").build()))
        .isInstanceOf(io.modelreg.TransientRegistryException.class)
        .hasMessageContaining("jdbc:postgresql://127.0.0.1:1/ml")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void aWrongPasswordFailsWithoutShowingIt() {
    TestDatabase.require();
    String url = TestDatabase.url() + (TestDatabase.url().contains("?") ? "&" : "?") + "password=not-the-s3cret";
    assertThatThrownBy(() -> ModelRegistries.open(url, RegistryOptions.builder()
        .storeOption(JdbcRegistryProvider.CONNECT_TIMEOUT, "PT2S").build()))
        .isInstanceOf(RegistryException.class)
        .isNotInstanceOf(io.modelreg.TransientRegistryException.class) // trying again will not help
        .hasMessageContaining("jdbc:postgresql://")
        .hasMessageContaining("password authentication failed")
        .hasMessageNotContaining("not-the-s3cret");
    assertThatThrownBy(() -> ModelRegistries.open(TestDatabase.url(), RegistryOptions.builder()
        .storeOption(JdbcRegistryProvider.PASSWORD, "option-s3cret").storeOption(JdbcRegistryProvider.CONNECT_TIMEOUT, "PT2S")
        .build()))
        .isInstanceOf(RegistryException.class)
        .hasMessageNotContaining("option-s3cret");
  }
}
