package io.modelreg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegisteredModelTest {
  @Test
  void builderMakesASnapshotWithoutAnyStoreType() {
    RegisteredModel m = RegisteredModel.builder().name("churn").description("d").tags(Map.of("team", "ml"))
        .aliases(Map.of("champion", 2)).created(Instant.parse("2026-01-01T00:00:00Z")).build();
    assertThat(m.name()).isEqualTo("churn");
    assertThat(m.description()).contains("d");
    assertThat(m.tags()).containsExactly(Map.entry("team", "ml"));
    assertThat(m.userAliases()).containsExactly(Map.entry("champion", 2));
    assertThat(m.aliases()).containsExactly(Map.entry("champion", 2)); // no stage holders, so no managed aliases
    assertThat(m.createdAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
  }

  @Test
  void builderRefusesWhatARegistryWould() {
    assertThatThrownBy(() -> RegisteredModel.builder().build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs a name");
    assertThatThrownBy(() -> RegisteredModel.builder().name("../etc")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RegisteredModel.builder().aliases(Map.of("production", 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
